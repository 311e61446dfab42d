"""Open data: GeoJSON of regions (with counts) and of poles, honouring the directory's filters.

Responses carry Cache-Control and an ETag (set by ConditionalGetMiddleware from the body),
so that a client revalidating gets a 304 exactly when the body is the same; they are gzipped
when the client accepts it.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from functools import partial

from django.db.models import Count, Q, TextField
from django.db.models.functions import Cast
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import require_safe

from calls.models import Application, Call
from ptce_site.cache import cache_public_page
from ptce_site.collation import french
from ptce_site.links import absolute_url

from ..territories.departments import department_expression, former_regions_by_department
from ..territories.models import FormerRegion, Region
from .facets import pole_facets
from .filters import PoleFilterSet

LEVELS = ("current", "former")
GEOJSON = "application/geo+json"


class RegionCounts:
    """Poles and laureates per region (current or former) for a filtered set of poles."""

    def __init__(self, filterset: PoleFilterSet, level: str):
        self.level = level
        self.call = filterset.cleaned("call")
        poles = filterset.qs.order_by()
        applications = Application.objects.all()
        if self.call:
            applications = applications.filter(call=self.call)
        self.poles: Counter = Counter()
        self.laureates: Counter = Counter()
        if level == "current":
            self._count_current(poles, applications)
        else:
            self._count_former(poles, applications)

    def _count_current(self, poles, applications) -> None:
        # One grouped query: a pole is a laureate when it is among the (few) poles with a
        # laureate application, a list PostgreSQL hashes once (1,979 rows at 10,000 poles,
        # 5 ms in all, against 21 ms for the poles' regions read one by one).
        laureate_poles = applications.laureates().values("pole_id")
        counts = poles.values("region_id").annotate(
            poles=Count("pk"), laureates=Count("pk", filter=Q(pk__in=laureate_poles))
        )
        for row in counts.order_by():
            self.poles[row["region_id"]] = row["poles"]
            self.laureates[row["region_id"]] = row["laureates"]

    def _count_former(self, poles, applications) -> None:
        # The region named in the application (calls before 2016), else the one that holds
        # the pole's commune. The poles that applied under a region's name are few: counted
        # one by one; the others in one query grouped by department (at 10,000 poles, 6 ms
        # against 35 ms for each pole read and placed in Python).
        by_department = former_regions_by_department(FormerRegion.objects.all())
        naming = applications.filter(former_region__isnull=False).values("pole_id")
        named, won = self._named_and_won(applications.filter(pole__in=naming))
        for pole_id in poles.filter(pk__in=naming).values_list("pk", flat=True):
            for former_id in named[pole_id]:
                self.poles[former_id] += 1
            if pole_id in won:
                for former_id in won[pole_id] or named[pole_id]:
                    self.laureates[former_id] += 1
        laureate_poles = applications.laureates().values("pole_id")
        by_commune = (
            poles.exclude(pk__in=naming)
            .annotate(department=department_expression("commune_code"))
            .values("department")
            .annotate(poles=Count("pk"), laureates=Count("pk", filter=Q(pk__in=laureate_poles)))
        )
        for row in by_commune.order_by():
            # No former region known (no commune, no region named): counted under None.
            former = by_department.get(row["department"] or "")
            self.poles[former.pk if former else None] += row["poles"]
            self.laureates[former.pk if former else None] += row["laureates"]

    @staticmethod
    def _named_and_won(applications) -> tuple[dict[int, set[int]], dict[int, set[int]]]:
        """The former regions each pole applied under, and those where it won (an empty set:
        won under no region's name), from the applications of the poles that named one (a
        few dozen, whatever the filters: those of the poles left out are never looked up)."""
        named: dict[int, set[int]] = defaultdict(set)
        won: dict[int, set[int]] = defaultdict(set)
        # Unordered: Meta.ordering would join the calls and the poles to sort by their names.
        for pole_id, former_id, outcome in applications.order_by().values_list(
            "pole_id", "former_region_id", "outcome"
        ):
            if former_id:
                named[pole_id].add(former_id)
                if outcome == Application.Outcome.LAUREATE:
                    won[pole_id].add(former_id)
            elif outcome == Application.Outcome.LAUREATE:
                won.setdefault(pole_id, set())
        return named, won

    def unplaced(self) -> dict | None:
        """The row of the poles placed in no region (none known: no document gives the region
        of the 2011 call's examples), or None when there are none: a table by region says
        them, its total counts them (the GeoJSON's features are regions only)."""
        if not self.poles[None]:
            return None
        former = self.level == "former"
        return {
            "region": None, "code": "", "slug": "", "current_code": "", "current_name": "",
            "name": _("Ancienne région non renseignée") if former else _("Région non renseignée"),
            "poles": self.poles[None],
            "laureates": self.laureates[None],
        }

    def totals(self) -> dict[str, int]:
        """The sums of the rows and of the unplaced row: what a table's total line says (a
        pole that applied under two former regions' names counts in each, as in its rows)."""
        return {"poles": sum(self.poles.values()), "laureates": sum(self.laureates.values())}

    def rows(self, *, outlines: bool = False) -> list[dict]:
        """One row per region, in name order, for the GeoJSON and the accessible table (the
        outlines, in their own table, joined only when ``outlines`` asks for them)."""
        if self.level == "current":
            regions = Region.objects.order_by(french("name"))
        else:
            regions = FormerRegion.objects.select_related("region").order_by(french("name"))
        if outlines:
            # The outline's JSON as stored, as text: decoding it only to encode it again cost
            # 10 of the GeoJSON's 26 ms at 10,000 poles.
            regions = regions.select_related("outline").defer("outline__geometry").annotate(
                geometry_json=Cast("outline__geometry", TextField())
            )
        rows = []
        # In French alphabetical order: "Île-de-France" among the I, not after the Z.
        for region in regions:
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
    # No Last-Modified: what these files hold changes without any pole or call changing (a
    # membership, a sector renamed, a departure date that comes), so a client revalidating
    # with If-Modified-Since alone would keep a stale copy. The ETag, from the body, is exact.
    response["Cache-Control"] = "public, max-age=300"
    return response


def _bad_level() -> JsonResponse:
    message = _("Le paramètre « level » vaut « current » ou « former ».")
    # "level" as the filters' refusals say theirs (below); "error" as it always said.
    return JsonResponse({"error": message, "level": [message]}, status=400)


def refused(filterset: PoleFilterSet) -> JsonResponse | None:
    """A 400 with the form's reason for each filter value not understood, in the JSON API's
    shape (``{"region": ["…"]}``), or None: ignoring it, as the directory does on screen,
    gave a program that misspelt a region every pole of the country as the region's. The
    map pages ask these files without what they ignored (``understood_query``)."""
    if reasons := filterset.refused():
        return JsonResponse(reasons, status=400)
    return None


@require_safe
@cache_public_page(PoleFilterSet, "level")
@gzip_page
def regions_geojson(request: HttpRequest) -> HttpResponse:
    level = requested_level(request)
    if level is None:
        return _bad_level()
    filterset = PoleFilterSet.for_request(request)
    if refusal := refused(filterset):
        return refusal
    counts = RegionCounts(filterset, level)
    features = []
    dumps = partial(json.dumps, ensure_ascii=False, separators=(",", ":"))
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
        # Without the blanks after "," and ":" (PostgreSQL writes them): a tenth of the
        # outlines' bytes, the same JSON. A geometry holds only numbers and type names, never
        # a blank inside a string.
        geometry = row["region"].geometry_json
        geometry = geometry.replace(", ", ",").replace(": ", ":") if geometry else "null"
        features.append(
            f'{{"type":"Feature","geometry":{geometry},"properties":{dumps(properties)}}}'
        )
    body = '{"type":"FeatureCollection","features":[' + ",".join(features) + "]}"
    return _with_cache_headers(HttpResponse(body, content_type=GEOJSON))


def pole_features(request: HttpRequest, poles) -> list[dict]:
    """GeoJSON (RFC 7946) features of the poles that have a location.

    Built from plain rows in three queries, without model instances: the full registry's
    GeoJSON (10,000 poles) stays well under a second and light on the worker's memory.
    """
    located = poles.exclude(latitude=None).exclude(longitude=None).order_by(french("name"), "pk")
    region_names = dict(Region.objects.values_list("pk", "name"))
    laureate_of: dict[int, list[str]] = defaultdict(list)
    # Every laureate application, not only the located poles': they are few (1,979 at 10,000
    # poles, 0.5 ms) whereas matching them to the filtered poles cost 8 ms; the poles left out
    # are never looked up.
    laureates = (
        Application.objects.laureates()
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
        # Fetched at once rather than through a server-side cursor (``iterator()``), which
        # cost two more round trips and PostgreSQL a copy of the result (20 ms at 10,000
        # poles): the rows weigh less than the features built from them.
        for pk, name, slug, lat, lon, region_id, status, witness in rows
    ]


def pole_collection(request: HttpRequest, filterset: PoleFilterSet) -> dict:
    """The poles of ``filterset`` (the request's, whose refusals the caller answered, see
    ``refused``) as a GeoJSON FeatureCollection; with ``?facets=1``, the facet
    counts of the directory's filters (``facets.py``) as a foreign member ``facets``
    (RFC 7946, section 6.1), asked for only: they cost about ten more queries."""
    collection = {"type": "FeatureCollection", "features": pole_features(request, filterset.qs)}
    if request.GET.get("facets") == "1":
        collection["facets"] = pole_facets(filterset)
    return collection


@require_safe
@cache_public_page(PoleFilterSet, facets=("0", "1"))
@gzip_page
def poles_geojson(request: HttpRequest) -> HttpResponse:
    filterset = PoleFilterSet.for_request(request)
    if refusal := refused(filterset):
        return refusal
    body = json.dumps(pole_collection(request, filterset), ensure_ascii=False)
    return _with_cache_headers(HttpResponse(body, content_type=GEOJSON))


@require_safe
@cache_public_page(PoleFilterSet)
@gzip_page
def poles_json(request: HttpRequest) -> HttpResponse:
    """The filtered poles, located or not, for the list beside the map."""
    filterset = PoleFilterSet.for_request(request)
    if refusal := refused(filterset):
        return refusal
    poles = filterset.qs.for_cards()
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
