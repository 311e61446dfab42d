"""Atom feeds of the published poles (Django's syndication framework): new and updated poles,
and the poles of one region. In the request's language (``?lang=en``: the pages link their
feed in the language they are read in). Every link is on ``SITE_URL``: the framework would
prefix a relative one with the request's host."""

from __future__ import annotations

from django.db.models import QuerySet
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from ptce_site.collation import french
from ptce_site.feeds import OpenFeed
from ptce_site.links import localised

from ..territories.models import Region
from .models import Pole

FEED_LENGTH = 50


def latest_poles(poles: QuerySet) -> QuerySet:
    """The published poles, last created or changed by a person first."""
    return (
        poles.published()
        .select_related("region")
        .prefetch_related("sectors")
        .annotate(changed=Coalesce("content_changed_at", "created_at"))
        .order_by("-changed", french("name"), "pk")[:FEED_LENGTH]
    )


class PoleFeedBase(OpenFeed):
    feed_type = Atom1Feed

    def item_title(self, pole: Pole) -> str:
        return pole.name

    def item_description(self, pole: Pole) -> str:
        place = pole.region.name if pole.region else ""
        return " — ".join(part for part in (pole.summary, place) if part)

    def item_link(self, pole: Pole) -> str:
        return localised(pole.get_absolute_url())

    def item_pubdate(self, pole: Pole):
        return pole.created_at

    def item_updateddate(self, pole: Pole):
        return pole.changed

    def item_categories(self, pole: Pole) -> list[str]:
        return [sector.name for sector in pole.sectors.all()]


class PoleFeed(PoleFeedBase):
    """The published poles, newest or last updated first."""

    def title(self) -> str:
        return _("Registre des PTCE : pôles nouveaux et mis à jour")

    def subtitle(self) -> str:
        return _("Les pôles publiés dans le registre, du plus récemment ajouté ou modifié.")

    def link(self) -> str:
        return localised(reverse("poles:pole-list"))

    def feed_url(self) -> str:
        return localised(reverse("poles:pole-feed"))

    def items(self):
        return latest_poles(Pole.objects.all())


class RegionPoleFeed(PoleFeedBase):
    """The published poles of one region."""

    def get_object(self, request, slug: str) -> Region:
        return get_object_or_404(Region, slug=slug)

    def title(self, region: Region) -> str:
        return _("Registre des PTCE : pôles de la région %(region)s") % {"region": region.name}

    def subtitle(self, region: Region) -> str:
        return _("Les pôles publiés de la région, du plus récemment ajouté ou modifié.")

    def link(self, region: Region) -> str:
        return localised(region.get_absolute_url())

    def feed_url(self, region: Region) -> str:
        return localised(reverse("poles:region-feed", args=[region.slug]))

    def items(self, region: Region):
        return latest_poles(Pole.objects.in_region(region))
