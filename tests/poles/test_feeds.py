"""The Atom feeds as feed readers and partner sites read them."""

import pytest
from django.urls import reverse
from django.utils.http import http_date

from tests.cross_origin import FROM_A_PARTNER
from tests.factories import CallFactory, PoleFactory, RegionFactory

pytestmark = pytest.mark.django_db


def test_a_reader_revalidating_by_date_sees_a_pole_leave_the_feed(client):
    """The feed said Last-Modified, the date of its newest entry: a pole unpublished (or an
    old one published) changes the feed without changing that date, so a reader sending
    If-Modified-Since alone was told « 304 » and kept the pole. The ETag decides."""
    region = RegionFactory()
    PoleFactory(name="Pôle gardé", region=region)
    leaving = PoleFactory(name="Pôle retiré", region=region)
    for url in (reverse("poles:pole-feed"), reverse("poles:region-feed", args=[region.slug])):
        first = client.get(url)
        assert "Pôle retiré" in first.content.decode()
        moment = first.get("Last-Modified") or http_date()
        leaving.is_published = False
        leaving.save()
        again = client.get(url, HTTP_IF_MODIFIED_SINCE=moment)
        assert again.status_code == 200, url
        assert "Pôle retiré" not in again.content.decode()
        leaving.is_published = True
        leaving.save()


def test_a_partner_sites_script_reads_the_feeds(client):
    """A regional chamber's page showing « the latest poles of our region » reads the feed
    from its own origin: the feeds said no Access-Control-Allow-Origin, so the browser hid it."""
    region = RegionFactory()
    PoleFactory(region=region)
    CallFactory()
    for url in (reverse("poles:pole-feed"), reverse("poles:region-feed", args=[region.slug]),
                reverse("calls:call-feed")):
        response = client.get(url, **FROM_A_PARTNER)
        assert response["Access-Control-Allow-Origin"] == "*", url
        again = client.get(url, HTTP_IF_NONE_MATCH=response["ETag"], **FROM_A_PARTNER)
        assert (again.status_code, again.get("Access-Control-Allow-Origin")) == (304, "*"), url


def test_a_partner_sites_script_revalidates_the_open_data_with_its_etag(client):
    """A script reading a file from another origin could neither read its ETag (not exposed)
    nor send it back: ``If-None-Match`` makes the browser ask first (a CORS preflight), which
    the GeoJSON refused (405) and the API answered without allowing the header."""
    PoleFactory(latitude=45.0, longitude=5.0)
    for url in ("/api/poles.geojson", "/api/v1/poles/", "/poles/flux.atom"):
        preflight = client.options(url, HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
                                   HTTP_ACCESS_CONTROL_REQUEST_HEADERS="if-none-match",
                                   **FROM_A_PARTNER)
        assert preflight.status_code == 200, url  # an « ok status » (Fetch): 200 to 299
        assert preflight["Access-Control-Allow-Origin"] == "*"
        assert "If-None-Match" in preflight["Access-Control-Allow-Headers"]
        assert "GET" in preflight["Access-Control-Allow-Methods"]
        response = client.get(url, **FROM_A_PARTNER)
        assert "ETag" in response["Access-Control-Expose-Headers"], url
