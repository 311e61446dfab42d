"""A database made before the outlines had their own tables (poles 0013) keeps its outlines:
migrating moves them, rounded for the maps and with their label points, and back."""

import pytest

from tests.migrations_helpers import database_at, migrate

# Schema changes on SQLite cannot run inside the test's transaction.
pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("poles", "0012_single_line_names")]
AFTER = [("poles", "0013_region_outlines")]
# A square of one degree drawn to 5 decimals, and an islet of 20 m that rounding to 100 m
# leaves without area.
OUTLINE = {
    "type": "MultiPolygon",
    "coordinates": [
        [[[2.00004, 46.0], [3.0, 46.0], [3.0, 47.00006], [2.0, 47.0], [2.00004, 46.0]]],
        [[[5.0, 45.0], [5.0002, 45.0], [5.0002, 45.0002], [5.0, 45.0]]],
    ],
}
ON_THE_MAP = {
    "type": "Polygon",
    "coordinates": [[[2.0, 46.0], [3.0, 46.0], [3.0, 47.0], [2.0, 47.0], [2.0, 46.0]]],
}


@pytest.fixture
def old_database():
    yield from database_at(BEFORE)


def test_outlines_move_to_their_tables_and_back(old_database):
    Region = old_database.get_model("poles", "Region")
    FormerRegion = old_database.get_model("poles", "FormerRegion")
    region = Region.objects.create(code="84", name="Auvergne-Rhône-Alpes", slug="ara",
                                   geometry=OUTLINE)
    FormerRegion.objects.create(code="82", name="Rhône-Alpes", slug="rhone-alpes", region=region,
                                departments="01 07 26 38 42 69 73 74", geometry=OUTLINE)
    FormerRegion.objects.create(code="83", name="Auvergne", slug="auvergne", region=region,
                                departments="03 15 43 63")  # no outline loaded

    apps = migrate(AFTER).apps
    outline = apps.get_model("poles", "RegionOutline").objects.get(region__code="84")
    assert outline.geometry == ON_THE_MAP
    assert outline.label_longitude == pytest.approx(2.5, abs=1e-3)
    assert outline.label_latitude == pytest.approx(46.5, abs=1e-3)
    former = apps.get_model("poles", "FormerRegionOutline").objects.get()
    assert former.former_region.code == "82" and former.geometry == ON_THE_MAP
    assert "geometry" not in {f.name for f in apps.get_model("poles", "Region")._meta.fields}

    apps = migrate(BEFORE).apps
    assert apps.get_model("poles", "Region").objects.get(code="84").geometry == ON_THE_MAP
    formers = apps.get_model("poles", "FormerRegion").objects.order_by("code")
    assert [f.geometry for f in formers] == [ON_THE_MAP, None]
