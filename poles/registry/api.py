"""Open data: GeoJSON of regions (with counts) and of poles, honouring the directory's filters.

Responses carry Cache-Control, Last-Modified and an ETag (set by ConditionalGetMiddleware
from the body), so that a client revalidating gets a 304; they are gzipped when the client
accepts it.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict

from django.db.models import Max
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import http_date
from django.utils.translation import gettext as _
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import require_safe

from calls.models import Application, Call
from ptce_site.cache import cache_public_page
from ptce_site.links import absolute_url
from ptce_site.search import unaccent

from ..territories.departments import department_of, former_regions_by_department
from ..territories.models import FormerRegion, Region
from .filters import PoleFilterSet
from .models import Pole

LEVELS = ("current", "former")
GEOJSON = "application/geo+json"


class RegionCounts:
    """Poles and laureates per region (current or former) for a filtered set of poles."""

    def __init__(self, filterset: PoleFilterSet, level: str):
        self.level = level
        self.call = filterset.cleaned("call")
        poles = filterset.qs.order_by()
        applications = Application.objects.filter(pole__in=poles.values("pk"))
        if self.call:
            applications = applications.filter(call=self.call)
        self.poles: Counter = Counter()
        self.laureates: Counter = Counter()
        if level == "current":
            for region_id in poles.values_list("region_id", flat=True):
                self.poles[region_id] += 1
            laureate_poles = applications.laureates().values("pole_id").distinct()
            for region_id in poles.filter(pk__in=laureate_poles).values_list(
                "region_id", flat=True
            ):
                self.laureates[region_id] += 1
            return
        # Former regions: the region named in the application (calls before 2016), else the
        # one that holds the pole's commune.
        by_department = former_regions_by_department(FormerRegion.objects.all())
        named: dict[int, set[int]] = defaultdict(set)
        won: dict[int, set[int]] = defaultdict(set)
        for pole_id, former_id, outcome in applications.values_list(
            "pole_id", "former_region_id", "outcome"
        ):
            if former_id:
                named[pole_id].add(former_id)
                if outcome == Application.Outcome.LAUREATE:
                    won[pole_id].add(former_id)
            elif outcome == Application.Outcome.LAUREATE:
                won.setdefault(pole_id, set())
        for pole_id, commune_code in poles.values_list("pk", "commune_code"):
            regions = set(named.get(pole_id, ()))
            if not regions and (former := by_department.get(department_of(commune_code))):
                regions = {former.pk}
            for former_id in regions:
                self.poles[former_id] += 1
            if pole_id in won:
                for former_id in won[pole_id] or regions:
                    self.laureates[former_id] += 1

    def rows(self, *, outlines: bool = False) -> list[dict]:
        """One row per region, in name order, for the GeoJSON and the accessible table (the
        outlines, in their own table, joined only when ``outlines`` asks for them)."""
        if self.level == "current":
            regions = Region.objects.order_by("name")
        else:
            regions = FormerRegion.objects.select_related("region").order_by("name")
        if outlines:
            regions = regions.select_related("outline")
        rows = []
        # In French alphabetical order: "Île-de-France" among the I, not after the Z.
        for region in sorted(regions, key=lambda r: unaccent(r.name).lower()):
            row = {
                "region": region,
                "code": region.code,
                "name": region.name,
                "slug": region.slug,
                "poles": self.poles.get(region.pk, 0),
                "laureates": self.laureates.get(region.pk, 0),
            }
            if self.level == "former":
                row["current_code"] = region.region.code
                row["current_name"] = region.region.name
            rows.append(row)
        return rows


def requested_level(request: HttpRequest) -> str | None:
    level = request.GET.get("level") or "current"
    return level if level in LEVELS else None


def _with_cache_headers(response: HttpResponse) -> HttpResponse:
    latest = [
        Pole.objects.aggregate(latest=Max("updated_at"))["latest"],
        Call.objects.aggregate(latest=Max("updated_at"))["latest"],
    ]
    latest = [moment for moment in latest if moment]
    if latest:
        response["Last-Modified"] = http_date(max(latest).timestamp())
    response["Cache-Control"] = "public, max-age=300"
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _bad_level() -> JsonResponse:
    return JsonResponse(
        {"error": _("Le paramètre « level » vaut « current » ou « former ».")}, status=400
    )


@require_safe
@cache_public_page(PoleFilterSet, "level")
@gzip_page
def regions_geojson(request: HttpRequest) -> HttpResponse:
    level = requested_level(request)
    if level is None:
        return _bad_level()
    counts = RegionCounts(PoleFilterSet.for_request(request), level)
    features = []
    for row in counts.rows(outlines=True):
        # A region without an outline (none loaded yet) is served without one, as before.
        outline = getattr(row["region"], "outline", None)
        properties = {
            "code": row["code"],
            "name": row["name"],
            "slug": row["slug"],
            "poles": row["poles"],
            "laureates": row["laureates"],
            "label_point": outline.label_point if outline else None,
        }
        if level == "former":
            properties["current_code"] = row["current_code"]
        geometry = outline.geometry if outline else None
        features.append({"type": "Feature", "geometry": geometry, "properties": properties})
    # Without the blanks after "," and ":": a tenth of the outlines' bytes, the same JSON.
    body = json.dumps(
        {"type": "FeatureCollection", "features": features},
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return _with_cache_headers(HttpResponse(body, content_type=GEOJSON))


def pole_features(request: HttpRequest, poles) -> list[dict]:
    """GeoJSON (RFC 7946) features of the poles that have a location.

    Built from plain rows in three queries, without model instances: the full registry's
    GeoJSON (10,000 poles) stays well under a second and light on the worker's memory.
    """
    located = poles.exclude(latitude=None).exclude(longitude=None).order_by("name", "pk")
    region_names = dict(Region.objects.values_list("pk", "name"))
    laureate_of: dict[int, list[str]] = defaultdict(list)
    laureates = (
        Application.objects.laureates()
        .filter(pole__in=located.values("pk"))
        .order_by("call__year", "call_id")
        .values_list("pole_id", "call__slug")
    )
    for pole_id, call_slug in laureates:
        laureate_of[pole_id].append(call_slug)
    # One reverse() for all: the poles' URLs differ only by their slug.
    url_pattern = absolute_url(reverse("poles:pole-detail", args=["__slug__"]))
    rows = located.values_list(
        "pk", "name", "slug", "latitude", "longitude", "region_id", "status", "is_witness"
    )
    return [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [round(lon, 6), round(lat, 6)]},
            "properties": {
                "name": name,
                "slug": slug,
                "url": url_pattern.replace("__slug__", slug),
                "region": region_names.get(region_id),
                "status": status,
                "witness": witness,
                "laureate_of": laureate_of.get(pk, []),
            },
        }
        for pk, name, slug, lat, lon, region_id, status, witness in rows.iterator(chunk_size=5000)
    ]


@require_safe
@cache_public_page(PoleFilterSet)
@gzip_page
def poles_geojson(request: HttpRequest) -> HttpResponse:
    features = pole_features(request, PoleFilterSet.for_request(request).qs)
    body = json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False)
    return _with_cache_headers(HttpResponse(body, content_type=GEOJSON))


@require_safe
@cache_public_page(PoleFilterSet)
@gzip_page
def poles_json(request: HttpRequest) -> HttpResponse:
    """The filtered poles, located or not, for the list beside the map."""
    poles = PoleFilterSet.for_request(request).qs.for_cards()
    data = {
        "count": poles.count(),
        "poles": [
            {
                "name": pole.name,
                "url": pole.get_absolute_url(),
                "witness": pole.is_witness,
                "laureate_of": [a.call.year for a in pole.laureate_applications],
            }
            for pole in poles[:200]
        ],
        "directory_url": reverse("poles:pole-list") + "?" + request.GET.urlencode(),
    }
    return _with_cache_headers(JsonResponse(data))


@require_safe
@cache_public_page()
def api_index(request: HttpRequest) -> HttpResponse:
    base = absolute_url("")
    calls = Call.objects.order_by("-year")
    return render(request, "poles/api.html", {"base": base, "calls": calls})
