"""The network of the published poles: two poles are linked when one organisation is a current
member of both (``Membership.objects.current()``: no departure date, or one still to come).

Read from the database in two queries and kept by the process for the registry's state, as
the directory's bit sets are (``facet_sets.py``): the key holds the registry's version in the
database and its generation in the cache (``registry_state()``), and today's date, since a
membership whose departure date comes stops being current without any write.

What is computed at once is what the country's page shows: the linked poles, the number of
linking organisations (current members of at least two published poles) and the links between
regions that its drawing shows. The neighbours of the few poles a page lists are counted by
the database when asked (one query); a region's network, and each organisation's poles (the
list by organisation), from the data read, once per region or once in all.

The memberships come as one text: each pole is one character (``pole_char``), each linking
organisation the characters of its poles, in the index's order. Python's string methods then
do in C, over the whole country at once, what a loop per organisation cost (72,736 of them at
the bench's scale: 494–505 ms for the build, against a target of 300): ``set`` gives the linked
poles, ``translate`` turns each pole into its region, ``split`` gives each organisation's
regions, and only the distinct sets of regions (some 7,000) are counted in Python.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import combinations, repeat
from typing import NamedTuple, TypeVar

from django.db.models import (
    Case,
    CharField,
    Count,
    F,
    IntegerField,
    Max,
    Min,
    StringAgg,
    Value,
    When,
)
from django.db.models.functions import Cast, Chr
from django.utils import timezone

from members.models import Membership, Organisation, current_membership
from ptce_site.collation import french

from ..models import Pole
from ..version import registry_state

T = TypeVar("T")

# A pole's character: its id after the first 256 characters (separators and digits stay what
# they are), skipping the surrogates, which are not characters in UTF-8 (PostgreSQL's CHR
# refuses them). Ids above LAST_POLE_ID (over a million poles) would need another encoding.
FIRST, SURROGATES, SKIP = 0x100, 0xD800 - 0x100, 0x800
LAST_POLE_ID = 0x10FFFF - FIRST - SKIP
SEPARATOR = " "  # between two organisations


def pole_char(pole_id: int) -> str:
    """The character that stands for the pole ``pole_id`` (as ``_pole_char_sql()``)."""
    return chr(pole_id + FIRST + (SKIP if pole_id >= SURROGATES else 0))


def _pole_char_sql() -> Chr:
    """``pole_char()`` of a membership's pole, in the database (CHR, CHAR on SQLite)."""
    shift = Case(When(pole_id__gte=SURROGATES, then=Value(FIRST + SKIP)), default=Value(FIRST))
    return Chr(Cast(F("pole_id") + shift, IntegerField()))


class NetworkPole(NamedTuple):
    id: int
    name: str
    slug: str
    region_id: int | None
    latitude: float | None
    longitude: float | None


@dataclass
class RegionLinks:
    """The network restricted to some poles: its organisations (those current members of at
    least two of them) and the links between them, strongest first."""

    positions: list[int]
    organisations: dict[int, tuple[int, ...]]
    links: list[tuple[int, int, int]]  # (position, position, shared organisations)

    @property
    def linked(self) -> list[int]:
        """The positions of the poles with at least one link, in French order."""
        ends = {p for a, b, _w in self.links for p in (a, b)}
        return [p for p in self.positions if p in ends]


@dataclass
class Network:
    key: tuple
    poles: list[NetworkPole]
    position: dict[int, int]
    # pole_char() of each pole read -> its position.
    code: dict[str, int]
    # The linking organisations: their poles' characters, one organisation after the other
    # (SEPARATOR between two), and their ids in the same order (text, "," between two).
    memberships: str
    organisation_ids: str
    # The characters of the text (the linked poles, and any published since the first query).
    present: set[str] = field(default_factory=set)
    organisations_count: int = 0
    # (region, region), the first's id the smaller: the organisations that link a pole of one
    # to a pole of the other (0: poles without a region).
    region_links: Counter = field(default_factory=Counter)
    # The positions of the poles with at least one link, in French order.
    linked_positions: list[int] = field(default_factory=list)
    _kept: dict = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def kept(self, name: str, compute: Callable[[], T]) -> T:
        """``compute()`` once for this state of the registry."""
        if name not in self._kept:
            with self._lock:
                if name not in self._kept:
                    self._kept[name] = compute()
        return self._kept[name]

    @property
    def organisations(self) -> dict[int, set[int]]:
        """Each linking organisation's poles (positions), computed when first asked: only
        the list by organisation needs them all."""
        return self.kept("organisations", lambda: dict(self._restricted_to(self.code)))

    def _restricted_to(self, code: dict[str, int]):
        """(organisation, its poles' positions) for each organisation current member of at
        least two of the poles ``code`` gives (character -> position): one ``translate`` of
        the whole text, then a set per organisation."""
        table = dict.fromkeys(map(ord, self.present))  # the other poles left out
        table.update({ord(char): chr(position) for char, position in code.items()})
        table[ord(SEPARATOR)] = chr(0x10FFFF)  # no position (the poles are fewer)
        texts = self.memberships.translate(table).split(chr(0x10FFFF))
        ids = map(int, self.organisation_ids.split(","))
        sets = map(set, map(map, repeat(ord), texts))
        return ((pk, poles) for pk, poles in zip(ids, sets, strict=True) if len(poles) > 1)

    def neighbours(self, positions: list[int], among: set[int] | None = None) -> dict:
        """For each pole of ``positions``: [(pole position, shared organisations)] of the
        poles linked to it (only those ``among`` when given), the most shared first, then in
        French order. One query: for the current memberships of these poles, the other
        published poles of their organisations, counted by the database."""
        ids = [self.poles[p].id for p in positions]
        rows = (
            Membership.objects.current()
            .filter(current_membership("organisation__memberships__"),
                    organisation__memberships__pole_id__in=ids, pole__is_published=True)
            .order_by()
            .values_list("organisation__memberships__pole_id", "pole_id")
            .annotate(shared=Count("organisation_id", distinct=True))
        )
        result: dict[int, list] = {p: [] for p in positions}
        for pole, other, shared in rows:
            if (p := self.position.get(other)) is not None and (among is None or p in among):
                result[self.position[pole]].append((p, shared))
        for position, items in result.items():
            items[:] = sorted((item for item in items if item[0] != position),
                              key=lambda item: (-item[1], item[0]))
        return result

    def in_region(self, region_id: int) -> RegionLinks:
        """The network of one region's poles (links between two poles of that region)."""
        return self.kept(f"region-{region_id}", lambda: self._restricted(region_id))

    def _restricted(self, region_id: int) -> RegionLinks:
        positions = [p for p, pole in enumerate(self.poles) if pole.region_id == region_id]
        ours = {pole_char(self.poles[p].id): p for p in positions}
        organisations = {pk: tuple(sorted(poles)) for pk, poles in self._restricted_to(ours)}
        weights: Counter = Counter()
        for poles in organisations.values():
            weights.update(combinations(poles, 2))
        links = sorted(((a, b, w) for (a, b), w in weights.items()),
                       key=lambda link: (-link[2], link[0], link[1]))
        return RegionLinks(positions, organisations, links)

    def organisation_order(self) -> list[int]:
        """The linking organisations' ids in French order of their names (read when first
        asked: only the list of organisations needs it)."""

        def read() -> list[int]:
            linking = set(map(int, self.organisation_ids.split(","))) if self.memberships else ()
            ids = Organisation.objects.order_by(french("name"), "pk").values_list("pk", flat=True)
            return [pk for pk in ids.iterator(chunk_size=20_000) if pk in linking]

        return self.kept("organisation-order", read)


def build(key: tuple = ()) -> Network:
    """The network as the database holds it now: two queries, the published poles in French
    order and the linking organisations' memberships as one text (``_memberships``)."""
    poles = [
        NetworkPole(*row)
        for row in Pole.objects.published()
        .order_by(french("name"), "pk")
        .values_list("pk", "name", "slug", "region_id", "latitude", "longitude")
    ]
    if poles and max(pole.id for pole in poles) > LAST_POLE_ID:
        raise OverflowError(f"Pole ids above {LAST_POLE_ID} have no character: see pole_char()")
    position = {pole.id: index for index, pole in enumerate(poles)}
    code = {pole_char(pole.id): index for index, pole in enumerate(poles)}
    memberships, organisation_ids = _memberships()
    network = Network(key, poles, position, code, memberships, organisation_ids)
    if memberships:
        network.present = set(memberships)
        network.present.discard(SEPARATOR)
        # A pole published since the first query is not among those read: left out.
        network.linked_positions = sorted(map(code.__getitem__, network.present & code.keys()))
        network.region_links, network.organisations_count = _region_links(network)
    return network


def _memberships() -> tuple[str, str]:
    """The current memberships of published poles, for the organisations current members of
    two of them or more: their poles' characters, organisation after organisation, and the
    organisations' ids. Grouped by organisation in the order of the index on (organisation,
    pole, departure date), which serves it without reading the table (``members/0006``); the
    unpublished poles left out by a subquery, not a join, which would lose that order; two
    roles in one pole are one pole (MIN < MAX: two poles at least)."""
    unpublished = Pole.objects.filter(is_published=False).values("pk")
    rows = (
        Membership.objects.current()
        .exclude(pole__in=unpublished)
        .order_by()
        .values("organisation_id")
        .annotate(first=Min("pole_id"), last=Max("pole_id"),
                  poles=StringAgg(_pole_char_sql(), delimiter=Value("")))
        .filter(first__lt=F("last"))
    )
    # Both texts are aggregated over the same rows, in the same order.
    texts = rows.aggregate(
        memberships=StringAgg("poles", delimiter=Value(SEPARATOR)),
        organisations=StringAgg(Cast("organisation_id", CharField()), delimiter=Value(",")),
    )
    return texts["memberships"] or "", texts["organisations"] or ""


def _region_links(network: Network) -> tuple[Counter, int]:
    """(region, region) -> the organisations that link them, and the number of linking
    organisations. Each pole's character becomes its region's letter, each organisation the
    letters of its poles' regions; the distinct sets of letters are counted, then their pairs
    (the per-pair counts of the few distinct sets, not of every organisation)."""
    regions = sorted({pole.region_id or 0 for pole in network.poles})  # 0: no region
    # Letters from "!" on, in the order of the regions' ids: the text stays one byte a
    # character (faster to split and count), and a pair of letters sorts as its regions.
    letter = {region: chr(ord("!") + rank) for rank, region in enumerate(regions)}
    table = dict.fromkeys(map(ord, network.present))  # a pole published since: left out
    table.update({ord(char): letter[network.poles[p].region_id or 0]
                  for char, p in network.code.items()})
    by_text = Counter(network.memberships.translate(table).split(SEPARATOR))
    by_set: dict[frozenset, int] = {}
    for letters, count in zip(map(frozenset, by_text), by_text.values(), strict=True):
        by_set[letters] = by_set.get(letters, 0) + count
    by_pair: Counter = Counter()
    for letters, count in by_set.items():
        for pair in combinations(sorted(letters), 2):
            by_pair[pair] += count
    region_of = dict(zip(letter.values(), letter.keys(), strict=True))
    links = Counter({(region_of[a], region_of[b]): n for (a, b), n in by_pair.items()})
    return links, by_text.total()


_lock = threading.Lock()
_current: Network | None = None


def network() -> Network:
    """The network of the registry as it is now: read again after any change to it."""
    global _current
    key = (*registry_state(), timezone.localdate())
    current = _current
    if current is None or current.key != key:
        with _lock:
            if _current is None or _current.key != key:
                _current = build(key)
            current = _current
    return current


def forget() -> None:
    """Drop the process's copy (tests that change the registry outside a transaction)."""
    global _current
    _current = None
