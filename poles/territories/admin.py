"""Curation of the reference geography: regions and former regions (communes are read-only);
and, on an account's page (administrators), the regions it curates as a regional curator."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from ptce_site.admin_site import RelatedKeysMixin, TabularInline
from ptce_site.admin_utils import FrenchSortingAdmin, NameListFilter
from ptce_site.collation import french

from .curators import RegionalCurator
from .models import Commune, FormerRegion, Region


class FormerRegionInline(TabularInline):
    model = FormerRegion
    fields = ["code", "name", "slug", "departments"]
    prepopulated_fields = {"slug": ["name"]}
    extra = 0
    show_change_link = True


@admin.register(Region)
class RegionAdmin(FrenchSortingAdmin, admin.ModelAdmin):
    list_display = ["name", "code", "former_region_names", "pole_count"]
    search_fields = ["name", "code", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [FormerRegionInline]
    ordering = [french("name")]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(pole_count=Count("poles", distinct=True))
            .prefetch_related("former_regions")
        )

    @admin.display(description=_("anciennes régions"))
    def former_region_names(self, region: Region) -> str:
        return ", ".join(former.name for former in region.former_regions.all())

    @admin.display(description=_("pôles"), ordering="pole_count")
    def pole_count(self, region: Region) -> int:
        return region.pole_count


@admin.register(FormerRegion)
class FormerRegionAdmin(FrenchSortingAdmin, RelatedKeysMixin, admin.ModelAdmin):
    list_display = ["name", "code", "region", "departments"]
    list_filter = [("region", NameListFilter)]
    list_select_related = ["region"]
    search_fields = ["name", "code", "departments"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["region"]


@admin.register(Commune)
class CommuneAdmin(FrenchSortingAdmin, admin.ModelAdmin):
    """Reference data loaded with the seed data: curators only read it."""

    list_display = ["name", "code", "postal_codes", "department", "region"]
    list_filter = [("region", NameListFilter)]
    list_select_related = ["region"]
    search_fields = ["name", "=code", "postal_codes"]
    # 35,000 rows: counting them all on every filtered page is wasted work.
    show_full_result_count = False



class RegionalCuratorInline(admin.StackedInline):
    """The regions an account curates: with some, it is a regional curator (put it in the
    "Regional curators" group, not "Curators"); see ``scope.py``."""

    model = RegionalCurator
    fields = ["organisation_name", "regions"]
    filter_horizontal = ["regions"]
    can_delete = True
    max_num = 1
    extra = 0
    verbose_name = _("animation régionale (régions suivies)")
    verbose_name_plural = verbose_name


admin.site.unregister(get_user_model())


@admin.register(get_user_model())
class AccountAdmin(UserAdmin):
    inlines = [*UserAdmin.inlines, RegionalCuratorInline]
