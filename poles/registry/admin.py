"""Curation of the registry by network staff: sectors, objectives, source documents, and the
base of the poles' admin.

``PoleAdmin`` here is the registry's part of the pole's page: lists, filters, inlines, the
territory with its map, publishing and the CSV export. The admin registered for poles is
composed in ``poles/admin.py`` from it and the leadership's parts (leaders and invitations,
logo, history of changes, guard against concurrent edits).
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.db import transaction
from django.db.models import Count, Q
from django.template.loader import render_to_string
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin

from calls.models import Application, Call
from members.models import Membership
from ptce_site.admin_site import RelatedKeysMixin, TabularInline
from ptce_site.admin_utils import FrenchSortingAdmin, HistoryAdmin, NameListFilter, log_changes
from ptce_site.collation import french
from ptce_site.import_admin import RegistryImportExportMixin
from ptce_site.scope import scope

from .charter.admin import PoleSignatureInline
from .models import Objective, Pole, Sector, SourceDocument
from .provenance import changes_content, mark_content_changed
from .resources import PoleResource


def counted_poles(request) -> Count:
    """How many poles a row holds, among those the account sees (a regional curator's)."""
    if not scope().limited(request.user):
        return Count("poles", distinct=True)
    poles = scope().visible(Pole.objects.all(), request.user).values("pk")
    return Count("poles", filter=Q(poles__in=poles), distinct=True)


@admin.register(Sector)
class SectorAdmin(FrenchSortingAdmin, TranslationAdmin):
    list_display = ["name", "slug", "pole_count"]
    search_fields = ["name_fr", "name_en", "slug"]
    prepopulated_fields = {"slug": ["name_fr"]}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(pole_count=counted_poles(request))

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
        return super().get_queryset(request).annotate(pole_count=counted_poles(request))

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
class SourceDocumentAdmin(FrenchSortingAdmin, TranslationAdmin):
    list_display = ["title", "publisher", "published_on", "filename", "key"]
    list_filter = ["publisher"]
    search_fields = ["title_fr", "title_en", "publisher", "key", "filename"]
    prepopulated_fields = {"key": ["title_fr"]}
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
            .order_by("call__year", french("call__title"))
        )


class CallOutcomeFilter(admin.SimpleListFilter):
    """Choices such as « Lauréat — Appel à projets 2013 »: one per call and outcome, so that
    both conditions hold for the same application."""

    title = _("résultat à un appel")
    parameter_name = "call_outcome"

    def lookups(self, request, model_admin):
        choices = []
        for call in Call.objects.order_by("-year", french("title")).only("pk", "title"):
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



# The sections of the pole's page, named so that the composed admin (poles/admin.py) lays
# the leadership's sections out between them.
IDENTITY_FIELDS = ["name", "slug", "summary", "description", ("status", "is_witness")]
TERRITORY_FIELDSET = (
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
)
ACTIVITIES_FIELDSET = (_("Activités"), {"fields": ["sectors", "objectives", "founded_year"]})
CONTACT_FIELDSET = (
    _("Contact public"),
    {"fields": ["website", "contact_email", "contact_phone"]},
)
PUBLICATION_FIELDSET = (_("Publication"), {"fields": ["is_published"]})
# The pole's signature of the charter is an inline of its own (``PoleSignatureInline``).
SOURCES_FIELDSET = (_("Sources"), {"fields": ["sources"]})
# The title of the section a new pole does not show (it has no history yet).
HISTORY_TITLE = _("Suivi des modifications")
TIMESTAMP_FIELDS = ("created_at", "updated_at", "version")


class PoleAdmin(FrenchSortingAdmin, RegistryImportExportMixin, RelatedKeysMixin, HistoryAdmin):
    resource_classes = [PoleResource]
    export_stem = "poles-ptce"
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
    filter_horizontal = ["objectives"]
    date_hierarchy = "updated_at"
    readonly_fields = [*TIMESTAMP_FIELDS, "point_on_map"]
    inlines = [MembershipInline, ApplicationInline, PoleSignatureInline]
    actions = ["publish", "unpublish", "export_csv"]
    list_per_page = 50
    fieldsets = [
        (_("Identité"), {"fields": IDENTITY_FIELDS}),
        TERRITORY_FIELDSET,
        ACTIVITIES_FIELDSET,
        CONTACT_FIELDSET,
        PUBLICATION_FIELDSET,
        SOURCES_FIELDSET,
        (HISTORY_TITLE, {"fields": [TIMESTAMP_FIELDS]}),
    ]

    class Media:
        # Leaflet and the point picker come with the map itself (point_on_map's template).
        css = {"all": ["css/admin.css"]}

    def get_queryset(self, request):
        # Ordered again: the member count groups the rows, and a grouped queryset loses the
        # model's default order (the autocomplete would page an unordered list).
        return (
            super()
            .get_queryset(request)
            .with_member_count()
            .select_related("region")
            .order_by(*Pole._meta.ordering)
        )

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None:  # a new pole has no history yet
            return [fieldset for fieldset in fieldsets if fieldset[0] is not HISTORY_TITLE]
        return fieldsets

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # A person changed what the page says: its « mis à jour » date (``provenance``).
        if changes_content(form.changed_data) or any(fs.has_changed() for fs in formsets):
            mark_content_changed(form.instance)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        """django-simple-history's revert saves without ``save_related``: the « mis à jour »
        date follows here when the revert changed what the page says."""
        pk = unquote(object_id)  # a malformed one is answered by a 404 in the parent
        history = Pole.history.order_by("history_id")
        posted = request.method == "POST" and pk.isascii() and pk.isdigit()
        before = history.filter(id=int(pk)).last() if posted else None
        response = super().history_form_view(request, object_id, version_id, extra_context)
        if before is not None and response.status_code == 302:
            after = history.filter(id=before.id).last()
            changed = after.diff_against(before).changed_fields if after != before else []
            if changes_content(set(changed) - {"updated_at"}):
                mark_content_changed([before.id])
        return response

    @admin.display(description=_("point sur la carte"))
    def point_on_map(self, pole: Pole) -> str:
        """django-leaflet's map with the point picker the leaders' space uses too."""
        return render_to_string("admin/poles/pole/point_map.html")

    @admin.display(description=_("membres"), ordering="member_count")
    def member_count(self, pole: Pole) -> int:
        return pole.member_count

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
        return self.export_csv_response(request, queryset, "poles-ptce-selection")
