"""The reference geodata committed in fixtures/geo/, as build_geodata wrote it."""

import csv
import json

import pytest
from django.core.management import call_command

from poles.models import Commune, FormerRegion, Pole, Region
from poles.seed import FIXTURES_DIR

GEO = FIXTURES_DIR / "geo"
REFERENCE = json.loads((FIXTURES_DIR / "regions.json").read_text(encoding="utf-8"))


def collection(name: str) -> dict:
    return json.loads((GEO / f"regions-{name}.geojson").read_text(encoding="utf-8"))


def signed_area(ring) -> float:
    return sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(ring, ring[1:], strict=False)) / 2


def polygons(geometry):
    return [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]


@pytest.mark.parametrize(("name", "key"), [("current", "regions"), ("former", "former_regions")])
def test_one_feature_per_region_with_its_insee_code(name, key):
    features = collection(name)["features"]
    assert [f["properties"]["code"] for f in features] == sorted(r["code"] for r in REFERENCE[key])
    assert len(features) == {"current": 18, "former": 27}[name]
    assert (GEO / f"regions-{name}.geojson").stat().st_size < 300_000


def test_former_regions_name_their_current_region():
    current = {r["code"]: r["region"] for r in REFERENCE["former_regions"]}
    for feature in collection("former")["features"]:
        assert feature["properties"]["current_code"] == current[feature["properties"]["code"]]


@pytest.mark.parametrize("name", ["current", "former"])
def test_rings_follow_rfc_7946_orientation(name):
    for feature in collection(name)["features"]:
        for polygon in polygons(feature["geometry"]):
            assert signed_area(polygon[0]) > 0, feature["properties"]["name"]
            for hole in polygon[1:]:
                assert signed_area(hole) < 0


def test_metropolitan_france_fits_its_bounding_box():
    points = [
        point
        for feature in collection("current")["features"]
        if feature["properties"]["code"] > "10"
        for polygon in polygons(feature["geometry"])
        for point in polygon[0]
    ]
    lons, lats = [p[0] for p in points], [p[1] for p in points]
    assert -5.3 < min(lons) < -5.0 and 9.4 < max(lons) < 9.7
    assert 41.2 < min(lats) < 41.5 and 50.9 < max(lats) < 51.2


@pytest.mark.parametrize("name", ["current", "former"])
def test_shapes_are_valid_and_neighbours_do_not_overlap(name):
    shapely = pytest.importorskip("shapely")
    from shapely.geometry import shape

    shapes = [shape(f["geometry"]) for f in collection(name)["features"]]
    assert all(s.is_valid for s in shapes)
    tree = shapely.STRtree(shapes)
    for index, geometry in enumerate(shapes):
        for other in tree.query(geometry):
            if other != index:
                assert geometry.intersection(shapes[other]).area < 1e-8


def read_communes() -> list[dict]:
    with (GEO / "communes.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_communes_table_is_complete_and_well_formed():
    communes = read_communes()
    assert len(communes) > 34_800
    codes = [c["code"] for c in communes]
    assert len(codes) == len(set(codes)) and codes == sorted(codes)
    by_code = {c["code"]: c for c in communes}
    paris, ajaccio, lille = by_code["75056"], by_code["2A004"], by_code["59350"]
    assert paris["name"] == "Paris" and paris["region"] == "11"
    assert (
        abs(float(paris["latitude"]) - 48.86) < 0.05
        and abs(float(paris["longitude"]) - 2.35) < 0.05
    )
    assert ajaccio["department"] == "2A" and ajaccio["region"] == "94"
    assert "59000" in lille["postal_codes"].split()
    assert {c["region"] for c in communes} == {r["code"] for r in REFERENCE["regions"]}


def test_every_commune_point_lies_in_its_region():
    pytest.importorskip("shapely")
    from shapely import STRtree
    from shapely.geometry import Point, shape

    regions = {
        f["properties"]["code"]: shape(f["geometry"]) for f in collection("current")["features"]
    }
    outside = [
        c["code"]
        for c in read_communes()
        if regions[c["region"]].distance(Point(float(c["longitude"]), float(c["latitude"]))) > 0.01
    ]
    assert outside == []
    del STRtree


@pytest.mark.django_db
def test_loading_puts_shapes_and_communes_where_the_site_reads_them():
    call_command("load_seed_data", verbosity=0)
    assert Region.objects.filter(geometry__isnull=False).count() == 18
    assert FormerRegion.objects.filter(geometry__isnull=False).count() == 27
    assert Commune.objects.count() == len(read_communes())
    romans = Commune.objects.get(code="26281")
    assert romans.region.name == "Auvergne-Rhône-Alpes"

    pole = Pole.objects.get(slug="pole-sud-archer")
    pole.commune_code = "26281"
    pole.full_clean()
    pole.save()
    assert (pole.commune_name, pole.latitude) == ("Romans-sur-Isère", romans.latitude)

    before = Commune.objects.order_by("pk").values_list("pk", "latitude")[:5]
    call_command("load_seed_data", verbosity=0)
    assert list(Commune.objects.order_by("pk").values_list("pk", "latitude")[:5]) == list(before)
