"""The leaders' space as a regional curator sees it: the poles of their regions (and those they
lead), as in the admin; another region's pole is a 404 on every page of the space, GET or POST,
and is not changed."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import CommuneFactory, PoleFactory, RegionFactory
from tests.poles.test_regional_curators import regional_curator
from tests.poles.test_space import form_data

pytestmark = pytest.mark.django_db

SPACE_PAGES = ("space:edit-pole", "space:pole-members", "space:pole-history",
               "space:pole-indicators")


@pytest.fixture
def regions():
    return RegionFactory(name="Région A"), RegionFactory(name="Région B")


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_regional_curator_opens_the_space_pages_of_their_regions_poles_only(regions):
    mine = PoleFactory(name="Pôle de A", region=regions[0])
    other = PoleFactory(name="Pôle de B", region=regions[1])
    client = client_of(regional_curator(regions[0]))
    for name in SPACE_PAGES:
        assert client.get(reverse(name, args=[mine.slug])).status_code == 200, name
        assert client.get(reverse(name, args=[other.slug])).status_code == 404, name
    year = reverse("space:pole-indicator", args=[other.slug, 2020])
    assert client.get(year).status_code == 404


def test_a_regional_curator_cannot_change_another_regions_pole_from_the_space(regions):
    other = PoleFactory(name="Pôle de B", region=regions[1], summary="Avant")
    client = client_of(regional_curator(regions[0]))
    response = client.post(
        reverse("space:edit-pole", args=[other.slug]), form_data(other, summary="Changé")
    )
    assert response.status_code == 404
    other.refresh_from_db()
    assert other.summary == "Avant"


def test_a_regional_curator_keeps_the_poles_they_lead_elsewhere(regions):
    led = PoleFactory(name="Pôle mené", region=regions[1])
    curator = regional_curator(regions[0])
    led.leaders.add(curator)
    assert client_of(curator).get(reverse("space:edit-pole", args=[led.slug])).status_code == 200


def test_a_regional_curator_cannot_move_a_pole_out_of_their_regions_from_the_space(regions):
    mine = PoleFactory(name="Pôle de A", region=regions[0])
    CommuneFactory(code="75056", name="Paris", region=regions[1])
    client = client_of(regional_curator(regions[0]))
    url = reverse("space:edit-pole", args=[mine.slug])
    response = client.post(url, form_data(mine, commune_code="75056"))
    assert response.status_code == 400
    assert "relève de vos régions" in response.content.decode()
    mine.refresh_from_db()
    assert mine.region == regions[0]


def test_a_leader_may_still_move_their_pole_to_another_region(regions):
    led = PoleFactory(name="Pôle mené", region=regions[0])
    CommuneFactory(code="75056", name="Paris", region=regions[1])
    curator = regional_curator(regions[0])
    led.leaders.add(curator)
    url = reverse("space:edit-pole", args=[led.slug])
    assert client_of(curator).post(url, form_data(led, commune_code="75056")).status_code == 302
    led.refresh_from_db()
    assert led.region == regions[1]
