"""Curation of regions, sectors, source documents and poles by network staff."""

from __future__ import annotations

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from calls.models import Application, Call
from members.models import Membership
from ptce_site.admin_utils import log_changes
from ptce_site.exports import csv_response, dated_filename, yes_no

from .models import Commune, FormerRegion, Objective, Pole, Region, Sector, SourceDocument


class FormerRegionInline(admin.TabularInline):
    model = FormerRegion
    fields = ["code", "name", "slug", "departments"]
    extra = 0
    show_change_link = True


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "slug", "former_region_names"]
    search_fields = ["name", "code"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [FormerRegionInline]
    ordering = ["name"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("former_regions")

    @admin.display(description=_("anciennes régions"))
    def former_region_names(self, region: Region) -> str:
        return ", ".join(former.name for former in region.former_regions.all())


@admin.register(FormerRegion)
class FormerRegionAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "region", "departments"]
    list_filter = ["region"]
    list_select_related = ["region"]
    search_fields = ["name", "code", "departments"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["region"]


@admin.register(Commune)
class CommuneAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "postal_codes", "department", "region"]
    list_filter = ["region"]
    list_select_related = ["region"]
    search_fields = ["name", "=code", "postal_codes"]
    show_full_result_count = False


@admin.register(Sector)
class SectorAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Objective)
class ObjectiveAdmin(admin.ModelAdmin):
    list_display = ["position", "label", "code"]
    ordering = ["position"]
    search_fields = ["code"]

    @admin.display(description=_("objectif"))
    def label(self, objective: Objective) -> str:
        return str(objective)


@admin.register(SourceDocument)
class SourceDocumentAdmin(admin.ModelAdmin):
    list_display = ["title", "publisher", "published_on", "filename"]
    search_fields = ["title", "publisher", "key"]
    date_hierarchy = "published_on"


class MembershipInline(admin.TabularInline):
    model = Membership
    fields = ["organisation", "role", "joined_on", "left_on"]
    autocomplete_fields = ["organisation"]
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("organisation")


class ApplicationInline(admin.TabularInline):
    model = Application
    fk_name = "pole"
    fields = ["call", "outcome", "track", "former_region", "region_name_then"]
    autocomplete_fields = ["call", "former_region"]
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("call", "former_region")


class CallOutcomeFilter(admin.SimpleListFilter):
    """ "Laureates of the 2013 call" and the like: one choice per call and outcome."""

    title = _("résultat à un appel")
    parameter_name = "call_outcome"

    def lookups(self, request, model_admin):
        choices = []
        for call in Call.objects.order_by("-year", "title"):
            for outcome, label in Application.Outcome.choices:
                choices.append((f"{call.pk}:{outcome}", f"{label} — {call.title}"))
        return choices

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        call_id, _sep, outcome = self.value().partition(":")
        if not call_id.isdigit() or outcome not in Application.Outcome.values:
            return queryset.none()
        return queryset.filter(
            pk__in=Application.objects.filter(call_id=call_id, outcome=outcome).values("pole_id")
        )


POLE_CSV_HEADER = [
    _("nom"),
    _("identifiant"),
    _("statut"),
    _("pôle témoin"),
    _("région"),
    _("commune"),
    _("code commune"),
    _("secteurs"),
    _("lauréat de"),
    _("site web"),
    _("e-mail"),
    _("publié"),
    _("mis à jour le"),
]


@admin.register(Pole)
class PoleAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "region",
        "status",
        "is_witness",
        "is_published",
        "member_count",
        "updated_at",
    ]
    list_filter = [
        "is_published",
        "status",
        "is_witness",
        CallOutcomeFilter,
        "region",
        "sectors",
    ]
    list_select_related = ["region"]
    search_fields = ["name", "slug", "territory", "commune_name", "commune_code"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["region", "sectors", "sources"]
    filter_horizontal = ["objectives", "leaders"]
    date_hierarchy = "updated_at"
    readonly_fields = ["created_at", "updated_at", "version", "change_summary", "point_on_map"]
    inlines = [MembershipInline, ApplicationInline]
    actions = ["publish", "unpublish", "export_csv"]
    list_per_page = 50
    fieldsets = [
        (None, {"fields": ["name", "slug", "summary", "description", "status", "is_witness"]}),
        (
            _("Territoire"),
            {
                "fields": [
                    "territory",
                    "commune_code",
                    "commune_name",
                    "region",
                    ("latitude", "longitude"),
                    "point_on_map",
                ],
                "description": _(
                    "Le code commune suffit : le nom, la région et le point sont repris du "
                    "référentiel des communes (le point reste modifiable)."
                ),
            },
        ),
        (_("Activités"), {"fields": ["sectors", "objectives", "founded_year"]}),
        (_("Contact public"), {"fields": ["website", "contact_email", "contact_phone"]}),
        (_("Démarche"), {"fields": ["charter_signed_on", "sources"]}),
        (_("Publication"), {"fields": ["is_published"]}),
        (
            _("Porteurs"),
            {
                "fields": ["leaders"],
                "description": _(
                    "Les comptes qui mettent à jour la fiche depuis l'espace des porteurs."
                ),
            },
        ),
        (
            _("Historique des modifications"),
            {"fields": ["change_summary", ("created_at", "updated_at", "version")]},
        ),
    ]

    class Media:
        css = {"all": ["leaflet/leaflet.css", "css/admin.css"]}
        js = ["leaflet/leaflet.js", "js/admin-point.js"]

    def get_queryset(self, request):
        return super().get_queryset(request).with_member_count()

    @admin.display(description=_("point sur la carte"))
    def point_on_map(self, pole: Pole) -> str:
        return format_html(
            '<div id="pole-point-map" class="admin-point-map" data-tiles="{}" '
            'data-attribution="{}"></div><p class="help">{}</p>',
            settings.MAP_TILES_URL,
            settings.MAP_TILES_ATTRIBUTION,
            gettext(
                "Cliquez sur la carte pour placer le pôle : la latitude et la longitude se "
                "remplissent. Changer de commune replace le point sur la commune."
            ),
        )

    @admin.display(description=_("membres"), ordering="member_count")
    def member_count(self, pole: Pole) -> int:
        return pole.member_count

    @admin.display(description=_("qui a changé quoi, et quand"))
    def change_summary(self, pole: Pole) -> str:
        if not pole.pk:
            return gettext("Aucune modification pour l'instant.")
        entries = (
            LogEntry.objects.filter(
                content_type=ContentType.objects.get_for_model(Pole), object_id=str(pole.pk)
            )
            .select_related("user")
            .order_by("-action_time")[:10]
        )
        if not entries:
            return gettext("Aucune modification enregistrée dans l'administration.")
        rows = (
            (
                timezone.localtime(entry.action_time).strftime("%d/%m/%Y %H:%M"),
                entry.user.get_username(),
                entry.get_change_message() or gettext("Modification"),
            )
            for entry in entries
        )
        return format_html("<ul>{}</ul>", format_html_join("", "<li>{} — {} : {}</li>", rows))

    def _set_published(self, request, queryset, published: bool) -> None:
        changing = list(queryset.exclude(is_published=published).order_by())
        Pole.objects.filter(pk__in=[p.pk for p in changing]).bump_version(is_published=published)
        log_changes(request.user, changing, ["is_published"])
        if published:
            text = ngettext("%(count)d pôle publié.", "%(count)d pôles publiés.", len(changing))
        else:
            text = ngettext(
                "%(count)d pôle retiré du site public.",
                "%(count)d pôles retirés du site public.",
                len(changing),
            )
        self.message_user(request, text % {"count": len(changing)}, messages.SUCCESS)

    @admin.action(description=_("Publier les pôles sélectionnés"), permissions=["change"])
    def publish(self, request, queryset):
        self._set_published(request, queryset, True)

    @admin.action(
        description=_("Retirer du site public les pôles sélectionnés"), permissions=["change"]
    )
    def unpublish(self, request, queryset):
        self._set_published(request, queryset, False)

    @admin.action(description=_("Exporter la sélection en CSV"), permissions=["view"])
    def export_csv(self, request, queryset):
        laureates = Application.objects.laureates().select_related("call")
        poles = queryset.select_related("region").prefetch_related(
            "sectors",
            Prefetch("applications", queryset=laureates, to_attr="laureate_applications"),
        )
        rows = (
            [
                pole.name,
                pole.slug,
                pole.get_status_display(),
                yes_no(pole.is_witness),
                pole.region.name if pole.region else "",
                pole.commune_name,
                pole.commune_code,
                ", ".join(sector.name for sector in pole.sectors.all()),
                ", ".join(a.call.title for a in pole.laureate_applications),
                pole.website,
                pole.contact_email,
                yes_no(pole.is_published),
                timezone.localtime(pole.updated_at).strftime("%Y-%m-%d %H:%M"),
            ]
            for pole in poles
        )
        return csv_response(dated_filename("poles"), POLE_CSV_HEADER, rows)
