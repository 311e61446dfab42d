"""The Atom feeds as feed readers and partner sites read them."""

import pytest
from django.urls import reverse
from django.utils.http import http_date

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
        response = client.get(url)
        assert response["Access-Control-Allow-Origin"] == "*", url
        again = client.get(url, HTTP_IF_NONE_MATCH=response["ETag"])
        assert (again.status_code, again.get("Access-Control-Allow-Origin")) == (304, "*"), url
