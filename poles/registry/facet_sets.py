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

The sets, and the order of the poles for each sort, are read from the database in one statement
(``_words_sql``: the database or-s each option's poles into words of 64 bits, the process puts
the words together) and a query of the former regions' departments, whenever the registry has
changed since: its generation (``ptce_site.cache``: a new random value after every write to a
pole, a membership, an application…, the signal that empties the page cache) or its version in
the database (``version.py``: moved by the changes that other processes commit) is not the one
they were read at. The rules of each filter stay those of ``PoleFilterSet``: the tests compare
every option's count with the number of results of its link, and the directory's pages with the
FilterSet's own results.
"""

from __future__ import annotations

import sys
from array import array
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from operator import itemgetter
from typing import TypeVar

from django.db import connection
from django.db.models import Case, F, QuerySet, Value, When, Window
from django.db.models.functions import Concat, RowNumber

from calls.models import Application

from ..territories.models import FormerRegion
from .bitsets import Bits, bits_from
from .charter.models import signed_charter
from .filters import SORT_ORDERS, WITNESS_OPTIONS, witness_condition
from .models import Pole
from .search.models import MemberKind
from .version import KeptForState, OnePerState

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
    figures: KeptForState = field(default_factory=KeptForState)
    options: dict[str, dict[str, Bits]] = field(default_factory=dict)
    pairs: dict[tuple[str, str], Bits] = field(default_factory=dict)

    def kept(self, name: str, compute: Callable[[], T]) -> T:
        """``compute()``, read once for this state of the registry: figures that other pages
        show and that cost more than a page should (the home page's member organisations
        by kind: 150 ms at 300,000 memberships)."""
        return self.figures.get(name, compute)

    def bits_of(self, pole_ids: Iterable[int]) -> Bits:
        """The set of these poles (those unpublished or unknown left out)."""
        position = self.position
        return bits_from((position[pk] for pk in pole_ids if pk in position), len(self.ids))


class _Collector:
    """The sets put together from the words of 64 bits that the database gave each option
    (``_words_sql``): a word written into an array, an option's array read as one integer
    at C speed."""

    def __init__(self, ids: list[int]):
        self.position = {pk: position for position, pk in enumerate(ids)}
        self.words = (len(ids) + WORD - 1) // WORD
        self.options: dict[str, dict[str, array]] = {
            name: {} for name in (*POLE_FILTERS, *ROW_FILTERS)
        }

    def add_word(self, name: str, value: str | None, word: int, bits: int) -> None:
        """Bits ``64 * word`` to ``64 * word + 63`` of option ``value`` of filter ``name``
        (as signed by the database: made unsigned here)."""
        if value is None:
            return
        words = self.options[name].get(value)
        if words is None:
            words = self.options[name][value] = array("Q", bytes(8 * self.words))
        words[word] = bits & WORD_MASK

    def add(self, name: str, rows: Iterable[tuple[int, str]]) -> None:
        """``rows``: (pole id, option value) read in Python (unpublished poles left out),
        or-ed into the option's words."""
        position = self.position.get
        by_value: dict[str, list[int]] = defaultdict(list)
        for pole_id, value in rows:
            if (place := position(pole_id)) is not None:
                by_value[value].append(place)
        options, size = self.options[name], len(self.position)
        for value, places in by_value.items():
            bits = bits_from(places, size) | (_as_int(options[value]) if value in options else 0)
            options[value] = array("Q", bits.to_bytes(8 * self.words, sys.byteorder))

    def finish(self, sets: PoleSets) -> PoleSets:
        sets.position = self.position
        sets.everyone = (1 << len(sets.ids)) - 1
        sets.options = {
            name: {value: _as_int(words) for value, words in by_value.items()}
            for name, by_value in self.options.items()
        }
        # A call's poles are those of its pairs (call, outcome), an outcome's likewise.
        calls, outcomes = sets.options["call"], sets.options["outcome"] = {}, {}
        for pair, bits in sets.options.pop(PAIR).items():
            call, outcome = pair.split(PAIR_SEPARATOR, 1)
            sets.pairs[(call, outcome)] = bits
            calls[call] = calls.get(call, 0) | bits
            outcomes[outcome] = outcomes.get(outcome, 0) | bits
        return sets


def _as_int(words: array) -> Bits:
    return int.from_bytes(words.tobytes(), sys.byteorder)


def option_key(value) -> str:
    """An option's value as in the URL: a model's slug, booleans as ``true``/``false``."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(getattr(value, "slug", value))


def _in_departments(poles: Iterable[tuple[int, str]]) -> Iterable[tuple[int, str]]:
    """(pole, former region) for each former region one of whose departments starts the
    pole's commune code, as ``PoleFilterSet.filter_former_region`` asks in SQL."""
    regions_of: dict[str, list[str]] = defaultdict(list)
    for former in FormerRegion.objects.only("slug", "departments"):
        for department in former.department_codes:
            regions_of[department].append(former.slug)
    for pk, code in poles:
        for length in range(1, len(code) + 1):
            for slug in regions_of.get(code[:length], ()):
                yield pk, slug


# Bits per word: the database or-s a filter's option's poles 64 at a time.
WORD = 64
WORD_MASK = (1 << WORD) - 1
# The filters "call" and "outcome" together (``PoleSets.pairs``), as one option "call outcome"
# (a slug holds no space): the poles of each call and of each outcome are made of them.
PAIR, PAIR_SEPARATOR = "call+outcome", " "
# The filters on the pole's own columns (``_published_poles``), and those on related rows
# (``_related_options``).
POLE_FILTERS = ("region", "status", "witness", "charter")
ROW_FILTERS = ("sector", "objective", "member_kind", "former_region", PAIR)


def _as_text(condition) -> Case:
    """A yes-no column as the option's value in the URL."""
    return Case(When(condition, then=Value("true")), default=Value("false"))


def _witness_option() -> Case:
    """The witness filter's option of a pole (``true``, ``false`` or ``unknown``)."""
    return Case(*(When(witness_condition(option), then=Value(option))
                  for option in WITNESS_OPTIONS))


def _published_poles() -> QuerySet:
    """The published poles, each with its place by id (its bit), its place in each sort's
    order, and the options of the filters on its own columns."""
    places = {
        f"rank_{number}": Window(RowNumber(), order_by=list(ordering))
        for number, ordering in enumerate(SORT_ORDERS.values())
    }
    return (
        Pole.objects.published()
        .annotate(
            p_id=F("pk"), place=Window(RowNumber(), order_by="pk") - 1,
            p_commune=F("commune_code"), o_region=F("region__slug"), o_status=F("status"),
            o_witness=_witness_option(), o_charter=_as_text(signed_charter()),
            **places,
        )
        .order_by()
        .values("p_id", "place", "p_commune", "o_region", "o_status", "o_witness",
                "o_charter", *places)
    )


def _related_options() -> dict[str, QuerySet]:
    """For the filters on related rows: (pole id, option value) rows, of any pole."""
    def rows(queryset, value) -> QuerySet:
        return queryset.order_by().annotate(o_pole=F("pole_id"), o_value=value).values(
            "o_pole", "o_value"
        )

    applications = Application.objects.all()
    return {
        "sector": rows(Pole.sectors.through.objects.all(), F("sector__slug")),
        "objective": rows(Pole.objectives.through.objects.all(), F("objective__code")),
        # Those of today: the sets are read again each day (``registry_state()`` holds it).
        "member_kind": rows(MemberKind.objects.current(), F("kind")),
        # … or when one of its applications was made under that region's name.
        "former_region": rows(
            applications.filter(former_region__isnull=False), F("former_region__slug")
        ),
        PAIR: rows(applications, Concat("call__slug", Value(PAIR_SEPARATOR), "outcome")),
    }


def _sql(queryset: QuerySet) -> tuple[str, list]:
    sql, params = queryset.query.get_compiler(connection=connection).as_sql()
    return sql, list(params)


def _or_ofbits_from() -> str:
    """The aggregate or-ing the bits of the poles of a group into one word (the place's bit
    in its word: ``place % 64``, ``%%`` before the parameters are put in)."""
    bit = f"CAST(1 AS BIGINT) << CAST(p.place %% {WORD} AS INTEGER)"
    if connection.vendor == "postgresql":
        return f"BIT_OR({bit})"
    # SQLite has no BIT_OR: a sum of distinct powers of two is their or (bit 63 as the sign
    # of the 64-bit integer, made unsigned again by ``_Collector.add_word``).
    return f"SUM(DISTINCT {bit})"


def _words_sql() -> tuple[str, list]:
    """One statement, so one snapshot (a pole published meanwhile is in every part of the
    sets or in none): the published poles (``_published_poles``), then for each option of
    each filter the words of 64 bits where its poles are, or-ed by the database.

    Why in SQL: turning the ~90,000 (pole, option) rows into bit sets in Python took 100 ms
    of CPU at 10,000 poles, under the GIL, in the request that first met a new generation
    of the registry: every other request of its process waited. The database gives ~25,000
    words instead, each written into an array at C speed."""
    bit = _or_ofbits_from()
    poles, params = _sql(_published_poles())
    ranks = ", ".join(f"p.rank_{number}" for number in range(len(SORT_ORDERS)))
    parts = [f"SELECT NULL, p.p_commune, p.p_id, p.place, {ranks} FROM p"]
    padding = ", NULL" * len(SORT_ORDERS)
    for name in POLE_FILTERS:
        parts.append(f"SELECT '{name}', p.o_{name}, p.place / {WORD}, {bit}{padding} "
                     "FROM p GROUP BY 2, 3")
    for name, queryset in _related_options().items():
        sql, more = _sql(queryset)
        parts.append(f"SELECT '{name}', o.o_value, p.place / {WORD}, {bit}{padding} "
                     f"FROM ({sql}) o INNER JOIN p ON p.p_id = o.o_pole GROUP BY 2, 3")
        params += more
    return f"WITH p AS ({poles}) " + " UNION ALL ".join(parts), params


def _read(key: tuple) -> PoleSets:
    sql, params = _words_sql()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    poles = sorted((row for row in rows if row[0] is None), key=itemgetter(3))
    ids = [row[2] for row in poles]
    collector = _Collector(ids)
    add_word = collector.add_word
    for row in rows:
        if row[0] is not None:
            add_word(row[0], row[1], row[2], row[3])
    # A pole is in a former region when its commune's code starts with one of its
    # departments (``filter_former_region``; a department listed by two puts it in both).
    collector.add("former_region", _in_departments((row[2], row[1] or "") for row in poles))
    sets = collector.finish(PoleSets(key=key, ids=ids))
    for number, sort in enumerate(SORT_ORDERS):
        order = sets.orders[sort] = [0] * len(ids)
        for row in poles:
            order[row[4 + number] - 1] = row[3]
    sets.name_rank = [0] * len(ids)
    for rank, position in enumerate(sets.orders["name"]):
        sets.name_rank[position] = rank
    return sets


# The version in the database follows the changes made by other processes; the cache's
# generation those made in this one's transaction (each test's, rolled back, too).
_sets = OnePerState(_read)


def pole_sets(key: tuple | None = None) -> PoleSets:
    """The sets of the registry as it is now (``key``: its ``registry_state()``, when the
    caller read it already): read again after any write to it."""
    return _sets.get(key)
