"""The JSON API /api/v1/, its schema and documentation, its throttle, the Table Schema and
data package of the open data, and the Atom feeds."""

import gzip
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.cross_origin import FROM_A_PARTNER
from tests.factories import (
    ApplicationFactory,
    CallFactory,
    FormerRegionFactory,
    MembershipFactory,
    MilestoneFactory,
    PoleFactory,
    RegionFactory,
    SectorFactory,
)

pytestmark = pytest.mark.django_db

POLES = reverse("api-v1:pole-list")


def all_pages(client, url, params=None):
    """Every object of a paginated list, following ``next`` (absolute, on SITE_URL)."""
    results, response = [], client.get(url, params or {})
    while True:
        assert response.status_code == 200, response.content
        data = response.json()
        results += data["results"]
        if not data["next"]:
            return results, data["count"]
        assert data["next"].startswith("http://testserver/")
        response = client.get(data["next"].removeprefix("http://testserver"))


def directory(client, query: str) -> list[str]:
    slugs, page = [], 1
    while True:
        response = client.get(f"/poles/?{query}&page={page}")
        slugs += [pole.slug for pole in response.context["page_obj"].object_list]
        if not response.context["page_obj"].has_next():
            return slugs
        page += 1


@pytest.mark.parametrize(
    "query",
    ["", "witness=true", "q=solidaire", "call=appel-a-projets-2013&outcome=laureate",
     "region=grand-est&sort=-updated", "q=cooperasion"],
)
def test_api_poles_are_the_directorys_for_the_same_query(client, seeded, query):
    params = dict(pair.split("=") for pair in query.split("&") if pair)
    poles, count = all_pages(client, POLES, {**params, "page_size": 7})
    assert [pole["slug"] for pole in poles] == directory(client, query)
    assert count == len(poles)


def test_a_bad_filter_value_is_a_400_with_the_reason(client, seeded):
    response = client.get(POLES, {"region": "atlantide"})
    assert response.status_code == 400
    assert "region" in response.json()


@pytest.mark.parametrize("size", ["0", "-5", "abc", "2.5", "١٠"])
def test_a_page_size_that_is_no_whole_number_from_1_is_a_400_naming_it(client, seeded, size):
    # DRF gave pages of 20 instead: a program asking for pages of 0 or "abc" read 20 thinking
    # it had chosen. Above 100 is the most, as the documentation says.
    response = client.get(POLES, {"page_size": size})
    assert response.status_code == 400
    assert response.json() == {"page_size": ["« page_size » vaut un nombre entier de 1 à 100."]}
    english = client.get(POLES, {"page_size": size, "lang": "en"})
    assert english.json() == {"page_size": ["“page_size” is a whole number from 1 to 100."]}
    assert len(client.get(POLES, {"page_size": "500"}).json()["results"]) == 30
    assert len(client.get(POLES, {"page_size": "7"}).json()["results"]) == 7


def test_memberships_filtered_by_pole_and_current(client, db):
    membership = MembershipFactory()
    MembershipFactory(pole=membership.pole, left_on="2020-01-01")
    MembershipFactory()
    url = reverse("api-v1:membership-list")
    assert client.get(url, {"pole": membership.pole.slug}).json()["count"] == 2
    current = client.get(url, {"pole": membership.pole.slug, "current": "true"}).json()
    assert [m["id"] for m in current["results"]] == [membership.pk]
    assert client.get(url, {"current": "maybe"}).status_code == 400


def test_unpublished_poles_and_what_hangs_on_them_are_404(client, db):
    membership = MembershipFactory(pole__is_published=False)
    pole, organisation = membership.pole, membership.organisation
    assert client.get(reverse("api-v1:pole-detail", args=[pole.slug])).status_code == 404
    assert client.get(reverse("api-v1:membership-detail", args=[membership.pk])).status_code == 404
    url = reverse("api-v1:organisation-detail", args=[organisation.slug])
    assert client.get(url).status_code == 404
    assert client.get(POLES).json()["count"] == 0
    assert client.get(reverse("api-v1:membership-list")).json()["count"] == 0


def test_pole_detail_in_english_field_names_and_iso_dates(client, db):
    membership = MembershipFactory(joined_on="2015-03-01")
    data = client.get(reverse("api-v1:pole-detail", args=[membership.pole.slug])).json()
    assert data["status"] == "operational"
    assert data["memberships"][0]["joined_on"] == "2015-03-01"
    assert data["memberships"][0]["organisation"]["slug"] == membership.organisation.slug
    assert data["updated_at"].startswith("20") and "T" in data["updated_at"]
    assert data["html_url"] == f"http://testserver/poles/{membership.pole.slug}/"


def test_etag_304_gzip_and_cors(client, seeded):
    first = client.get(POLES, HTTP_ACCEPT_ENCODING="gzip", **FROM_A_PARTNER)
    assert first["Content-Encoding"] == "gzip"
    assert first["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in first
    assert json.loads(gzip.decompress(first.content))["count"] > 20
    again = client.get(POLES, HTTP_ACCEPT_ENCODING="gzip", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    plain = client.get(POLES, HTTP_IF_NONE_MATCH=first["ETag"])
    assert plain.status_code == 304
    other = client.get(POLES, {"witness": "true"}, HTTP_IF_NONE_MATCH=first["ETag"])
    assert other.status_code == 200


LISTS = ("pole", "organisation", "membership", "call", "region", "former-region", "sector")


def list_queries(client) -> dict[str, int]:
    counts = {}
    for name in LISTS:
        url = reverse(f"api-v1:{name}-list")
        client.get(url, {"page_size": 100})  # the directory's sets are read once per change
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url, {"page_size": 100}).status_code == 200
        counts[name] = len(queries)
    return counts


def test_every_list_in_constant_queries(client, seeded):
    before = list_queries(client)
    call = CallFactory()
    for _ in range(4):
        membership = MembershipFactory(pole__sectors=[SectorFactory()])
        ApplicationFactory(pole=membership.pole, call=call)
        MilestoneFactory(call=call)
    assert list_queries(client) == before
    assert max(before.values()) <= 6


def test_a_calls_and_a_poles_details_in_constant_queries(client, db):
    """Each application's former region links to its page through its current region: read
    with it, not once per application."""
    call, pole = CallFactory(), PoleFactory()

    def apply_twice():
        former = FormerRegionFactory(region=RegionFactory())
        ApplicationFactory(call=call, former_region=former)
        ApplicationFactory(pole=pole, former_region=former)

    def queries() -> list[int]:
        counts = []
        for url in (reverse("api-v1:call-detail", args=[call.slug]),
                    reverse("api-v1:pole-detail", args=[pole.slug])):
            with CaptureQueriesContext(connection) as captured:
                assert client.get(url).status_code == 200
            counts.append(len(captured))
        return counts

    apply_twice()
    before = queries()
    for _ in range(3):
        apply_twice()
    assert queries() == before


def test_throttle_answers_429_with_retry_after_in_both_languages(client, db, settings):
    settings.API_THROTTLE_RATE = "3/min"
    for _ in range(3):
        assert client.get(reverse("api-v1:sector-list")).status_code == 200
    refused = client.get(reverse("api-v1:sector-list"), REMOTE_ADDR="127.0.0.1")
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    body = refused.json()
    assert "Trop de requêtes" in body["messages"]["fr"]
    assert "Too many requests" in body["messages"]["en"]
    # Another client address is counted on its own.
    assert client.get(reverse("api-v1:sector-list"), REMOTE_ADDR="10.0.0.9").status_code == 200
