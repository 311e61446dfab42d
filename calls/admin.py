"""Curation of calls, their milestones and the poles' applications by network staff."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Case, IntegerField, Value, When
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin, TranslationInlineModelAdmin

from ptce_site.admin_site import RelatedKeysMixin, TabularInline
from ptce_site.admin_utils import FrenchSortingAdmin, NameListFilter, PoleContentAdminMixin
from ptce_site.collation import french
from ptce_site.import_admin import RegistryImportExportMixin
from ptce_site.scope import scope

from .models import Application, Call, Milestone
from .resources import ApplicationResource


class MilestoneInline(TranslationInlineModelAdmin, TabularInline):
    model = Milestone
    fields = ["date", "end_date", "label", "date_to_be_confirmed"]
    extra = 0


class ApplicationInline(TabularInline):
    model = Application
    fields = ["pole", "outcome", "track", "former_region", "region_name_then"]
    autocomplete_fields = ["pole", "former_region"]
    extra = 0

    def get_queryset(self, request):
        # Laureates first: they are what curators look for on a call.
        laureates_first = Case(
            When(outcome=Application.Outcome.LAUREATE, then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        )
        return (
            super()
            .get_queryset(request)
            .select_related("pole", "former_region")
            .order_by(laureates_first, french("pole__name"))
        )


@admin.register(Call)
class CallAdmin(FrenchSortingAdmin, RelatedKeysMixin, TranslationAdmin):
    list_display = [
        "title",
        "year",
        "kind",
        "applications_received",
        "applications_eligible",
        "applications_selected",
        "selection_rate_display",
        "laureate_count",
        "results_on",
    ]
    list_filter = ["kind", "year"]
    search_fields = ["title_fr", "title_en", "slug", "summary_fr"]
    prepopulated_fields = {"slug": ["title_fr"]}
    autocomplete_fields = ["organisers", "sources"]
    readonly_fields = ["laureate_list", "created_at", "updated_at"]
    date_hierarchy = "launched_on"
    inlines = [MilestoneInline, ApplicationInline]
    fieldsets = [
        (
            _("Identité"),
            {"fields": ["title", "slug", "year", "kind", "organisers", "summary", "description"]},
        ),
        (_("Dates"), {"fields": [("launched_on", "closes_on", "results_on")]}),
        (
            _("Chiffres"),
            {
                "fields": [
                    ("applications_received", "received_unit", "received_is_lower_bound"),
                    "applications_eligible",
                    "applications_selected",
                ],
                "description": _(
                    "Retenus ≤ recevables ≤ reçus ; laissez vide ce qui n'est pas connu."
                ),
            },
        ),
        (_("Lauréats"), {"fields": ["laureate_list"]}),
        (_("Sources"), {"fields": ["sources", ("created_at", "updated_at")]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).with_laureate_count()

    def get_object(self, request, object_id, from_field=None):
        call = super().get_object(request, object_id, from_field)
        if call is not None:  # the laureates the account sees (a read-only field: no request)
            call.visible_applications = scope().visible(call.applications.all(), request.user)
        return call

    @admin.display(description=_("lauréats enregistrés"), ordering="laureate_count")
    def laureate_count(self, call: Call) -> int:
        return call.laureate_count

    @admin.display(description=_("taux de sélection"))
    def selection_rate_display(self, call: Call) -> str:
        rate = call.selection_rate
        if rate is None:
            return "—"
        # French typography: a no-break space before the percent sign.
        return f"{round(rate * 100)}\u00a0%"

    @admin.display(description=_("lauréats"))
    def laureate_list(self, call: Call) -> str:
        """The call's laureates, by the region named in the call's documents."""
        if not call.pk:
            return "—"
        applications = getattr(call, "visible_applications", Application.objects.none())
        laureates = (
            applications.laureates()
            .select_related("pole", "former_region")
            .order_by(french("region_name_then"), french("pole__name"))
        )
        if not laureates:
            return gettext("Aucun lauréat enregistré.")
        return format_html(
            '<ol class="laureates">{}</ol>',
            format_html_join(
                "",
                '<li>{} <span class="help">({})</span></li>',
                ((a.pole.name, a.region_name_then or (a.former_region or "—")) for a in laureates),
            ),
        )


@admin.register(Application)
class ApplicationAdmin(
    FrenchSortingAdmin,
    PoleContentAdminMixin,
    RegistryImportExportMixin,
    RelatedKeysMixin,
    admin.ModelAdmin,
):
    resource_classes = [ApplicationResource]
    export_stem = "candidatures"
    list_display = ["pole", "call", "outcome", "track", "former_region", "region_name_then"]
    list_filter = [
        "outcome",
        "call",
        "track",
        ("pole__region", NameListFilter),
        ("former_region", NameListFilter),
    ]
    list_select_related = ["pole", "call", "former_region"]
    search_fields = ["pole__name", "call__title", "region_name_then"]
    autocomplete_fields = ["pole", "call", "former_region"]


@admin.register(Milestone)
class MilestoneAdmin(FrenchSortingAdmin, RelatedKeysMixin, admin.ModelAdmin):
    list_display = ["label", "call", "date", "end_date", "date_to_be_confirmed"]
    list_filter = ["call", "date_to_be_confirmed"]
    list_select_related = ["call"]
    search_fields = ["label", "call__title"]
    date_hierarchy = "date"
    autocomplete_fields = ["call"]
