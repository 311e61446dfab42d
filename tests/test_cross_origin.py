"""Which answers a partner site's script may read from another origin: the open data, with
its 304s, its redirects to the address with a final slash and its preflights; never the
site's pages, forms, admin or leaders' space (``ptce_site.cors_settings``)."""

import pytest
from django.conf import settings
from django.urls import reverse

from tests.cross_origin import FROM_A_PARTNER
from tests.factories import CallFactory, PoleFactory, RegionFactory, UserFactory

pytestmark = pytest.mark.django_db

ALLOW_ORIGIN = "Access-Control-Allow-Origin"
CORS_HEADERS = (ALLOW_ORIGIN, "Access-Control-Allow-Methods", "Access-Control-Allow-Headers",
                "Access-Control-Expose-Headers", "Access-Control-Allow-Credentials")
PREFLIGHT = {"HTTP_ACCESS_CONTROL_REQUEST_METHOD": "GET",
             "HTTP_ACCESS_CONTROL_REQUEST_HEADERS": "if-none-match", **FROM_A_PARTNER}

# Every kind of open-data address, with the region and pole it may name.
OPEN_DATA = {
    "API v1 root": lambda region, pole: reverse("api-v1:root"),
    "API v1 list": lambda region, pole: reverse("api-v1:pole-list"),
    "API v1 detail": lambda region, pole: reverse("api-v1:pole-detail", args=[pole.slug]),
    "API v1 schema": lambda region, pole: reverse("api-v1:schema"),
    "GeoJSON of the poles": lambda region, pole: reverse("poles:api-poles"),
    "GeoJSON of the regions": lambda region, pole: reverse("poles:api-regions"),
    "JSON of the poles": lambda region, pole: reverse("poles:api-poles-list"),
    "CSV export": lambda region, pole: reverse("poles:pole-export-csv"),
    "GeoJSON export": lambda region, pole: reverse("poles:pole-export-geojson"),
    "export's Table Schema": lambda region, pole: reverse("poles:pole-table-schema"),
    "feed of the poles": lambda region, pole: reverse("poles:pole-feed"),
    "feed of a region": lambda region, pole: reverse("poles:region-feed", args=[region.slug]),
    "feed of the calls": lambda region, pole: reverse("calls:call-feed"),
    "data package": lambda region, pole: reverse("poles:datapackage"),
    "statistics' CSV": lambda region, pole: reverse("poles:statistics-csv",
                                                    args=["poles-par-region"]),
    "indicators' CSV": lambda region, pole: reverse("poles:statistics-csv",
                                                    args=["indicateurs-annuels"]),
}


@pytest.fixture
def published():
    region = RegionFactory()
    pole = PoleFactory(region=region, latitude=45.0, longitude=5.0)
    CallFactory()
    return region, pole


@pytest.mark.parametrize("kind", OPEN_DATA)
def test_each_open_data_address_is_readable_from_another_origin_with_its_304_and_preflight(
    client, published, kind
):
    url = OPEN_DATA[kind](*published)
    first = client.get(url, **FROM_A_PARTNER)
    assert (first.status_code, first.get(ALLOW_ORIGIN)) == (200, "*"), url
    assert "Access-Control-Allow-Credentials" not in first  # public data, no cookie
    assert {"ETag", "Retry-After"} <= set(first["Access-Control-Expose-Headers"].split(", "))
    again = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"], **FROM_A_PARTNER)
    assert (again.status_code, again.get(ALLOW_ORIGIN)) == (304, "*"), url
    preflight = client.options(url, **PREFLIGHT)
    assert 200 <= preflight.status_code < 300 and preflight[ALLOW_ORIGIN] == "*", url
    assert "If-None-Match" in preflight["Access-Control-Allow-Headers"]
    assert "GET" in preflight["Access-Control-Allow-Methods"]


@pytest.mark.parametrize("url", ["/api/v1/poles", "/api/v1/regions", "/api/v1/schema",
                                 "/api/v1/charter", "/api/v1/docs"])
def test_the_apis_redirects_to_the_address_with_a_slash_are_readable_too(client, db, url):
    response = client.get(url, **FROM_A_PARTNER)
    assert (response.status_code, response["Location"]) == (301, f"{url}/")
    assert response[ALLOW_ORIGIN] == "*"


def closed_answers(client, published):
    """The answers no other origin may read, each with a partner's ``Origin``: pages, their
    redirects and errors, forms, the API's documentation page, the admin, the leaders' space."""
    region, pole = published
    admin = f"/{settings.ADMIN_URL}"
    urls = ["/", "/poles/", reverse("poles:pole-detail", args=[pole.slug]),
            reverse("poles:region-detail", args=[region.slug]), "/a-propos",
            reverse("poles:api-index"), reverse("api-v1:docs"), reverse("poles:statistics"),
            "/nulle-part/", reverse("contact"), reverse("login"), f"{admin}login/", "/espace/"]
    answers = {url: client.get(url, **FROM_A_PARTNER) for url in urls}
    answers.update({f"preflight {url}": client.options(url, **PREFLIGHT) for url in urls})
    leader = UserFactory()
    pole.leaders.add(leader)
    client.force_login(leader)
    space = reverse("space:edit-pole", args=[pole.slug])
    answers[space] = client.get(space, **FROM_A_PARTNER)
    answers[f"preflight {space}"] = client.options(space, **PREFLIGHT)
    leader.is_staff = leader.is_superuser = True
    leader.save()
    answers[admin] = client.get(admin, **FROM_A_PARTNER)
    answers[f"preflight {admin}"] = client.options(admin, **PREFLIGHT)
    return answers


def test_pages_forms_the_admin_and_the_leaders_space_carry_no_cors_header(client, published):
    answers = closed_answers(client, published)
    space = reverse("space:edit-pole", args=[published[1].slug])
    statuses = {url: answers[url].status_code
                for url in ("/", "/a-propos", "/nulle-part/", f"/{settings.ADMIN_URL}", space)}
    assert statuses == {"/": 200, "/a-propos": 301, "/nulle-part/": 404,
                        f"/{settings.ADMIN_URL}": 200, space: 200}
    opened = [(what, header) for what, response in answers.items()
              for header in CORS_HEADERS if header in response]
    assert opened == []
