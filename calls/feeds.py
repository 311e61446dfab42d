"""Atom feed of the calls for projects, newest first (Django's syndication framework), in
the request's language; links on ``SITE_URL`` (see ``poles/registry/feeds.py``)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from ptce_site.collation import french
from ptce_site.feeds import OpenFeed
from ptce_site.links import localised

from .models import Call


class CallFeed(OpenFeed):
    feed_type = Atom1Feed

    def title(self) -> str:
        return _("Registre des PTCE : nouveaux appels à projets")

    def subtitle(self) -> str:
        return _("Les appels à projets et à candidatures de la démarche, du plus récent.")

    def link(self) -> str:
        return localised(reverse("calls:call-list"))

    def feed_url(self) -> str:
        return localised(reverse("calls:call-feed"))

    def items(self):
        return Call.objects.order_by("-created_at", "-year", french("title"))[:50]

    def item_title(self, call: Call) -> str:
        return call.title

    def item_description(self, call: Call) -> str:
        return call.summary

    def item_link(self, call: Call) -> str:
        return localised(call.get_absolute_url())

    def item_pubdate(self, call: Call):
        return call.created_at

    def item_updateddate(self, call: Call):
        return call.updated_at
