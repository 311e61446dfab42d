"""The published poles that each option of each directory filter gives, as bit sets kept by the
process for the registry's current generation.

Why by hand: the directory counts, for every option of ten filters, the poles it would give
among the current results (``facets.py``); counted by SQL, each filter of related rows
(sectors, calls, kinds of members…) is a grouped query over the matching poles, 10 to 20 ms
each at 10,000 poles, whatever the page shows. No maintained Django library keeps such counts
(django-filter counts nothing; a search server such as Meilisearch would be one more service
to run, and the embedded default has none). A Python ``int`` is a bit set whose ``&`` and
``bit_count()`` run in C: bit *i* stands for the *i*-th published pole by id, an option's set
is 1.25 kB at 10,000 poles, and counting every option of every filter takes well under a
millisecond.

The sets, and the order of the poles for each sort, are read from the database in six
queries whenever the registry has changed since: its generation (``ptce_site.cache``: a new
random value after every write to a pole, a membership, an application…, the signal that
empties the page cache) or its version in the database (``version.py``: moved by the changes
that other processes commit) is not the one they were read at. The rules of each filter stay
those of ``PoleFilterSet``: the tests compare every option's count with the number of results
of its link, and the directory's pages with the FilterSet's own results.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TypeVar

from django.db.models import Window
from django.db.models.functions import RowNumber

from calls.models import Application

from ..territories.models import FormerRegion
from .charter.models import signed_charter
from .filters import SORT_ORDERS
from .models import Pole
from .search.models import MemberKind
from .version import registry_state

Bits = int
T = TypeVar("T")


@dataclass
class PoleSets:
    """``options[filter][value]``: the poles that the filter's option ``value`` (as in the URL)
    gives; ``pairs[(call, outcome)]``: the poles with an application to that call with that
    outcome (the two filters together make one condition)."""

    key: tuple
    ids: list[int]
    position: dict[int, int] = field(default_factory=dict)
    everyone: Bits = 0
    # For each sort of ``SORT_ORDERS``, the positions of the poles in that order; and the
    # place of each pole in the French order of names (relevance's tie-break).
    orders: dict[str, list[int]] = field(default_factory=dict)
    name_rank: list[int] = field(default_factory=list)
    figures: dict[str, object] = field(default_factory=dict)
    options: dict[str, dict[str, Bits]] = field(default_factory=dict)
    pairs: dict[tuple[str, str], Bits] = field(default_factory=dict)

    def kept(self, name: str, compute: Callable[[], T]) -> T:
        """``compute()``, read once for this state of the registry: figures that other pages
        show and that cost more than a page should (the home page's member organisations
        by kind: 150 ms at 300,000 memberships)."""
        if name not in self.figures:
            self.figures[name] = compute()
        return self.figures[name]

    def bits_of(self, pole_ids: Iterable[int]) -> Bits:
        """The set of these poles (those unpublished or unknown left out)."""
        position = self.position
        return _bits((position[pk] for pk in pole_ids if pk in position), len(self.ids))


def _bits(positions: Iterable[int], size: int) -> Bits:
    """The bit set of ``positions``, built in one pass over a buffer: or-ing ``1 << p`` one
    by one would copy the whole integer each time."""
    buffer = bytearray((size >> 3) + 1)
    for position in positions:
        buffer[position >> 3] |= 1 << (position & 7)
    return int.from_bytes(buffer, "little")


class _Collector:
    """Positions gathered per filter and option, then turned into bit sets at once."""

    def __init__(self, ids: list[int]):
        self.position = {pk: position for position, pk in enumerate(ids)}
        self.options: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
        self.pairs: dict[tuple[str, str], list[int]] = defaultdict(list)

    def add(self, name: str, rows: Iterable[tuple[int, object]]) -> None:
        """``rows``: (pole id, option value); rows of unpublished poles are left out. Grouped
        by value first: each value is turned into its key once, not once per row."""
        position = self.position.get
        by_value: dict[object, list[int]] = defaultdict(list)
        for pole_id, value in rows:
            if (place := position(pole_id)) is not None:
                by_value[value].append(place)
        options = self.options[name]
        for value, places in by_value.items():
            if value is not None:
                options[option_key(value)].extend(places)

    def finish(self, sets: PoleSets) -> PoleSets:
        size = len(sets.ids)
        sets.position = self.position
        sets.everyone = (1 << size) - 1
        sets.options = {
            name: {value: _bits(set(positions), size) for value, positions in by_value.items()}
            for name, by_value in self.options.items()
        }
        sets.pairs = {pair: _bits(set(positions), size) for pair, positions in self.pairs.items()}
        return sets


def option_key(value) -> str:
    """An option's value as in the URL: a model's slug, booleans as ``true``/``false``."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(getattr(value, "slug", value))


def _in_departments(poles: list[tuple]) -> Iterable[tuple[int, str]]:
    """(pole, former region) for each former region one of whose departments starts the
    pole's commune code, as ``PoleFilterSet.filter_former_region`` asks in SQL."""
    regions_of: dict[str, list[str]] = defaultdict(list)
    for former in FormerRegion.objects.only("slug", "departments"):
        for department in former.department_codes:
            regions_of[department].append(former.slug)
    for pk, *_, code in poles:
        for length in range(1, len(code) + 1):
            for slug in regions_of.get(code[:length], ()):
                yield pk, slug


# What the sets read of each published pole (``_in_departments`` reads the code last);
# ``signed``: whether it has a signature of the charter (``PoleFilterSet``'s « charter »).
COLUMNS = ("pk", "region__slug", "status", "is_witness", "signed", "commune_code")


def _read(key: tuple) -> PoleSets:
    # The poles and their place in each sort's order in one statement: one snapshot, whatever
    # another connection commits meanwhile (a pole published between two queries would be in
    # an order and not among the poles).
    places = {
        f"place_{number}": Window(RowNumber(), order_by=list(ordering))
        for number, ordering in enumerate(SORT_ORDERS.values())
    }
    rows = list(
        Pole.objects.published()
        .annotate(signed=signed_charter(), **places)
        .order_by("pk")
        .values_list(*COLUMNS, *places)
    )
    poles = [row[: len(COLUMNS)] for row in rows]
    ids = [row[0] for row in poles]
    collector = _Collector(ids)
    collector.add("region", ((row[0], row[1]) for row in poles))
    collector.add("status", ((row[0], row[2]) for row in poles))
    collector.add("witness", ((row[0], row[3]) for row in poles))
    collector.add("charter", ((row[0], bool(row[4])) for row in poles))
    # A pole is in a former region when its commune's code starts with one of its
    # departments (``filter_former_region``; a department listed by two puts it in both)…
    collector.add("former_region", _in_departments(poles))
    through = Pole.sectors.through.objects.order_by()
    collector.add("sector", through.values_list("pole_id", "sector__slug"))
    through = Pole.objectives.through.objects.order_by()
    collector.add("objective", through.values_list("pole_id", "objective__code"))
    collector.add("member_kind", MemberKind.objects.order_by().values_list("pole_id", "kind"))
    applications = list(
        Application.objects.order_by().values_list(
            "pole_id", "call__slug", "outcome", "former_region__slug"
        )
    )
    # … or when one of its applications was made under that region's name.
    collector.add("former_region", ((row[0], row[3]) for row in applications))
    collector.add("call", ((row[0], row[1]) for row in applications))
    collector.add("outcome", ((row[0], row[2]) for row in applications))
    for pole_id, call, outcome, _former in applications:
        if (position := collector.position.get(pole_id)) is not None:
            collector.pairs[(call, outcome)].append(position)
    sets = collector.finish(PoleSets(key=key, ids=ids))
    for number, sort in enumerate(SORT_ORDERS):
        order = sets.orders[sort] = [0] * len(ids)
        for position, row in enumerate(rows):
            order[row[len(COLUMNS) + number] - 1] = position
    sets.name_rank = [0] * len(ids)
    for rank, position in enumerate(sets.orders["name"]):
        sets.name_rank[position] = rank
    return sets


_lock = threading.Lock()
_current: PoleSets | None = None


def pole_sets() -> PoleSets:
    """The sets of the registry as it is now: read again after any write to it."""
    global _current
    # The version in the database follows the changes made by other processes; the cache's
    # generation those made in this one's transaction (each test's, rolled back, too).
    key = registry_state()
    sets = _current
    if sets is None or sets.key != key:
        with _lock:
            if _current is None or _current.key != key:
                _current = _read(key)
            sets = _current
    return sets
