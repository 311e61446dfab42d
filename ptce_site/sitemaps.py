from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from calls.models import Call
from members.models import Organisation
from poles.models import Pole, Region


class StaticSitemap(Sitemap):
    changefreq = "weekly"

    def items(self) -> list[str]:
        return ["poles:home", "poles:pole-list", "poles:region-list", "calls:call-list",
                "members:organisation-list", "poles:map", "poles:api-index", "about"]

    def location(self, item: str) -> str:
        return reverse(item)


class PoleSitemap(Sitemap):
    changefreq = "weekly"

    def items(self):
        return Pole.objects.published().only("slug", "updated_at").order_by("pk")

    def lastmod(self, pole: Pole):
        return pole.updated_at


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
        return Organisation.objects.only("slug", "updated_at").order_by("pk")

    def lastmod(self, organisation: Organisation):
        return organisation.updated_at


SITEMAPS = {
    "pages": StaticSitemap,
    "poles": PoleSitemap,
    "regions": RegionSitemap,
    "appels": CallSitemap,
    "organisations": OrganisationSitemap,
}
