"""The registry's public pages: home, directory (+ CSV and GeoJSON exports), pole and region
pages, and the map page (its data comes from ``api.py``)."""

from __future__ import annotations

import json
from itertools import groupby

from django.db.models import Count, Exists, OuterRef, Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from calls.models import Application, Call
from members.models import Membership, Organisation
from ptce_site.cache import cache_public_page
from ptce_site.exports import csv_response, dated_filename, yes_no
from ptce_site.links import absolute_url
from ptce_site.pagination import paginate

from ..territories.models import FormerRegion, Region
from .api import GEOJSON, RegionCounts, map_filterset, pole_features, requested_level
from .filters import PoleFilterSet
from .models import Pole
from .search import unaccent

PER_PAGE = 20


def _directory_filterset(request: HttpRequest) -> PoleFilterSet:
    return PoleFilterSet(request.GET or None, queryset=Pole.objects.published())


@require_safe
@cache_public_page()
def home(request: HttpRequest) -> HttpResponse:
    published = Pole.objects.published()
    # EXISTS rather than a join with COUNT(DISTINCT): 2.5 times faster at 300,000 memberships.
    current = Membership.objects.filter(
        organisation=OuterRef("pk"), left_on__isnull=True, pole__is_published=True
    )
    members_by_kind = dict(
        Organisation.objects.filter(Exists(current))
        .values_list("kind")
        .annotate(count=Count("pk"))
        .order_by()
    )
    context = {
        "pole_count": published.count(),
        "region_count": published.exclude(region=None).values("region").distinct().count(),
        "members_by_kind": [
            (label, members_by_kind[kind])
            for kind, label in Organisation.Kind.choices
            if members_by_kind.get(kind)
        ],
        "calls": Call.objects.annotate(
            published_laureates=Count(
                "applications",
                filter=Q(
                    applications__outcome=Application.Outcome.LAUREATE,
                    applications__pole__is_published=True,
                ),
            )
        ).order_by("-year", "title"),
        "recent_poles": published.for_cards().order_by("-updated_at", "name")[:6],
        "filter": PoleFilterSet(queryset=Pole.objects.none()),
    }
    return render(request, "poles/home.html", context)


@require_safe
@cache_public_page(PoleFilterSet, "page")
def pole_list(request: HttpRequest) -> HttpResponse:
    filterset = _directory_filterset(request)
    pagination = paginate(request, filterset.qs.for_cards(), PER_PAGE)
    context = {
        "filter": filterset,
        "chips": filterset.active_filters(),
        "ignored": filterset.ignored_filters(),
        "query_string": request.GET.urlencode(),
        **pagination.context(),
    }
    return render(request, "poles/pole_list.html", context)


CSV_COLUMNS = [
    gettext_lazy("nom"),
    gettext_lazy("adresse"),
    gettext_lazy("statut"),
    gettext_lazy("pôle témoin"),
    gettext_lazy("région"),
    gettext_lazy("territoire"),
    gettext_lazy("commune"),
    gettext_lazy("code commune"),
    gettext_lazy("secteurs"),
    gettext_lazy("lauréat de"),
    gettext_lazy("année de création"),
    gettext_lazy("signature de la charte"),
    gettext_lazy("site web"),
    gettext_lazy("e-mail"),
    gettext_lazy("téléphone"),
    gettext_lazy("latitude"),
    gettext_lazy("longitude"),
    gettext_lazy("mis à jour le"),
]


@require_safe
def pole_export_csv(request: HttpRequest) -> HttpResponse:
    """The directory's current result set as CSV: UTF-8 with BOM, ';' (or ``?sep=,``)."""
    filterset = _directory_filterset(request)
    delimiter = "," if request.GET.get("sep") == "," else ";"
    rows = (
        [
            pole.name,
            absolute_url(pole.get_absolute_url()),
            pole.get_status_display(),
            yes_no(pole.is_witness),
            pole.region.name if pole.region else "",
            pole.territory,
            pole.commune_name,
            pole.commune_code,
            ", ".join(sector.name for sector in pole.sectors.all()),
            ", ".join(a.call.title for a in pole.laureate_applications),
            pole.founded_year or "",
            pole.charter_signed_on.isoformat() if pole.charter_signed_on else "",
            pole.website,
            pole.contact_email,
            pole.contact_phone,
            pole.latitude if pole.latitude is not None else "",
            pole.longitude if pole.longitude is not None else "",
            timezone.localtime(pole.updated_at).strftime("%Y-%m-%d %H:%M"),
        ]
        for pole in filterset.qs.for_cards().iterator(chunk_size=500)
    )
    return csv_response(dated_filename("poles-ptce"), CSV_COLUMNS, rows, delimiter=delimiter)


@require_safe
def pole_export_geojson(request: HttpRequest) -> HttpResponse:
    filterset = _directory_filterset(request)
    collection = {"type": "FeatureCollection", "features": pole_features(request, filterset.qs)}
    response = HttpResponse(json.dumps(collection, ensure_ascii=False), content_type=GEOJSON)
    filename = dated_filename("poles-ptce", "geojson")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _members_by_kind(memberships) -> list[dict]:
    """Current memberships grouped by kind of organisation, one entry per organisation."""
    kinds = dict(Organisation.Kind.choices)
    order = {kind: position for position, kind in enumerate(kinds)}
    rows = sorted(
        memberships, key=lambda m: (order[m.organisation.kind], m.organisation.name.lower())
    )
    groups = []
    for kind, in_kind in groupby(rows, key=lambda m: m.organisation.kind):
        organisations = []
        for organisation, of_org in groupby(in_kind, key=lambda m: m.organisation):
            organisations.append(
                {"organisation": organisation, "roles": [m.get_role_display() for m in of_org]}
            )
        groups.append({"kind": kinds[kind], "organisations": organisations})
    return groups


@require_safe
@cache_public_page()
def pole_detail(request: HttpRequest, slug: str) -> HttpResponse:
    pole = get_object_or_404(Pole.objects.published().for_detail(), slug=slug)
    current = [m for m in pole.all_memberships if m.is_current]
    former_regions = {a.former_region for a in pole.all_applications if a.former_region}
    if not former_regions and pole.region and pole.commune_code:
        department = (
            pole.commune_code[:3] if pole.commune_code.startswith("97") else (pole.commune_code[:2])
        )
        former_regions = {
            fr for fr in pole.region.former_regions.all() if department in fr.department_codes
        }
    context = {
        "pole": pole,
        "member_groups": _members_by_kind(current),
        "former_members": [m for m in pole.all_memberships if not m.is_current],
        "applications": pole.all_applications,
        "laureate_calls": [a.call for a in pole.all_applications if a.is_laureate],
        "former_regions": sorted(former_regions, key=lambda fr: fr.name),
    }
    return render(request, "poles/pole_detail.html", context)


def _regions_with_counts():
    return Region.objects.annotate(
        pole_count=Count("poles", filter=Q(poles__is_published=True), distinct=True),
        laureate_count=Count(
            "poles",
            filter=Q(
                poles__is_published=True,
                poles__applications__outcome=Application.Outcome.LAUREATE,
            ),
            distinct=True,
        ),
    )


@require_safe
@cache_public_page()
def region_list(request: HttpRequest) -> HttpResponse:
    regions = sorted(
        _regions_with_counts()
        .defer("geometry")
        .prefetch_related(Prefetch("former_regions", FormerRegion.objects.defer("geometry"))),
        key=lambda region: unaccent(region.name).lower(),
    )
    return render(request, "poles/region_list.html", {"regions": regions})


@require_safe
@cache_public_page("page")
def region_detail(request: HttpRequest, slug: str) -> HttpResponse:
    region = get_object_or_404(
        _regions_with_counts()
        .defer("geometry")
        .prefetch_related(Prefetch("former_regions", FormerRegion.objects.defer("geometry"))),
        slug=slug,
    )
    poles = (
        Pole.objects.published().in_region(region).for_cards()
        .order_by("name")
    )
    laureates = (
        Application.objects.laureates()
        .filter(pole__region=region, pole__is_published=True)
        .select_related("call", "pole", "former_region")
        .defer("former_region__geometry")
        .order_by("-call__year", "call__title", "pole__name")
    )
    calls = [
        {"call": call, "applications": list(applications)}
        for call, applications in groupby(laureates, key=lambda a: a.call)
    ]
    context = {"region": region, "laureates_by_call": calls, **paginate(request, poles).context()}
    return render(request, "poles/region_detail.html", context)


@require_safe
@cache_public_page(PoleFilterSet, level=("current", "former"), metric=("poles", "laureates"))
def map_page(request: HttpRequest) -> HttpResponse:
    """The map of laureates by region, with the same figures as a table (works without JS)."""
    level = requested_level(request)
    if level is None:
        level = "current"
    filterset = map_filterset(request)
    metric = "poles" if request.GET.get("metric") == "poles" else "laureates"
    query = request.GET.copy()
    query["level"] = level
    context = {
        "filter": filterset,
        "level": level,
        "metric": metric,
        "rows": RegionCounts(filterset, level).rows(),
        "ignored": filterset.ignored_filters(),
        "api_query": query.urlencode(),
        "chosen_call": filterset.cleaned("call"),
        "overseas": [(r.code, r.name) for r in Region.objects.filter(code__lt="10")],
        "api_url": reverse("poles:api-index"),
        "map_strings": map_strings(metric),
    }
    return render(request, "poles/map.html", context)


def map_strings(metric: str = "laureates") -> dict:
    """The words the map's script shows, translated here (the script holds no text)."""
    return {
        "laureates": _("lauréats"),
        "poles": _("pôles"),
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
    }
