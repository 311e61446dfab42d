"""The network of the published poles: two poles are linked when one organisation is a current
member of both (``Membership.objects.current()``: no departure date, or one still to come).

Read from the database in two queries (the published poles in French order, the current
memberships grouped by organisation) and kept by the process for the registry's state, as the
directory's bit sets are (``facet_sets.py``): the key holds the registry's version in the
database and its generation in the cache (``registry_state()``), and today's date, since a
membership whose departure date comes stops being current without any write.

What is computed at once is what the country's page needs: each linking organisation (current
member of at least two published poles) with its poles, the linked poles, and the links
between regions that its drawing shows. What a page shows of a few poles (their neighbours
and weights) is counted when asked, from those and one query; a region's links once per
region: enumerating every pair of linked poles of the country (330,000 at 10,000 poles) would
cost more than the whole build.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import accumulate, chain, combinations, compress, repeat
from operator import add, contains, itemgetter, lt
from typing import NamedTuple, TypeVar

from django.db.models import CharField, Count, StringAgg, Value
from django.db.models.functions import Cast
from django.utils import timezone

from members.models import Membership, Organisation
from ptce_site.collation import french

from ..models import Pole
from ..version import registry_state

T = TypeVar("T")


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
    # Each linking organisation's poles (positions: sorted, they are in French order).
    organisations: dict[int, set[int]]
    # (region, region), the first's id the smaller: the organisations that link a pole of one
    # to a pole of the other (0: poles without a region).
    region_links: Counter = field(default_factory=Counter)
    # The positions of the poles with at least one link, in French order.
    linked_positions: list[int] = field(default_factory=list)
    _kept: dict = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def neighbours(self, positions: list[int], among: set[int] | None = None) -> dict:
        """For each pole of ``positions``: [(pole position, shared organisations)] of the
        poles linked to it (only those ``among`` when given), the most shared first, then in
        French order. One query: the current memberships of these poles."""
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
            if (poles := self.organisations.get(organisation)) is not None:
                counts[self.position[pole]].update(poles)
        result = {}
        for position, counter in counts.items():
            del counter[position]
            items = [(p, n) for p, n in counter.items() if among is None or p in among]
            result[position] = sorted(items, key=lambda item: (-item[1], item[0]))
        return result

    def kept(self, name: str, compute: Callable[[], T]) -> T:
        """``compute()`` once for this state of the registry."""
        if name not in self._kept:
            with self._lock:
                if name not in self._kept:
                    self._kept[name] = compute()
        return self._kept[name]

    def in_region(self, region_id: int) -> RegionLinks:
        """The network of one region's poles (links between two poles of that region)."""
        return self.kept(f"region-{region_id}", lambda: self._restricted(region_id))

    def _restricted(self, region_id: int) -> RegionLinks:
        positions = [p for p, pole in enumerate(self.poles) if pole.region_id == region_id]
        inside = set(positions)
        organisations = {}
        for organisation, poles in self.organisations.items():
            if len(ours := inside.intersection(poles)) > 1:
                organisations[organisation] = tuple(sorted(ours))
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
            ids = Organisation.objects.order_by(french("name"), "pk").values_list("pk", flat=True)
            return [pk for pk in ids.iterator(chunk_size=20_000) if pk in self.organisations]

        return self.kept("organisation-order", read)


def build(key: tuple = ()) -> Network:
    """The network as the database holds it now: two queries. The memberships come grouped
    by organisation, their poles joined in one text, and only for organisations with two
    memberships or more: a Python loop over 300,000 rows would cost more than all the rest."""
    poles = [
        NetworkPole(*row)
        for row in Pole.objects.published()
        .order_by(french("name"), "pk")
        .values_list("pk", "name", "slug", "region_id", "latitude", "longitude")
    ]
    position = {pole.id: index for index, pole in enumerate(poles)}
    # Unpublished poles are left out below (they have no position): no join with the poles.
    rows = (
        Membership.objects.current()
        .order_by()
        .values("organisation_id")
        .annotate(
            count=Count("*"),
            poles=StringAgg(Cast("pole_id", CharField()), delimiter=Value(",")),
        )
        .filter(count__gt=1)
        .values_list("organisation_id", "poles")
    )
    organisations = _linking(list(rows), position)
    region_of = [pole.region_id or 0 for pole in poles]  # 0: no region
    return Network(
        key, poles, position, organisations, _region_links(organisations, region_of),
        sorted(set().union(*organisations.values())),
    )


def _linking(rows: list[tuple[int, str]], position: dict[int, int]) -> dict[int, set[int]]:
    """Each organisation's published poles (their positions), for those with two or more.

    Two roles in one pole are one pole; an unpublished pole, or one published between the two
    queries, is not among the poles read: left out. Written as pipelines of built-in
    functions over every row at once rather than a loop per organisation (75,000 at the
    bench's scale): the loop cost twice as much, more than the rest of the build."""
    if not rows:
        return {}
    texts = list(map(itemgetter(1), rows))
    places = list(map(position.get, map(int, ",".join(texts).split(",")), repeat(-1)))
    ends = list(accumulate(map(add, map(str.count, texts, repeat(",")), repeat(1))))
    sets = list(map(set, map(places.__getitem__, map(slice, [0, *ends[:-1]], ends))))
    for with_unpublished in compress(sets, map(contains, sets, repeat(-1))):
        with_unpublished.discard(-1)
    linking = map(lt, repeat(1), map(len, sets))
    return dict(compress(zip(map(itemgetter(0), rows), sets, strict=True), linking))


def _region_links(organisations: dict[int, set[int]], region_of: list[int]) -> Counter:
    """(region, region), the first's id the smaller -> the organisations that link a pole of
    one to a pole of the other. Pipelines of built-in functions again (each organisation's
    distinct regions, sorted, then their pairs, counted)."""
    regions = map(sorted, map(set, map(map, repeat(region_of.__getitem__),
                                         organisations.values())))
    return Counter(chain.from_iterable(map(combinations, regions, repeat(2))))


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


