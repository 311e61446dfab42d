"""One FilterSet (``PoleFilterSet.for_request``) for the directory, its CSV and GeoJSON, the map
and the open data: the same query string finds the same poles everywhere."""

import csv
import io
import json

import pytest
from django.urls import reverse

from tests.factories import PoleFactory, RegionFactory, SectorFactory

pytestmark = pytest.mark.django_db

QUERY = {"region": "occitanie", "sector": "energie", "witness": "true"}


@pytest.fixture
def poles():
    occitanie = RegionFactory(code="76", name="Occitanie", slug="occitanie")
    energy = SectorFactory(name="Énergie", slug="energie")
    for name, witness, region, sectors in [
        ("Albi", True, occitanie, [energy]),
        ("Béziers", True, occitanie, [energy]),
        ("Castres", False, occitanie, [energy]),
        ("Dijon", True, RegionFactory(code="27", name="Bourgogne"), [energy]),
        ("Foix", True, occitanie, []),
    ]:
        PoleFactory(name=name, is_witness=witness, region=region, sectors=sectors,
                    latitude=43.6, longitude=1.4)
    PoleFactory(name="Agde", is_witness=True, region=occitanie, sectors=[energy],
                is_published=False)


def test_every_view_of_the_directory_finds_the_same_poles(client, poles):
    wanted = ["Albi", "Béziers"]
    page = client.get(reverse("poles:pole-list"), QUERY)
    assert [pole.name for pole in page.context["page_obj"]] == wanted
    raw = client.get(reverse("poles:pole-export-csv"), QUERY).content.decode("utf-8-sig")
    assert [row[0] for row in csv.reader(io.StringIO(raw), delimiter=";")][1:] == wanted
    for url in [reverse("poles:pole-export-geojson"), reverse("poles:api-poles")]:
        features = json.loads(client.get(url, QUERY).content)["features"]
        assert [feature["properties"]["name"] for feature in features] == wanted
    listed = json.loads(client.get(reverse("poles:api-poles-list"), QUERY).content)
    assert [pole["name"] for pole in listed["poles"]] == wanted
    rows = client.get(reverse("poles:map"), {**QUERY, "metric": "poles"}).context["rows"]
    assert {row["name"]: row["poles"] for row in rows if row["poles"]} == {"Occitanie": 2}
