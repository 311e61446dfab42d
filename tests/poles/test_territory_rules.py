"""Territorial rules with one home each, checked where users meet them: the department of a
commune (``poles.territories.departments``) on the pole's page, in the map's figures by former
region and in the directory's filter; the overseas regions (``Region.is_overseas``) on the map."""

import json

import pytest
from django.urls import reverse

from poles.territories.departments import department_of
from tests.factories import FormerRegionFactory, PoleFactory, RegionFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("code", "department"),
    [("97411", "974"), ("97611", "976"), ("08409", "08"), ("2A004", "2A"), ("", "")],
)
def test_department_of_a_commune_code(code, department):
    assert department_of(code) == department


@pytest.fixture
def reunion_pole():
    """A pole in Saint-Denis (97411): department 974, not "97"."""
    reunion = RegionFactory(code="04", name="La Réunion", slug="la-reunion")
    FormerRegionFactory(code="04", name="Réunion (avant 2016)", slug="reunion-avant-2016",
                        region=reunion, departments="974")
    FormerRegionFactory(code="01", name="Guadeloupe (avant 2016)", slug="guadeloupe-avant-2016",
                        region=RegionFactory(code="01", name="Guadeloupe"), departments="971")
    return PoleFactory(name="Pôle dionysien", region=reunion, commune_code="97411",
                       commune_name="Saint-Denis")


def test_an_overseas_pole_page_names_its_former_region(client, reunion_pole):
    response = client.get(reunion_pole.get_absolute_url())
    assert [former.name for former in response.context["former_regions"]] == [
        "Réunion (avant 2016)"
    ]


def test_the_map_counts_an_overseas_pole_in_its_former_region(client, reunion_pole):
    response = client.get(reverse("poles:api-regions"), {"level": "former"})
    poles = {
        feature["properties"]["name"]: feature["properties"]["poles"]
        for feature in json.loads(response.content)["features"]
    }
    assert poles == {"Réunion (avant 2016)": 1, "Guadeloupe (avant 2016)": 0}


def test_the_directory_finds_an_overseas_pole_by_its_former_region(client, reunion_pole):
    response = client.get(reverse("poles:pole-list"), {"former_region": "reunion-avant-2016"})
    assert [pole.name for pole in response.context["page_obj"]] == ["Pôle dionysien"]
    response = client.get(reverse("poles:pole-list"), {"former_region": "guadeloupe-avant-2016"})
    assert list(response.context["page_obj"]) == []


def test_the_map_offers_a_button_for_each_overseas_region_only(client):
    RegionFactory(code="44", name="Grand Est")
    RegionFactory(code="04", name="La Réunion")
    RegionFactory(code="06", name="Mayotte")
    response = client.get(reverse("poles:map"))
    assert response.context["overseas"] == [("04", "La Réunion"), ("06", "Mayotte")]
