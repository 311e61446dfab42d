"""The network of the published poles: two poles are linked when one organisation is a current
member of both (``Membership.objects.current()``: no departure date, or one still to come).

Read from the database in two queries and kept by the process for the registry's state, as
the directory's bit sets are (``facet_sets.py``): the key holds the registry's version in the
database, its generation in the cache and today's date (``registry_state()``), since a
membership whose departure date comes stops being current without any write.

``build()`` computes what the country's page shows: the linked poles, the number of linking
organisations (current members of at least two published poles) and the links between
regions that its drawing shows. The neighbours of the 25 poles of a page are counted when
asked, from one query (their memberships) and each organisation's poles (``poles_of``); a
region's network and every organisation's poles (the list by organisation) are computed from
the data read, once per region or once in all. Enumerating every pair of linked poles of the
country (330,000 at 10,000 poles) would cost more than the whole build.

The memberships come as one text: each pole is one character (``pole_char``), each linking
organisation the characters of its poles. Python's string methods then do in C, over the whole
country at once, what a loop per organisation did (72,736 organisations at the bench's scale;
the build took 494-505 ms, against a target of 300): ``set`` gives the linked poles,
``translate`` turns each pole into its region's letter, ``split`` gives each organisation's
regions, and only the distinct sets of regions (some 7,000) are counted one by one. What the
database does is what it does fast: grouping the memberships in the order of an index.
"""

from __future__ import annotations

import sys
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import combinations, repeat
from typing import NamedTuple, TypeVar

from django.db.models import (
    Case,
    CharField,
    F,
    IntegerField,
    Max,
    Min,
    StringAgg,
    Value,
    When,
)
from django.db.models.functions import Cast, Chr

from members.models import Membership, Organisation
from ptce_site.collation import french

from ..models import Pole
from ..version import KeptForState, OnePerState

T = TypeVar("T")

# A pole's character: its id after the first 256 characters (separators and digits stay what
# they are), skipping the surrogates, which are not characters in UTF-8 (PostgreSQL's CHR
# refuses them). Ids above LAST_POLE_ID (over a million poles) would need another encoding.
FIRST, SURROGATES, SKIP = 0x100, 0xD800 - 0x100, 0x800
LAST_POLE_ID = 0x10FFFF - FIRST - SKIP
SEPARATOR = " "  # between two organisations
# The text as code points (numbers) in one C call: faster to gather than its characters.
UTF_32 = "utf-32-le" if sys.byteorder == "little" else "utf-32-be"


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
    """The network of one state of the registry (``key``): what ``build()`` read and
    computed, and what pages compute from it once (``kept``)."""

    key: tuple
    poles: list[NetworkPole]
    position: dict[int, int]
    # The code point of each pole's pole_char() -> its position.
    code: dict[int, int]
    # The linking organisations: their poles' characters, one organisation after the other
    # (SEPARATOR between two), and their ids in the same order (text, "," between two).
    memberships: str
    organisation_ids: str
    # The code points of the text's poles (the linked poles, and any published since the
    # first query).
    present: set[int] = field(default_factory=set)
    organisations_count: int = 0
    # (region, region), the first's id the smaller: the organisations that link a pole of one
    # to a pole of the other (0: poles without a region).
    region_links: Counter = field(default_factory=Counter)
    # The positions of the poles with at least one link, in French order.
    linked_positions: list[int] = field(default_factory=list)
    _kept: KeptForState = field(default_factory=KeptForState)

    def kept(self, name: str, compute: Callable[[], T]) -> T:
        """``compute()`` once for this state of the registry."""
        return self._kept.get(name, compute)

    @property
    def organisations(self) -> dict[int, set[int]]:
        """Each linking organisation's poles (positions), computed when first asked: the
        pages need only a few organisations' (``positions_of``)."""
        return self.kept("organisations", lambda: dict(self._restricted_to(self.code)))

    def table(self, poles: dict[int, str], separator: str = SEPARATOR) -> list:
        """A ``str.translate`` table for the text: each pole of ``poles`` (code point -> what
        it becomes), the others deleted (among them any pole published since the first
        query), SEPARATOR made ``separator``. A list, not a dict: translate reads it without
        hashing, twice as fast."""
        table: list = [None] * (max(self.present) + 1)  # pole characters come after SEPARATOR
        table[ord(SEPARATOR)] = separator
        size = len(table)
        for point, text in poles.items():
            # A pole beyond the text's last character (the newest, sharing no member) is
            # in no organisation's text: nothing to translate.
            if point < size:
                table[point] = text
        return table

    def _restricted_to(self, code: dict[int, int]):
        """(organisation, its poles' positions) for each organisation current member of at
        least two of the poles ``code`` gives (code point -> position): one ``translate`` of
        the whole text, then a set per organisation."""
        if not self.memberships:
            return iter(())
        end = chr(0x10FFFF)  # no position (the poles are fewer)
        table = self.table({point: chr(position) for point, position in code.items()}, end)
        texts = self.memberships.translate(table).split(end)
        ids = map(int, self.organisation_ids.split(","))
        sets = map(set, map(map, repeat(ord), texts))
        return ((pk, poles) for pk, poles in zip(ids, sets, strict=True) if len(poles) > 1)

    def neighbours(self, positions: list[int], among: set[int] | None = None) -> dict:
        """For each pole of ``positions``: [(pole position, shared organisations)] of the
        poles linked to it (only those ``among`` when given), the most shared first, then in
        French order. One query: the current memberships of these poles; their
        organisations' poles are read from the text (``poles_of``)."""
        ids = [self.poles[p].id for p in positions]
        rows = (
            Membership.objects.current()
            .filter(pole_id__in=ids)
            .order_by()
            .values_list("pole_id", "organisation_id")
            .distinct()
        )
        counts: dict[int, Counter] = {p: Counter() for p in positions}
        for pole, organisation in rows:
            counts[self.position[pole]].update(self.positions_of(organisation))
        result = {}
        for position, counter in counts.items():
            del counter[position]
            items = [(p, n) for p, n in counter.items() if among is None or p in among]
            result[position] = sorted(items, key=lambda item: (-item[1], item[0]))
        return result

    def poles_of(self) -> dict[int, str]:
        """Each linking organisation's id -> its poles' characters: two ``split`` of the
        texts read (a few milliseconds at the bench's scale, once)."""
        return self.kept("poles-of", lambda: dict(zip(
            map(int, self.organisation_ids.split(",")), self.memberships.split(SEPARATOR),
            strict=True,
        )) if self.memberships else {})

    def positions_of(self, organisation: int) -> set[int]:
        """The positions of an organisation's poles if it links some, else none (a pole
        published since the build left out)."""
        positions = set(map(self.code.get, map(ord, self.poles_of().get(organisation, ""))))
        positions.discard(None)
        return positions

    def in_region(self, region_id: int) -> RegionLinks:
        """The network of one region's poles (links between two poles of that region)."""
        return self.kept(f"region-{region_id}", lambda: self._restricted(region_id))

    def _restricted(self, region_id: int) -> RegionLinks:
        """The region's linking organisations from the text, then their pairs of poles
        (a region has a few hundred poles: its pairs can be enumerated)."""
        positions = [p for p, pole in enumerate(self.poles) if pole.region_id == region_id]
        ours = {ord(pole_char(self.poles[p].id)): p for p in positions}
        organisations = {pk: tuple(sorted(poles)) for pk, poles in self._restricted_to(ours)}
        weights: Counter = Counter()
        for poles in organisations.values():
            weights.update(combinations(poles, 2))
        links = sorted(((a, b, w) for (a, b), w in weights.items()),
                       key=lambda link: (-link[2], link[0], link[1]))
        return RegionLinks(positions, organisations, links)

    def with_members(self) -> set[int]:
        """The positions of the poles with at least one current member recorded: a pole
        without any is not known to be unlinked, and the page counts the linked ones among
        these (read when first asked, once for this state)."""

        def read() -> set[int]:
            ids = Membership.objects.current().order_by().values_list("pole_id", flat=True)
            return {self.position[pk] for pk in ids.distinct() if pk in self.position}

        return self.kept("with-members", read)

    def organisation_order(self) -> list[int]:
        """The linking organisations' ids in French order of their names (read when first
        asked: only the list of organisations needs it)."""

        def read() -> list[int]:
            linking = self.poles_of()
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
    code = {ord(pole_char(pole.id)): index for index, pole in enumerate(poles)}
    memberships, organisation_ids = _memberships()
    network = Network(key, poles, position, code, memberships, organisation_ids)
    if memberships:
        network.present = set(memoryview(memberships.encode(UTF_32)).cast("I"))
        network.present.discard(ord(SEPARATOR))
        # A pole published since the first query is not among those read: left out.
        network.linked_positions = sorted(map(code.__getitem__, network.present & code.keys()))
        network.region_links, network.organisations_count = _region_links(network)
    return network


def _memberships() -> tuple[str, str]:
    """The current memberships of published poles, for the organisations current members of
    two of them or more: their poles' characters, organisation after organisation, and the
    organisations' ids. Grouped by organisation in the order of the index on (organisation,
    pole, departure date), which serves it without reading the table once VACUUM (autovacuum)
    has marked the table's pages as visible (``members/0006``); the unpublished poles left out
    by a subquery, not a join, which would lose that order; two roles in one pole are one pole
    (MIN < MAX: two poles at least)."""
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
    letters of its poles' regions; the distinct sets of letters are counted (some 7,000 for
    72,736 organisations at the bench's scale), then their pairs (``_pairs``)."""
    regions = sorted({pole.region_id or 0 for pole in network.poles})  # 0: no region
    # Letters from "!" on, in the order of the regions' ids: the text stays one byte a
    # character (faster to split and count), and a pair of letters sorts as its regions.
    letter = {region: chr(ord("!") + rank) for rank, region in enumerate(regions)}
    table = network.table({point: letter[network.poles[p].region_id or 0]
                           for point, p in network.code.items()})
    by_text = Counter(network.memberships.translate(table).split(SEPARATOR))
    by_set: dict[frozenset, int] = {}
    for letters, count in zip(map(frozenset, by_text), by_text.values(), strict=True):
        by_set[letters] = by_set.get(letters, 0) + count
    region_of = dict(zip(letter.values(), letter.keys(), strict=True))
    links = Counter({(region_of[a], region_of[b]): n for (a, b), n in _pairs(by_set).items()})
    return links, by_text.total()


def _pairs(weights: dict[frozenset, int]) -> dict[tuple, int]:
    """(a, b), a < b -> the total weight of the sets that hold both. Each element's sets as a
    set of their indexes, intersected pair by pair in C: a third of the time of counting
    every pair of every set in Python."""
    counts = list(weights.values())
    holders: defaultdict = defaultdict(set)
    for index, elements in enumerate(weights):
        for element in elements:
            holders[element].add(index)
    pairs = {}
    for a, b in combinations(sorted(holders), 2):
        if both := holders[a] & holders[b]:
            pairs[a, b] = sum(map(counts.__getitem__, both))
    return pairs


_network = OnePerState(build)


def network() -> Network:
    """The network of the registry as it is now: read again after any change to it."""
    return _network.get()
