"""Curation of regions, sectors, source documents and poles by network staff."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Prefetch
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from calls.models import Application, Call
from members.models import Membership
from ptce_site.admin_site import RelatedKeysMixin, TabularInline
from ptce_site.admin_utils import HistoryAdmin, NameListFilter, log_changes
from ptce_site.exports import csv_response, dated_filename, yes_no

# Also registers the claim requests' and invitations' admins.
from .admin_leadership import InviteLeaderMixin
from .history import describe, recent_changes
from .models import Commune, FormerRegion, Objective, Pole, Region, Sector, SourceDocument
from .uploads import LogoField, delete_replaced_file, logo_img


class FormerRegionInline(TabularInline):
    model = FormerRegion
    fields = ["code", "name", "slug", "departments"]
    prepopulated_fields = {"slug": ["name"]}
    extra = 0
    show_change_link = True

    def get_queryset(self, request):
        return super().get_queryset(request).defer("geometry")


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "former_region_names", "pole_count"]
    search_fields = ["name", "code", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [FormerRegionInline]
    ordering = ["name"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .defer("geometry")
            .annotate(pole_count=Count("poles", distinct=True))
            .prefetch_related(Prefetch("former_regions", FormerRegion.objects.defer("geometry")))
        )

    @admin.display(description=_("anciennes régions"))
    def former_region_names(self, region: Region) -> str:
        return ", ".join(former.name for former in region.former_regions.all())

    @admin.display(description=_("pôles"), ordering="pole_count")
    def pole_count(self, region: Region) -> int:
        return region.pole_count


@admin.register(FormerRegion)
class FormerRegionAdmin(RelatedKeysMixin, admin.ModelAdmin):
    list_display = ["name", "code", "region", "departments"]
    list_filter = [("region", NameListFilter)]
    list_select_related = ["region"]
    search_fields = ["name", "code", "departments"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["region"]

    def get_queryset(self, request):
        # The outlines are edited by the seed data loader, never here: leave them in the table.
        return (
            super()
            .get_queryset(request)
            .select_related("region")
            .defer("geometry", "region__geometry")
        )


@admin.register(Commune)
class CommuneAdmin(admin.ModelAdmin):
    """Reference data loaded with the seed data: curators only read it."""

    list_display = ["name", "code", "postal_codes", "department", "region"]
    list_filter = [("region", NameListFilter)]
    list_select_related = ["region"]
    search_fields = ["name", "=code", "postal_codes"]
    # 35,000 rows: counting them all on every filtered page is wasted work.
    show_full_result_count = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("region").defer("region__geometry")


@admin.register(Sector)
class SectorAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "pole_count"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(pole_count=Count("poles", distinct=True))

    @admin.display(description=_("pôles"), ordering="pole_count")
    def pole_count(self, sector: Sector) -> int:
        return sector.pole_count


@admin.register(Objective)
class ObjectiveAdmin(admin.ModelAdmin):
    """The eight objectives are fixed by a migration: nobody adds or deletes one here."""

    list_display = ["position", "label", "pole_count"]
    list_display_links = ["label"]
    ordering = ["position"]
    search_fields = ["code"]
    readonly_fields = ["code", "position"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(pole_count=Count("poles", distinct=True))

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description=_("objectif"), ordering="position")
    def label(self, objective: Objective) -> str:
        return str(objective)

    @admin.display(description=_("pôles"), ordering="pole_count")
    def pole_count(self, objective: Objective) -> int:
        return objective.pole_count


@admin.register(SourceDocument)
class SourceDocumentAdmin(admin.ModelAdmin):
    list_display = ["title", "publisher", "published_on", "filename", "key"]
    list_filter = ["publisher"]
    search_fields = ["title", "publisher", "key", "filename"]
    prepopulated_fields = {"key": ["title"]}
    date_hierarchy = "published_on"


class MembershipInline(TabularInline):
    model = Membership
    fields = ["organisation", "role", "joined_on", "left_on"]
    autocomplete_fields = ["organisation"]
    extra = 0

    def get_queryset(self, request):
        # Each row is titled by str(membership), which names the pole and the organisation.
        return super().get_queryset(request).select_related("organisation", "pole")


class ApplicationInline(TabularInline):
    model = Application
    fk_name = "pole"
    fields = ["call", "outcome", "track", "former_region", "region_name_then"]
    autocomplete_fields = ["call", "former_region"]
    extra = 0

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("call", "former_region")
            .defer("former_region__geometry")
            .order_by("call__year", "call__title")
        )


class CallOutcomeFilter(admin.SimpleListFilter):
    """Choices such as « Lauréat — Appel à projets 2013 »: one per call and outcome, so that
    both conditions hold for the same application."""

    title = _("résultat à un appel")
    parameter_name = "call_outcome"

    def lookups(self, request, model_admin):
        choices = []
        for call in Call.objects.order_by("-year", "title").only("pk", "title"):
            for outcome, label in Application.Outcome.choices:
                choices.append(
                    (
                        f"{call.pk}:{outcome}",
                        gettext("%(outcome)s — %(call)s") % {"outcome": label, "call": call.title},
                    )
                )
        return choices

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        call_id, _sep, outcome = self.value().partition(":")
        is_key = call_id.isascii() and call_id.isdigit()  # str.isdigit() accepts "²", "①"
        if not is_key or outcome not in Application.Outcome.values:
            return queryset.none()
        return queryset.filter(  # call__pk: nothing, not an overflow, for a number too large
            pk__in=Application.objects.filter(call__pk=call_id, outcome=outcome).values("pole_id")
        )


class PoleAdminForm(forms.ModelForm):
    """The admin's pole form, with the optimistic lock the leaders' space has too.

    ``loaded_version`` carries the version the curator opened; if the pole was saved since
    (by a leader, another curator or a publish action), saving is refused instead of silently
    overwriting, and a second save knowingly replaces the other change.
    """

    loaded_version = forms.IntegerField(
        label=_("version ouverte"), widget=forms.HiddenInput, required=False
    )
    # The same checks and re-encoding as in the leaders' space.
    logo = LogoField(
        label=_("logo"), required=False, help_text=Pole._meta.get_field("logo").help_text
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None and not self.is_bound:
            # The version in the database, not the instance's: a revert from the history
            # opens an old version of the pole, whose own version number is long past.
            self.initial.setdefault(
                "loaded_version",
                Pole.objects.filter(pk=self.instance.pk).values_list("version", flat=True).first(),
            )

    @property
    def changed_data(self) -> list[str]:
        # The version marker is bookkeeping, not a change to the pole.
        return [name for name in super().changed_data if name != "loaded_version"]

    def clean(self):
        cleaned_data = super().clean()
        if self.instance.pk is None or self.instance._state.adding:
            return cleaned_data
        current = Pole.objects.filter(pk=self.instance.pk)
        # The admin saves inside a transaction: lock the row until the save (PostgreSQL).
        if transaction.get_connection().in_atomic_block:
            current = current.select_for_update()
        current_version = current.values_list("version", flat=True).first()
        if current_version is not None and cleaned_data.get("loaded_version") != current_version:
            # Re-displayed with the current version, the form's next save replaces the change.
            self.data = self.data.copy()
            self.data[self.add_prefix("loaded_version")] = str(current_version)
            raise ValidationError(
                _(
                    "Ce pôle a été modifié par ailleurs pendant que vous l'éditiez (il en est "
                    "maintenant à la version %(version)s). Vos saisies sont conservées : "
                    "consultez l'historique, puis enregistrez à nouveau pour remplacer "
                    "l'autre modification."
                ),
                code="stale_version",
                params={"version": current_version},
            )
        # Count on from the current version (a reverted old version carries its own number).
        if current_version is not None:
            self.instance.version = current_version
        return cleaned_data


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

HISTORY_FIELDSET = (
    _("Suivi des modifications"),
    {"fields": ["change_summary", ("created_at", "updated_at", "version")]},
)


@admin.register(Pole)
class PoleAdmin(RelatedKeysMixin, InviteLeaderMixin, HistoryAdmin):
    form = PoleAdminForm
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
        ("region", NameListFilter),
        "sectors",
    ]
    list_select_related = ["region"]
    search_fields = ["name", "slug", "territory", "commune_name", "=commune_code"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["region", "sectors", "sources"]
    filter_horizontal = ["objectives", "leaders"]
    date_hierarchy = "updated_at"
    readonly_fields = [
        "created_at",
        "updated_at",
        "version",
        "change_summary",
        "point_on_map",
        "logo_preview",
    ]
    inlines = [MembershipInline, ApplicationInline]
    actions = ["publish", "unpublish", "export_csv"]
    list_per_page = 50
    fieldsets = [
        (
            _("Identité"),
            {
                "fields": [
                    "name",
                    "slug",
                    "summary",
                    "description",
                    ("status", "is_witness"),
                    "loaded_version",
                ]
            },
        ),
        (
            _("Territoire"),
            {
                "fields": [
                    "territory",
                    ("commune_code", "commune_name"),
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
        (_("Logo"), {"fields": ["logo", "logo_preview"]}),
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
        (_("Démarche et sources"), {"fields": ["charter_signed_on", "sources"]}),
        HISTORY_FIELDSET,
    ]

    class Media:
        css = {"all": ["leaflet/leaflet.css", "css/admin.css"]}
        js = ["leaflet/leaflet.js", "js/admin-point.js"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .with_member_count()
            .select_related("region")
            .defer("region__geometry")
        )

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None:  # a new pole has no history yet
            return [fieldset for fieldset in fieldsets if fieldset is not HISTORY_FIELDSET]
        return fieldsets

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

    def set_history_delta_changes(self, request, historical_records, foreign_keys_are_objs=True):
        """The changes of each listed version, from ``poles.history`` (a constant number of
        queries, with readable values) instead of one diff per version and many-to-many field."""
        records = list(historical_records)
        changes = {
            change.history_id: change
            for change in describe(
                Pole.history.filter(history_id__in=[record.history_id for record in records]),
                Membership.history.none(),
                limit=None,
            )
        }
        for record in records:
            change = changes.get(record.history_id)
            record.history_delta_changes = [
                {"field": field.label, "old": field.before, "new": field.after}
                for field in (change.fields if change else [])
            ]

    @admin.display(description=_("aperçu du logo"))
    def logo_preview(self, pole: Pole) -> str:
        return logo_img(pole.logo, gettext("Logo de %(name)s") % {"name": pole.name}) or "—"

    def save_model(self, request, obj, form, change):
        old_logo = Pole.objects.filter(pk=obj.pk).values_list("logo", flat=True).first() or ""
        # Replaced logos are deleted: an old version restored from the history may name a file
        # that is gone, and then keeps the current logo instead of a broken image.
        if obj.logo and obj.logo._committed and not obj.logo.storage.exists(obj.logo.name):
            obj.logo = old_logo
        super().save_model(request, obj, form, change)
        delete_replaced_file(obj.logo.storage, old_logo, obj.logo.name)

    @admin.display(description=_("membres"), ordering="member_count")
    def member_count(self, pole: Pole) -> int:
        return pole.member_count

    @admin.display(description=_("historique des modifications"))
    def change_summary(self, pole: Pole) -> str:
        """The last ten changes to the pole and its memberships, from the admin, the leaders'
        space or code: when, who, which fields from what to what, and a link to revert."""
        if pole.pk is None:
            return gettext("Aucune modification pour l'instant.")
        changes = recent_changes(pole, limit=10)
        if not changes:
            return gettext("Aucune modification enregistrée.")
        items = []
        for change in changes:
            fields = format_html_join(
                "", "<li>{} : {} → {}</li>", ((f.label, f.before, f.after) for f in change.fields)
            )
            revert = ""
            if change.kind == "pole" and change.action == "~":
                revert = format_html(
                    ' <a href="{}">{}</a>',
                    reverse("admin:poles_pole_simple_history", args=[pole.pk, change.history_id]),
                    gettext("voir ou rétablir cette version"),
                )
            items.append(
                format_html(
                    "<li><time>{}</time> — {} : {}{}<ul>{}</ul></li>",
                    formats.date_format(timezone.localtime(change.when), "SHORT_DATETIME_FORMAT"),
                    change.who_for_staff,
                    change.description,
                    revert,
                    fields,
                )
            )
        return format_html(
            '<ul class="change-summary">{}</ul><p><a href="{}">{}</a></p>',
            format_html_join("", "{}", ((item,) for item in items)),
            reverse("admin:poles_pole_history", args=[pole.pk]),
            gettext("Tout l'historique"),
        )

    def _set_published(self, request, queryset, published: bool) -> None:
        selected = queryset.count()
        with transaction.atomic():
            changing = list(queryset.exclude(is_published=published).order_by())
            changed = Pole.objects.filter(pk__in=[pole.pk for pole in changing])
            changed.bump_version(is_published=published)
            log_changes(request.user, changing, ["is_published"])
            # The bulk update bypasses save(): record the new versions in the history too.
            Pole.history.bulk_history_create(
                list(changed.order_by()), update=True, default_user=request.user
            )
        count = len(changing)
        if published:
            text = ngettext("%(count)d pôle publié.", "%(count)d pôles publiés.", count)
            unchanged = ngettext(
                "%(count)d l'était déjà.", "%(count)d l'étaient déjà.", selected - count
            )
        else:
            text = ngettext(
                "%(count)d pôle retiré du site public.",
                "%(count)d pôles retirés du site public.",
                count,
            )
            unchanged = ngettext(
                "%(count)d n'était pas publié.",
                "%(count)d n'étaient pas publiés.",
                selected - count,
            )
        text = text % {"count": count}
        if selected > count:
            text = f"{text} {unchanged % {'count': selected - count}}"
        self.message_user(request, text, messages.SUCCESS if count else messages.WARNING)

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
        laureates = Application.objects.laureates().select_related("call").order_by("call__year")
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
        return csv_response(dated_filename("poles-ptce-selection"), POLE_CSV_HEADER, rows)
