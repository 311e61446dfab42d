"""Facet counts of the directory: for each option of each filter, how many poles it would give.

The count of option X of filter F is the number of poles that match every *other* filter in
force (the search included) and F = X: exactly the number of results of the directory's link
with F = X. So the chosen option shows the current total, and an option counted 0 would lead
to an empty page (the form shows it disabled, ``ptce_site.filters.CountedSelect``).

Counted on the process's bit sets of the published poles (``facet_sets.py``): the poles of
each option are a set, the filters in force an intersection of sets, a count the size of an
intersection. No query per page but the search's (``search.SearchQuery.found``: on
PostgreSQL, from the words the process keeps), whatever the number of poles and of options.
The values come from the FilterSet's form (``cleaned_data``), so that a value the form
refuses is left out here as by the filters.

``call`` and ``outcome`` describe one application together (``PoleFilterSet.filter_call``):
the count of a call, with an outcome chosen, is the number of poles with an application to
that call *with that outcome*, and the other way round; each of the two facets is counted
without both filters, then with the other one as a condition on the applications.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import cached_property, partial
from itertools import islice

from django.db.models import QuerySet

from .bitsets import Bits, places_in
from .facet_sets import PoleSets, option_key
from .filters import PoleFilterSet

# The faceted filters (every filter of the directory but the search and the sort).
FACETS = (
    "region", "former_region", "status", "sector", "objective", "member_kind",
    "call", "outcome", "witness", "charter",
)
# Filters that make one condition together: each one's facet is counted without both.
JOINT = {"call": {"call", "outcome"}, "outcome": {"call", "outcome"}}

Counts = dict[str, int]


class PoleFacets:
    """The facet counts of a bound (or unbound) ``PoleFilterSet``: ``counts()`` gives, for
    each faceted filter, its options' values (as in the URL) and their number of poles;
    ``total`` the number of results."""

    def __init__(self, filterset: PoleFilterSet):
        self.filterset = filterset
        self.values = {}
        if filterset.is_bound:
            filterset.form.is_valid()  # a value the form refuses is left out, as by the filters
            self.values = {
                name: option_key(value)
                for name, value in filterset.form.cleaned_data.items()
                if name in FACETS and value not in (None, "", [])
            }

    @property
    def sets(self) -> PoleSets:
        return self.filterset.sets

    @cached_property
    def _found(self) -> Bits:
        """The poles the search finds (all of them without one)."""
        search = self.filterset.search
        if not search.is_active:
            return self.sets.everyone
        return search.found(self.sets)

    def _chosen(self, name: str) -> Bits:
        """The poles that the value chosen for filter ``name`` gives."""
        value, options = self.values[name], self.sets.options.get(name, {})
        if name == "call" and "outcome" in self.values:
            return self.sets.pairs.get((value, self.values["outcome"]), 0)
        if name == "outcome" and "call" in self.values:
            return self.sets.everyone  # applied with the call
        return options.get(value, 0)

    def _without(self, names: set[str]) -> Bits:
        """The poles matching every filter in force except ``names``."""
        poles = self._found
        for name in self.values:
            if name not in names:
                poles &= self._chosen(name)
        return poles

    @property
    def total(self) -> int:
        """The number of poles matching every filter: the directory's number of results."""
        return self._without(set()).bit_count()

    def results(self, queryset: QuerySet) -> OrderedResults:
        """The poles matching every filter, in the FilterSet's order, fetched from
        ``queryset`` one page at a time."""
        found = self._without(set())
        return OrderedResults(partial(self._in_order, found), found.bit_count(), queryset)

    def _in_order(self, found: Bits, needed: int | None = None) -> Iterator[int]:
        """The poles of ``found`` in the chosen order; ``needed``: how many the page reads
        (a search's ranks are read for those only, ``search.memory.by_relevance``)."""
        sets, search = self.sets, self.filterset.search
        sort = self.filterset.current_sort
        if sort == "relevance" and search.is_active:
            # Names holding every word first, then by rank, then names in French order:
            # ranked as far as the page reads (``search.memory``).
            yield from search.in_order(sets, found, needed)
            return
        ids, order = sets.ids, sets.orders[sort if sort in sets.orders else "name"]
        yield from (ids[place] for place in places_in(found, order, len(ids)))

    def counts(self) -> dict[str, Counts]:
        return {name: self._count(name) for name in FACETS}

    def _count(self, name: str) -> Counts:
        poles = self._without(JOINT.get(name, {name}))
        options = self.sets.options.get(name, {})
        other = {"call": "outcome", "outcome": "call"}.get(name)
        if other in self.values:
            # The other half of the application's condition chosen: pairs with it.
            chosen = self.values[other]
            options = {
                pair[0 if name == "call" else 1]: bits
                for pair, bits in self.sets.pairs.items()
                if pair[1 if name == "call" else 0] == chosen
            }
        counts = {value: (poles & bits).bit_count() for value, bits in options.items()}
        if name == "charter":
            counts = {"true": 0, "false": 0, **counts}
        return counts


class OrderedResults:
    """The directory's results as its paginator asks for them: their number, known from the
    sets, and the poles of one page, read by id in the order of the chosen sort (20 rows
    instead of ordering every matching pole in SQL). ``ids(needed)``: the poles in order,
    ``needed`` of them at least."""

    ordered = True

    def __init__(self, ids: Callable[[int | None], Iterator[int]], count: int, queryset):
        self._ids, self._count, self.queryset = ids, count, queryset

    def count(self) -> int:
        return self._count

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, key: slice) -> list:
        ids = list(islice(self._ids(key.stop), key.start, key.stop))
        poles = {pole.pk: pole for pole in self.queryset.filter(pk__in=ids)}
        return [poles[pk] for pk in ids if pk in poles]


def pole_facets(filterset: PoleFilterSet) -> dict[str, Counts]:
    """The facet counts of ``filterset`` (see ``PoleFacets``)."""
    return PoleFacets(filterset).counts()
