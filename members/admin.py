"""Curation of member organisations and memberships by network staff."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from ptce_site.admin_site import RelatedKeysMixin, TabularInline
from ptce_site.admin_utils import (
    FrenchSortingAdmin,
    HistoryAdmin,
    NameListFilter,
    PoleContentAdminMixin,
)
from ptce_site.import_admin import RegistryImportExportMixin
from ptce_site.scope import scope

from .models import Membership, Organisation
from .resources import MembershipResource, OrganisationResource


class MembershipInline(TabularInline):
    model = Membership
    fields = ["pole", "role", "joined_on", "left_on"]
    autocomplete_fields = ["pole"]
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("pole")


class CreatedByLeaderFilter(admin.SimpleListFilter):
    """Organisations that pole leaders created from their space, for staff to review."""

    title = _("origine")
    parameter_name = "origin"

    def lookups(self, request, model_admin):
        return [("leader", _("Créée par un porteur")), ("staff", _("Créée par l'équipe"))]

    def queryset(self, request, queryset):
        if self.value() == "leader":
            return queryset.filter(created_by__isnull=False)
        if self.value() == "staff":
            return queryset.filter(created_by__isnull=True)
        return queryset


@admin.register(Organisation)
class OrganisationAdmin(
    FrenchSortingAdmin, RegistryImportExportMixin, RelatedKeysMixin, HistoryAdmin
):
    resource_classes = [OrganisationResource]
    export_stem = "organisations"
    list_display = [
        "name",
        "kind",
        "legal_form",
        "siren",
        "region",
        "pole_count",
        "created_by_leader",
        "updated_at",
    ]
    list_filter = ["kind", "legal_form", CreatedByLeaderFilter, ("region", NameListFilter)]
    list_select_related = ["region", "created_by"]
    search_fields = ["name", "slug", "=siren", "commune_name"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["region"]
    readonly_fields = ["created_at", "updated_at", "created_by"]
    inlines = [MembershipInline]
    actions = ["export_csv"]
    date_hierarchy = "created_at"
    fieldsets = [
        (_("Identité"), {"fields": ["name", "slug", "kind", "legal_form", "siren"]}),
        (_("Présentation"), {"fields": ["description", "website"]}),
        (_("Territoire"), {"fields": [("commune_code", "commune_name"), "region"]}),
        (_("Suivi des modifications"), {"fields": [("created_at", "updated_at"), "created_by"]}),
    ]

    def get_queryset(self, request):
        # Current memberships, published or not: curators see the whole registry.
        # Ordered again: the pole count groups the rows, and a grouped queryset loses the
        # model's default order (the autocomplete would page an unordered list).
        # A regional curator counts the poles of their regions only: the others' (unpublished
        # ones too) are not theirs to know of.
        rule = scope()
        among = (
            rule.visible(Membership.objects.all(), request.user)
            if rule.limited(request.user) else None
        )
        return (
            super()
            .get_queryset(request)
            .with_pole_count(among=among)
            .select_related("region")
            .order_by(*Organisation._meta.ordering)
        )

    @admin.display(description=_("pôles"), ordering="pole_count")
    def pole_count(self, organisation: Organisation) -> int:
        return organisation.pole_count

    @admin.display(description=_("créée par un porteur"), ordering="created_by")
    def created_by_leader(self, organisation: Organisation) -> str:
        return str(organisation.created_by) if organisation.created_by else ""

    @admin.action(description=_("Exporter la sélection en CSV"), permissions=["view"])
    def export_csv(self, request, queryset):
        return self.export_csv_response(request, queryset, "organisations-selection")


class CurrentMembershipFilter(admin.SimpleListFilter):
    title = _("adhésion en cours")
    parameter_name = "current"

    def lookups(self, request, model_admin):
        return [("yes", _("En cours")), ("no", _("Terminée"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.current()
        if self.value() == "no":
            return queryset.ended()
        return queryset


@admin.register(Membership)
class MembershipAdmin(
    FrenchSortingAdmin,
    PoleContentAdminMixin,
    RegistryImportExportMixin,
    RelatedKeysMixin,
    HistoryAdmin,
):
    resource_classes = [MembershipResource]
    export_stem = "adhesions"
    list_display = ["organisation", "pole", "role", "joined_on", "left_on"]
    list_filter = [
        "role",
        CurrentMembershipFilter,
        "organisation__kind",
        ("pole__region", NameListFilter),
    ]
    list_select_related = ["organisation", "pole"]
    search_fields = ["organisation__name", "=organisation__siren", "pole__name"]
    autocomplete_fields = ["pole", "organisation"]
    date_hierarchy = "joined_on"
