"""Region outlines: stored apart from the regions, rounded for the maps, served with the label
points computed when they were loaded."""

import json
import re

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from poles.models import FormerRegionOutline, RegionOutline
from poles.territories.outlines import label_point, polygons, rounded, signed_area
from ptce_site.seed import FIXTURES_DIR

REGIONS = reverse("poles:api-regions")


def fixture(level: str) -> dict:
    path = FIXTURES_DIR / "geo" / f"regions-{level}.geojson"
    return {f["properties"]["code"]: f for f in json.loads(path.read_text(encoding="utf-8"))[
        "features"]}


def rings(geometry: dict) -> list:
    return [ring for polygon in polygons(geometry) for ring in polygon]


def test_rounding_keeps_closed_rings_of_four_points_and_drops_what_collapses():
    islet = [[5.0, 45.0], [5.0002, 45.0], [5.0002, 45.0002], [5.0, 45.0]]
    square = [[2.00004, 46.0], [2.0003, 46.0], [3.0, 46.0], [3.0, 47.0], [2.0, 47.0],
              [2.00004, 46.0]]
    hole = [[2.5, 46.5], [2.5001, 46.5002], [2.5002, 46.5], [2.5, 46.5]]
    geometry = {"type": "MultiPolygon", "coordinates": [[square, hole], [islet]]}
    assert rounded(geometry) == {
        "type": "Polygon",
        "coordinates": [[[2.0, 46.0], [3.0, 46.0], [3.0, 47.0], [2.0, 47.0], [2.0, 46.0]]],
    }
    # Nothing left after rounding: the outline stays as it was rather than vanish.
    assert rounded({"type": "Polygon", "coordinates": [islet]})["coordinates"] == [islet]


@pytest.mark.parametrize("level", ["current", "former"])
def test_rounded_regions_keep_their_shape(level):
    for code, feature in fixture(level).items():
        before, after = feature["geometry"], rounded(feature["geometry"])
        for ring in rings(after):
            assert len(ring) >= 4 and ring[0] == ring[-1], code
            assert all(a != b for a, b in zip(ring, ring[1:], strict=False)), code
        area = sum(signed_area(ring) for ring in rings(before))
        assert sum(signed_area(ring) for ring in rings(after)) == pytest.approx(area, rel=2e-3)
        assert label_point(after) == pytest.approx(label_point(before), abs=2e-3), code


@pytest.mark.django_db
def test_loading_stores_rounded_outlines_and_label_points_once():
    call_command("load_seed_data", "--skip-communes", verbosity=0)
    assert RegionOutline.objects.count() == 18 and FormerRegionOutline.objects.count() == 27
    ara = RegionOutline.objects.get(region__code="84")
    assert ara.geometry == rounded(fixture("current")["84"]["geometry"])
    assert ara.label_point == label_point(fixture("current")["84"]["geometry"])
    with CaptureQueriesContext(connection) as queries:
        call_command("load_seed_data", "--skip-communes", verbosity=0)
    assert not [q["sql"] for q in queries if re.match(r"(UPDATE|INSERT).*outline", q["sql"])]


@pytest.mark.parametrize("level", ["current", "former"])
def test_map_outlines_are_served_rounded_with_their_label_points(client, seeded, level):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(REGIONS, {"level": level})
    body = response.content.decode()
    features = json.loads(body)["features"]
    assert len(features) == {"current": 18, "former": 27}[level]
    originals = fixture(level)
    for feature in features:
        original = originals[feature["properties"]["code"]]["geometry"]
        assert feature["geometry"] == rounded(original)
        assert feature["properties"]["label_point"] == label_point(original)
    geometries = json.dumps([feature["geometry"] for feature in features])
    assert not re.search(r"\d\.\d{4,}", geometries)  # 100 m, as the maps show them
    # A fifth lighter than the reference files, which the map used to receive whole.
    reference = (FIXTURES_DIR / "geo" / f"regions-{level}.geojson").stat().st_size
    assert len(response.content) < 0.9 * reference
    # The outlines come with their regions, in one query whatever their number.
    assert len([q for q in queries if "outline" in q["sql"]]) == 1


@pytest.mark.parametrize(
    "url",
    [
        reverse("poles:home"),
        reverse("poles:pole-list"),
        reverse("poles:pole-list") + "?region=auvergne-rhone-alpes&former_region=rhone-alpes",
        reverse("poles:pole-detail", args=["pole-sud-archer"]),
        reverse("poles:region-list"),
        reverse("poles:region-detail", args=["auvergne-rhone-alpes"]),
        reverse("poles:map") + "?level=former",
        reverse("poles:api-poles"),
        reverse("poles:api-poles-list"),
        reverse("calls:call-list"),
        reverse("calls:call-detail", args=["appel-a-projets-2013"]),
        reverse("members:organisation-list"),
    ],
)
def test_pages_never_read_the_outlines(client, seeded, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    assert not [q["sql"] for q in queries if "outline" in q["sql"]]


def test_a_region_without_outline_is_still_served(client, seeded):
    RegionOutline.objects.filter(region__code="94").delete()
    corse = next(f for f in json.loads(client.get(REGIONS).content)["features"]
                 if f["properties"]["code"] == "94")
    assert corse["geometry"] is None and corse["properties"]["label_point"] is None
