"""The registry's public pages: home, directory (+ CSV and GeoJSON exports), pole and region
pages, and the map page (its data comes from ``api.py``)."""

from __future__ import annotations

import json
from itertools import groupby

from django.db.models import Count, Exists, OuterRef, prefetch_related_objects
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_safe

from calls.models import Application, Call
from members.models import Membership, Organisation, current_membership
from ptce_site.cache import cache_public_page
from ptce_site.collation import french, french_key
from ptce_site.exports import dated_filename
from ptce_site.pagination import paginate
from ptce_site.structured_data import json_ld
from ptce_site.typography import french_spacing, with_label

from ..territories.communes import commune_of_point
from ..territories.curators import curating_organisations
from ..territories.departments import former_region_of
from ..territories.models import Region
from .api import GEOJSON, RegionCounts, pole_collection, refused, requested_level
from .embeds import embed_code
from .exports import poles_csv
from .facet_sets import pole_sets
from .facets import PoleFacets
from .filters import PoleFilterSet
from .indicators.public import pole_trends
from .models import Pole
from .provenance import pole_provenance
from .querysets import charter_signatures_of
from .structured_data import pole_organization

PER_PAGE = 20


def members_of_published_poles_by_kind() -> dict[str, int]:
    """The organisations currently members of a published pole, counted by kind."""
    # EXISTS rather than a join with COUNT(DISTINCT): 2.5 times faster at 300,000 memberships.
    current = Membership.objects.filter(
        current_membership(), organisation=OuterRef("pk"), pole__is_published=True
    )
    return dict(
        Organisation.objects.filter(Exists(current))
        .values_list("kind")
        .annotate(count=Count("pk"))
        .order_by()
    )


def _with_published_laureates(sets, calls) -> list:
    """Each call with ``published_laureates``: its laureates among the published poles, read
    from the directory's sets (the poles of the filter "this call, laureate")."""
    calls = list(calls)
    for call in calls:
        laureates = sets.pairs.get((call.slug, Application.Outcome.LAUREATE), 0)
        call.published_laureates = laureates.bit_count()
    return calls


@require_safe
@cache_public_page()
def home(request: HttpRequest) -> HttpResponse:
    published = Pole.objects.published()
    sets = pole_sets()
    members_by_kind = sets.kept("members_by_kind", members_of_published_poles_by_kind)
    context = {
        "pole_count": len(sets.ids),
        "region_count": len(sets.options.get("region", {})),
        "members_by_kind": [
            # « 4 Non renseigné » would read as a kind: say what is unknown.
            (_("de type non renseigné") if kind == Organisation.Kind.NOT_KNOWN else label, count)
            for kind, label in Organisation.Kind.choices
            if (count := members_by_kind.get(kind))
        ],
        "calls": _with_published_laureates(sets, Call.objects.order_by("-year", french("title"))),
        # Changed by a person (``provenance.mark_content_changed``), not by the seed load.
        "recent_poles": published.for_cards()
        .filter(content_changed_at__isnull=False)
        .order_by("-content_changed_at", french("name"))[:6],
        "filter": PoleFilterSet(queryset=Pole.objects.none()),
    }
    return render(request, "poles/home.html", context)


@require_safe
@cache_public_page(PoleFilterSet, "page")
def pole_list(request: HttpRequest) -> HttpResponse:
    filterset = PoleFilterSet.for_request(request)
    facets = PoleFacets(filterset)
    filterset.show_counts(facets.counts())
    # Counted and ordered on the sets of the facets: only the page's poles are read.
    pagination = paginate(request, facets.results(filterset.queryset.for_cards()), PER_PAGE)
    context = {
        "filter": filterset,
        "chips": filterset.active_filters(),
        "ignored": filterset.ignored_filters(),
        # The exports refuse what the page ignores (``refused``): its links leave it out.
        "query_string": filterset.understood_query().urlencode(),
        "embed_code": embed_code(request, "poles:embed-directory", _("Annuaire des PTCE"), 640),
        **pagination.context(),
    }
    return render(request, "poles/pole_list.html", context)


@require_safe
def pole_export_csv(request: HttpRequest) -> HttpResponse:
    """The directory's current result set as CSV: UTF-8 with BOM, ';' (or ``?sep=,``)."""
    filterset = PoleFilterSet.for_request(request)
    if refusal := refused(filterset):
        return refusal
    delimiter = "," if request.GET.get("sep") == "," else ";"
    return poles_csv(dated_filename("poles-ptce"), filterset.qs, delimiter=delimiter)


@require_safe
def pole_export_geojson(request: HttpRequest) -> HttpResponse:
    filterset = PoleFilterSet.for_request(request)
    if refusal := refused(filterset):
        return refusal
    collection = pole_collection(request, filterset)
    response = HttpResponse(json.dumps(collection, ensure_ascii=False), content_type=GEOJSON)
    filename = dated_filename("poles-ptce", "geojson")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _members_by_kind(memberships) -> list[dict]:
    """Current memberships grouped by kind of organisation, one entry per organisation."""
    kinds = dict(Organisation.Kind.choices)
    order = {kind: position for position, kind in enumerate(kinds)}
    rows = sorted(
        memberships, key=lambda m: (order[m.organisation.kind], french_key(m.organisation.name))
    )
    groups = []
    for kind, in_kind in groupby(rows, key=lambda m: m.organisation.kind):
        organisations = []
        for organisation, of_org in groupby(in_kind, key=lambda m: m.organisation):
            organisations.append(
                {"organisation": organisation, "roles": [m.get_role_display() for m in of_org]}
            )
        groups.append({"kind": Organisation.kind_name(kind), "organisations": organisations})
    return groups


@require_safe
@cache_public_page()
def pole_detail(request: HttpRequest, slug: str) -> HttpResponse:
    pole = get_object_or_404(
        Pole.objects.published().for_detail().with_page_parts_known(), slug=slug
    )
    current = [m for m in pole.all_memberships if m.is_current]
    former_regions = {a.former_region for a in pole.all_applications if a.former_region}
    if not former_regions and pole.region:
        former = former_region_of(pole.commune_code, pole.region.former_regions.all())
        former_regions = {former} if former else set()
    pole.charter_signature_list = charter_signatures_of(pole)
    context = {
        "pole": pole,
        "member_groups": _members_by_kind(current),
        "former_members": [m for m in pole.all_memberships if not m.is_current],
        "applications": pole.all_applications,
        # The chronology's events it took part in; its checked yearly indicators.
        "events": pole.events.in_date_order() if pole.has_events else (),
        "indicators": pole_trends(pole) if pole.has_checked_figures else None,
        "laureate_calls": [a.call for a in pole.all_applications if a.is_laureate],
        "former_regions": sorted(former_regions, key=lambda fr: french_key(fr.name)),
        "provenance": pole_provenance(pole, has_members=bool(current)),
        # Cooperation through shared members: the poles whose members are also this one's.
        "sharing_poles": Pole.objects.published().sharing_members_with(
            pole, {m.organisation_id for m in current}
        ),
        "json_ld": json_ld(pole_organization(pole)),
        # A point that is only its commune's: the map says it is approximate.
        "commune_point": commune_of_point(pole.commune_code, pole.latitude, pole.longitude),
    }
    return render(request, "poles/pole_detail.html", context)


@require_safe
@cache_public_page()
def region_list(request: HttpRequest) -> HttpResponse:
    # Counted as the map counts them, with the row of the poles no document places in a
    # region: the rows add up to the directory's number of poles.
    counts = RegionCounts(PoleFilterSet(None, queryset=Pole.objects.published()), "current")
    rows = counts.rows()
    prefetch_related_objects([row["region"] for row in rows], "former_regions")
    context = {"rows": rows, "unplaced": counts.unplaced(), "total": counts.totals()}
    return render(request, "poles/region_list.html", context)


@require_safe
@cache_public_page("page")
def region_detail(request: HttpRequest, slug: str) -> HttpResponse:
    region = get_object_or_404(Region.objects.prefetch_related("former_regions"), slug=slug)
    poles = (
        Pole.objects.published().in_region(region).for_cards()
        .order_by(french("name"))
    )
    laureates = (
        Application.objects.laureates()
        .filter(pole__region=region, pole__is_published=True)
        .select_related("call", "pole", "former_region")
        .order_by("-call__year", french("call__title"), french("pole__name"))
    )
    calls = [
        {"call": call, "applications": list(applications)}
        for call, applications in groupby(laureates, key=lambda a: a.call)
    ]
    pagination = paginate(request, poles)
    context = {
        "region": region,
        # Its figures from what the page reads already: the poles listed, the laureates.
        "pole_count": pagination.page_obj.paginator.count,
        "laureate_count": len({a.pole_id for c in calls for a in c["applications"]}),
        "laureates_by_call": calls,
        "curators": curating_organisations(region),  # organisations, never persons
        **pagination.context(),
    }
    return render(request, "poles/region_detail.html", context)


@require_safe
@cache_public_page(PoleFilterSet, level=("current", "former"), metric=("poles", "laureates"))
def map_page(request: HttpRequest) -> HttpResponse:
    """The map of laureates by region, with the same figures as a table (works without JS)."""
    context, _counts = map_figures(request)
    rows, level = context["rows"], context["level"]
    # The current regions' rows hold the regions already, in the same (French) order.
    regions = [row["region"] for row in rows] if level == "current" else Region.objects.all()
    context.update({
        "overseas": [(r.code, r.name) for r in regions if r.is_overseas],
        "api_url": reverse("poles:api-index"),
        "embed_code": embed_code(request, "poles:embed-map", _("Carte des PTCE"), 640),
    })
    return render(request, "poles/map.html", context)


def map_figures(request: HttpRequest) -> tuple[dict, RegionCounts]:
    """What the map page and the embedded map show alike: the filters, the level and metric
    asked, the figures by region (with their counts, for what each page adds) and the words
    of the map's script."""
    level = requested_level(request) or "current"
    filterset = PoleFilterSet.for_request(request)
    metric = "poles" if request.GET.get("metric") == "poles" else "laureates"
    query = filterset.understood_query()  # the files refuse what the page ignores
    query["level"] = level
    counts = RegionCounts(filterset, level)
    context = {
        "filter": filterset,
        "level": level,
        "metric": metric,
        "rows": counts.rows(),
        "unplaced": counts.unplaced(),
        "ignored": filterset.ignored_filters(),
        "api_query": query.urlencode(),
        "chosen_call": filterset.cleaned("call"),
        "map_strings": map_strings(metric),
    }
    return context, counts


def map_strings(metric: str = "laureates") -> dict:
    """The words the map's script shows, translated here (the script holds no text), spaced
    as the pages' text is (« Bretagne : 2 lauréats » does not break before its colon): the
    French spacing middleware leaves scripts alone."""
    return _spaced({
        "poles": _("pôles"),
        # A count with its noun, for 0, 1 and 2 or more (the cases French and English tell
        # apart: « 0 lauréat », "0 winners"); the script takes the form of min(count, 2).
        "counted": {
            "laureates": [ngettext("%(counter)s lauréat", "%(counter)s lauréats", n)
                          for n in (0, 1, 2)],
            "poles": [ngettext("%(counter)s pôle", "%(counter)s pôles", n) for n in (0, 1, 2)],
        },
        # « Bretagne : 2 lauréats », "Brittany: 2 winners": the language's punctuation.
        "labelled": with_label("%(label)s", "%(value)s"),
        "legend": _("Lauréats") if metric == "laureates" else _("Pôles"),
        "loading": _("Chargement…"),
        "none": _("Aucun pôle ne correspond dans cette région."),
        "directory": _("Voir ces pôles dans l'annuaire"),
        "witness": _("pôle témoin"),
        "laureate": _("lauréat en"),
        "error": _(
            "Les données de la carte n'ont pas pu être chargées ; le tableau ci-dessous "
            "donne les mêmes chiffres."
        ),
        "more": _("… et d'autres : voir l'annuaire."),
    })


def _spaced(words):
    """``words`` (texts, and lists and dicts of them) with French spacing."""
    if isinstance(words, dict):
        return {key: _spaced(value) for key, value in words.items()}
    if isinstance(words, list):
        return [_spaced(value) for value in words]
    return french_spacing(str(words))
