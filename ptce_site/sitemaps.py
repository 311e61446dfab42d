from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap as DjangoSitemap
from django.urls import reverse

from calls.models import Call
from members.models import Organisation
from poles.models import Charter, Event, Pole, Region


class Sitemap(DjangoSitemap):
    """Addresses on ``SITE_URL``, not on the request's ``Host`` (see ptce_site/links.py)."""

    def get_protocol(self, protocol=None) -> str:
        return urlsplit(settings.SITE_URL).scheme

    def get_domain(self, site=None) -> str:
        return urlsplit(settings.SITE_URL).netloc


class StaticSitemap(Sitemap):
    changefreq = "weekly"

    def items(self) -> list[str]:
        return ["poles:home", "poles:pole-list", "poles:region-list", "calls:call-list",
                "poles:chronology", "members:organisation-list", "poles:map", "poles:statistics",
                "poles:network", "poles:api-index",
                "api-v1:docs", "about", "poles:proposal-create", "contact"]

    def location(self, item: str) -> str:
        return reverse(item)


class PoleSitemap(Sitemap):
    changefreq = "weekly"

    def items(self):
        return Pole.objects.published().only("slug", "content_changed_at").order_by("pk")

    def lastmod(self, pole: Pole):
        # Changed by a person; None (no <lastmod>) for a pole only the seed load wrote.
        return pole.content_changed_at


class RegionSitemap(Sitemap):
    def items(self):
        return Region.objects.only("slug").order_by("pk")


class CallSitemap(Sitemap):
    def items(self):
        return Call.objects.only("slug", "updated_at").order_by("pk")

    def lastmod(self, call: Call):
        return call.updated_at


class OrganisationSitemap(Sitemap):
    def items(self):
        return Organisation.objects.public().with_changed_by_a_person().only("slug").order_by("pk")

    def lastmod(self, organisation: Organisation):
        # Changed by a person; None (no <lastmod>) for one only the seed load wrote.
        return organisation.changed_by_a_person_at


class EventSitemap(Sitemap):
    def items(self):
        return Event.objects.only("slug", "updated_at").order_by("pk")

    def lastmod(self, event: Event):
        return event.updated_at


class CharterSitemap(Sitemap):
    """``/charte/``, once a charter is recorded (the page answers 404 before)."""

    def items(self):
        charter = Charter.objects.the_charter()
        return [charter] if charter else []

    def lastmod(self, charter: Charter):
        return charter.updated_at


SITEMAPS = {
    "pages": StaticSitemap,
    "poles": PoleSitemap,
    "regions": RegionSitemap,
    "appels": CallSitemap,
    "organisations": OrganisationSitemap,
    "chronologie": EventSitemap,
    "charte": CharterSitemap,
}
