"""``Pole.objects``: the registry's questions about poles, as QuerySet methods that read like
sentences (``Pole.objects.published().in_region(region).for_cards()``)."""

from __future__ import annotations

from django.db import models
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Subquery
from django.utils import timezone

from members.models import current_membership
from ptce_site.collation import french, french_key
from ptce_site.scope import scope

from ..territories.models import FormerRegion, Region


class Shown:
    """A pole or an organisation as a list of links shows it: its name, and its page's
    address given by its model's own ``get_absolute_url``."""

    __slots__ = ("name", "slug", "url")

    def __init__(self, model, name: str, slug: str):
        self.name, self.slug = name, slug
        self.url = model.get_absolute_url(self)

    def get_absolute_url(self) -> str:
        return self.url

    def __str__(self) -> str:
        return self.name


class PoleQuerySet(models.QuerySet):
    def published(self) -> PoleQuerySet:
        return self.filter(is_published=True)

    def in_region(self, region) -> PoleQuerySet:
        """Poles of ``region``: a Region, a FormerRegion (its current region's poles), or a slug."""
        if isinstance(region, FormerRegion):
            return self.filter(region_id=region.region_id)
        if isinstance(region, Region):
            return self.filter(region=region)
        return self.filter(region__slug=region)

    def with_member_count(self) -> PoleQuerySet:
        """Annotate ``member_count``: organisations currently members (no left date)."""
        return self.annotate(
            member_count=Count(
                "memberships__organisation",
                filter=current_membership("memberships__"),
                distinct=True,
            )
        )

    def charter_signatories(self, signed: bool = True) -> PoleQuerySet:
        """Poles that signed the charter (``signed=False``: those that did not)."""
        from .charter.models import signed_charter

        signature = signed_charter()
        return self.filter(signature if signed else ~signature)

    def with_charter_date(self) -> PoleQuerySet:
        """Annotate ``charter_signed_on``: the day the pole signed the charter (None if it did
        not), read from its signature, the one place that records it."""
        from .charter.models import CharterSignature

        earliest = (
            CharterSignature.objects.filter(pole=OuterRef("pk"))
            .order_by("signed_on")
            .values("signed_on")[:1]
        )
        return self.annotate(charter_signed_on=Subquery(earliest))

    def for_cards(self) -> PoleQuerySet:
        """Load what lists show of each pole (region, sectors, calls won) in constant queries."""
        from calls.models import Application

        laureate_applications = (
            Application.objects.laureates().select_related("call").order_by("call__year")
        )
        return self.with_charter_date().select_related("region").prefetch_related(
            "sectors",
            models.Prefetch(
                "applications", queryset=laureate_applications, to_attr="laureate_applications"
            ),
        )

    def for_detail(self) -> PoleQuerySet:
        """Load what a pole's page shows in constant queries: region (with its former
        regions), sectors, objectives, sources, every membership with its organisation
        (``all_memberships``) and every application with its call, oldest call first
        (``all_applications``). Its charter signatures: ``charter_signatures_of``."""
        from calls.models import Application
        from members.models import Membership

        applications = (
            Application.objects.select_related("call", "former_region__region")
            .order_by("call__year", french("call__title"))
        )
        return (
            self.with_charter_date()
            .select_related("region")
            .prefetch_related(
                "sectors",
                "objectives",
                "sources",
                "region__former_regions",
                Prefetch(
                    "memberships",
                    queryset=Membership.objects.select_related("organisation"),
                    to_attr="all_memberships",
                ),
                Prefetch("applications", queryset=applications, to_attr="all_applications"),
            )
        )

    def with_page_parts_known(self) -> PoleQuerySet:
        """Annotate ``has_events`` and ``has_checked_figures``: whether the pole took part in
        an event of the chronology, whether it has checked yearly indicators. Most poles have
        neither: their page reads neither (a query less for each)."""
        from .events.models import Event
        from .indicators.models import YearlyIndicators

        return self.annotate(
            has_events=Exists(Event.objects.filter(poles=OuterRef("pk"))),
            has_checked_figures=Exists(
                YearlyIndicators.objects.checked().filter(pole=OuterRef("pk"))
            ),
        )

    def sharing_members_with(self, pole, organisation_ids) -> list[tuple]:
        """The other poles of this queryset of which some of ``organisation_ids`` (``pole``'s
        current members) are current members too, each with those organisations: the most
        shared first, then in French order of names. One query; each pole and organisation
        as a link (``Shown``), not a model instance: a pole's page lists a hundred of them."""
        from members.models import Membership, Organisation

        from .models import Pole

        rows = (
            Membership.objects.current().filter(
                organisation_id__in=organisation_ids,
                pole__in=self.exclude(pk=pole.pk),
            )
            .order_by(french("organisation__name"))
            .values_list("pole_id", "pole__name", "pole__slug",
                         "organisation_id", "organisation__name", "organisation__slug")
        )
        by_pole: dict[int, tuple[Shown, dict[int, Shown]]] = {}
        for pole_id, pole_name, pole_slug, organisation_id, name, slug in rows:
            entry = by_pole.get(pole_id)
            if entry is None:
                entry = by_pole[pole_id] = (Shown(Pole, pole_name, pole_slug), {})
            if organisation_id not in entry[1]:
                entry[1][organisation_id] = Shown(Organisation, name, slug)
        shared = [(other, list(members.values())) for other, members in by_pole.values()]
        return sorted(shared, key=lambda e: (-len(e[1]), french_key(e[0].name)))

    def editable_by(self, user) -> PoleQuerySet:
        """The poles ``user`` may edit: those they lead; for curators, those they curate too
        (every pole, or a regional curator's regions: ``ptce_site.scope``, as in the admin)."""
        if not (user.is_authenticated and user.is_active):
            return self.none()
        if user.is_staff and user.has_perm("poles.change_pole"):
            led = user.led_poles.values_list("pk", flat=True)
            return scope().visible(self, user, also=led)
        return self.led_by(user)

    def led_by(self, user) -> PoleQuerySet:
        """The poles ``user`` is a leader of (curators' other poles not included)."""
        return self.filter(pk__in=user.led_poles.values("pk"))

    def bump_version(self, **changes) -> int:
        """Bulk update that keeps optimistic locking and timestamps right (admin actions), and
        makes the cached public pages stale (a bulk update sends no signal)."""
        from ptce_site.cache import bump_generation

        from .search import reindex_poles
        from .search.signals import INDEXED_FIELDS

        # Publishing changes which words the search may suggest: the index follows.
        indexed = bool(INDEXED_FIELDS & changes.keys())
        ids = list(self.values_list("pk", flat=True)) if indexed else []
        count = self.update(version=F("version") + 1, updated_at=timezone.now(), **changes)
        reindex_poles(ids)
        bump_generation()
        return count


def charter_signatures_of(pole) -> list:
    """The pole's signatures of the charter, with their charter and sources, as its page shows
    them; none read when its ``charter_signed_on`` (``with_charter_date``) says it signed
    none, as most poles: a query less on their page."""
    from .charter.models import CharterSignature

    if getattr(pole, "charter_signed_on", True) is None:
        return []
    signatures = CharterSignature.objects.filter(pole=pole)
    return list(signatures.select_related("charter").prefetch_related("sources"))
