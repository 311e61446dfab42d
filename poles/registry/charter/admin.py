"""Curation of the charter (national curators; reference data, so only viewed by regional
curators) and of its signatures: inline on the charter and on a pole's page, and a list of
their own, within each account's scope (``poles/territories/scope.py``: a regional curator
records the signatures of the poles and organisations of their regions)."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin

from ptce_site.admin_site import RelatedKeysMixin, TabularInline
from ptce_site.admin_utils import (
    FrenchSortingAdmin,
    HistoryAdmin,
    NameListFilter,
    PoleContentAdminMixin,
)
from ptce_site.content import content_changed

from .models import Charter, CharterSignature

SIGNATURE_FIELDS = ["signed_on", "note", "sources"]


class CharterSignatureInline(TabularInline):
    """Every signatory of the charter, poles and organisations."""

    model = CharterSignature
    fields = ["pole", "organisation", *SIGNATURE_FIELDS]
    autocomplete_fields = ["pole", "organisation", "sources"]
    extra = 0

    def get_queryset(self, request):
        # Each row's choices read with the rows (``ptce_site.forms``), not one query a row.
        return (
            super().get_queryset(request)
            .select_related("pole", "organisation")
            .prefetch_related("sources")
        )


class PoleSignatureInline(TabularInline):
    """The pole's signature, on its page (the charter chosen for a new one)."""

    model = CharterSignature
    fields = ["charter", *SIGNATURE_FIELDS]
    autocomplete_fields = ["sources"]
    extra = 0
    max_num = 1
    verbose_name = _("signature de la charte")
    verbose_name_plural = _("signature de la charte")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "charter":
            kwargs.setdefault("initial", Charter.objects.the_charter())
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("charter", "pole")


@admin.register(Charter)
class CharterAdmin(RelatedKeysMixin, TranslationAdmin):
    list_display = ["title", "signed_on", "place", "signatory_count"]
    search_fields = ["title_fr", "title_en", "slug"]
    prepopulated_fields = {"slug": ["title_fr"]}
    autocomplete_fields = ["sources", "event"]
    readonly_fields = ["created_at", "updated_at"]
    inlines = [CharterSignatureInline]
    fieldsets = [
        (_("Le document"), {"fields": ["title", "slug", "description"]}),
        (
            _("Sa signature (seulement ce que disent les documents)"),
            {"fields": ["signed_on", "place", "event"]},
        ),
        (_("Sources"), {"fields": ["sources", "created_at", "updated_at"]}),
    ]

    @admin.display(description=_("signataires"))
    def signatory_count(self, charter: Charter) -> int:
        return charter.signatures.count()

    def save_formset(self, request, form, formset, change):
        super().save_formset(request, form, formset, change)
        # The pages of the poles whose signature changed are dated (``ptce_site.content``).
        changed = [*formset.new_objects, *formset.deleted_objects]
        changed += [obj for obj, _fields in formset.changed_objects]
        content_changed(CharterSignature, [obj.pole_id for obj in changed])


@admin.register(CharterSignature)
class CharterSignatureAdmin(
    FrenchSortingAdmin, PoleContentAdminMixin, RelatedKeysMixin, HistoryAdmin
):
    list_display = ["__str__", "charter", "pole", "organisation", "signed_on"]
    list_filter = ["charter", ("pole__region", NameListFilter), "organisation__kind"]
    list_select_related = ["charter", "pole", "organisation"]
    search_fields = ["pole__name", "organisation__name", "note"]
    autocomplete_fields = ["pole", "organisation", "sources"]
    readonly_fields = ["created_at", "updated_at"]
    date_hierarchy = "signed_on"
    fieldsets = [
        (None, {"fields": ["charter", "pole", "organisation", "signed_on"]}),
        (_("Sources et note"), {"fields": ["sources", "note", "created_at", "updated_at"]}),
    ]
