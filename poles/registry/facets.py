"""Facet counts of the directory: for each option of each filter, how many poles it would give.

The count of option X of filter F is the number of poles that match every *other* filter in
force (the search included) and F = X: exactly the number of results of the directory's link
with F = X. So the chosen option shows the current total, and an option counted 0 would lead
to an empty page (the form shows it disabled, ``ptce_site.filters.CountedSelect``).

Constant cost, whatever the number of options and of poles: one query for the facets read
from the pole's own row (region, status, witness, charter, and the department of its commune),
which also gives the number of results (``total``, so that the paginator does not count them
again); then one grouped query per facet of related rows (sectors, objectives, kinds of
members, calls, outcomes, former regions named by applications). The other filters are
applied by the FilterSet's own filters (read from its cleaned values, so nothing is validated
twice), and the poles they keep enter each query as a subquery (``pole_id IN (…)``); the
search's matching poles are read once (``search.SearchQuery.matching_ids``). The kinds of
members are read from the search indexer's ``MemberKind`` rows, not from the memberships.

``call`` and ``outcome`` describe one application together (``PoleFilterSet.filter_call``):
the count of a call, with an outcome chosen, is the number of poles with an application to
that call *with that outcome*, and the other way round; each of the two facets is counted
without both filters, then with the other one as a condition on the applications.
"""

from __future__ import annotations

from collections import Counter
from functools import cached_property

from django.db.models import BooleanField, Count, ExpressionWrapper, Q, QuerySet

from calls.models import Application

from ..territories.departments import department_expression
from ..territories.models import FormerRegion
from .filters import PoleFilterSet
from .models import Pole
from .search.models import MemberKind

# The faceted filters (every filter of the directory but the search and the sort).
FACETS = (
    "region", "former_region", "status", "sector", "objective", "member_kind",
    "call", "outcome", "witness", "charter",
)
# Filters that make one condition together: each one's facet is counted without both.
JOINT = {"call": {"call", "outcome"}, "outcome": {"call", "outcome"}}
# Filters on one column of the pole's own row, counted together (``PoleFacets._own``).
SINGLE = ("region", "status", "witness", "charter")

Counts = dict[str, int]


class PoleFacets:
    """The facet counts of a bound (or unbound) ``PoleFilterSet``: ``counts()`` gives, for
    each faceted filter, its options' values (as in the URL) and their number of poles."""

    def __init__(self, filterset: PoleFilterSet):
        self.filterset = filterset
        self.values = {}
        if filterset.is_bound:
            filterset.form.is_valid()  # a value the form refuses is left out, as by the filters
            self.values = {
                name: value
                for name, value in filterset.form.cleaned_data.items()
                if value not in (None, "", [])
            }

    def poles_without(self, names: set[str]) -> QuerySet:
        """The poles matching every filter in force except ``names``, unordered."""
        queryset = self.filterset.queryset.all()
        for name, value in self.values.items():
            if name not in names:
                queryset = self.filterset.filters[name].filter(queryset, value)
        return queryset.order_by()

    def _ids_without(self, name: str) -> QuerySet:
        return self.poles_without(JOINT.get(name, {name})).values("pk")

    def counts(self) -> dict[str, Counts]:
        return {name: getattr(self, f"_count_{name}")() for name in FACETS}

    # -- columns of the pole ---------------------------------------------------------------
    @cached_property
    def _own(self) -> dict[str, Counter]:
        """The facets read from the pole's own row (region, status, witness, charter, and the
        department of its commune for the former regions), and ``total``, in one query: the
        poles matching every other filter, grouped by those columns and by whether they pass
        the former region's filter, then each group counted in each facet whose filter is
        the only one it fails, or in all of them when it fails none (then also in the total:
        the number of results, which the paginator need not count again)."""
        poles = self.poles_without({*SINGLE, "former_region"}).annotate(
            charter=ExpressionWrapper(Q(charter_signed_on__isnull=False), BooleanField()),
            department=department_expression("commune_code"),
        )
        columns = ["region__slug", "status", "is_witness", "charter", "department"]
        if former_region := self.values.get("former_region"):
            in_former = self.filterset.filters["former_region"].filter(
                Pole.objects.all(), former_region
            )
            poles = poles.annotate(
                in_former=ExpressionWrapper(Q(pk__in=in_former.values("pk")), BooleanField())
            )
            columns.append("in_former")
        counts = {name: Counter() for name in (*SINGLE, "department", "total")}
        for row in poles.values(*columns).annotate(n=Count("pk")).values_list(*columns, "n"):
            values = dict(zip(("region", "status", "witness", "charter"), row[:4], strict=True))
            failed = [name for name in SINGLE if not self._accepts(name, values[name])]
            if former_region and not row[5]:
                failed.append("former_region")
            if len(failed) > 1:
                continue  # in no facet's count
            n = row[-1]
            if not failed:
                counts["total"]["all"] += n
            for name in failed or (*SINGLE, "former_region"):
                if name == "former_region":
                    counts["department"][row[4]] += n
                else:
                    counts[name][values[name]] += n
        return counts

    def _accepts(self, name: str, value) -> bool:
        """Whether a pole whose column for filter ``name`` is ``value`` passes that filter."""
        chosen = self.values.get(name)
        if chosen is None:
            return True
        if name == "region":
            return value == chosen.slug
        if name in ("witness", "charter"):
            return value == (chosen == "true")
        return value == chosen

    @property
    def total(self) -> int:
        """The number of poles matching every filter: the directory's number of results."""
        return self._own["total"]["all"]

    def _own_counts(self, name: str) -> Counts:
        return {_key(value): n for value, n in self._own[name].items() if value is not None}

    def _count_region(self) -> Counts:
        return self._own_counts("region")

    def _count_status(self) -> Counts:
        return self._own_counts("status")

    def _count_witness(self) -> Counts:
        return self._own_counts("witness")

    def _count_charter(self) -> Counts:
        return {"true": 0, "false": 0, **self._own_counts("charter")}

    # -- related rows ----------------------------------------------------------------------
    def _count_sector(self) -> Counts:
        rows = (
            Pole.sectors.through.objects.filter(pole_id__in=self._ids_without("sector"))
            .values("sector__slug")
            .annotate(n=Count("pole_id"))
            .values_list("sector__slug", "n")
        )
        return dict(rows)

    def _count_objective(self) -> Counts:
        rows = (
            Pole.objectives.through.objects.filter(pole_id__in=self._ids_without("objective"))
            .values("objective__code")
            .annotate(n=Count("pole_id"))
            .values_list("objective__code", "n")
        )
        return dict(rows)

    def _count_member_kind(self) -> Counts:
        # The indexer's rows (pole, kind of a current member), one per pole and kind: no
        # join of every membership to its organisation, and no DISTINCT.
        rows = (
            MemberKind.objects.filter(pole_id__in=self._ids_without("member_kind"))
            .values("kind")
            .annotate(n=Count("pole_id"))
            .values_list("kind", "n")
        )
        return dict(rows)

    def _applications(self, name: str) -> QuerySet:
        # Unordered: the model's ordering (by the pole's name) would join every pole.
        applications = Application.objects.order_by().filter(
            pole_id__in=self._ids_without(name)
        )
        other = "outcome" if name == "call" else "call"
        if other_value := self.values.get(other):
            applications = applications.filter(**{other: other_value})
        return applications

    def _count_call(self) -> Counts:
        rows = (
            self._applications("call")
            .values("call__slug")
            .annotate(n=Count("pk"))  # one application per call and pole (a constraint)
            .values_list("call__slug", "n")
        )
        return dict(rows)

    def _count_outcome(self) -> Counts:
        rows = (
            self._applications("outcome")
            .values("outcome")
            .annotate(n=Count("pole_id", distinct=True))
            .values_list("outcome", "n")
        )
        return dict(rows)

    def _count_former_region(self) -> Counts:
        """A pole is in a former region when one of its applications names it, or when its
        commune lies in it (``PoleFilterSet.filter_former_region``); counted once if both.

        Poles by department of their commune (counted with the pole's own columns, ``_own``);
        then one query: applications' former regions by
        the department of their pole's commune, which gives both the poles named by each
        former region and, among them, those already counted through their commune.
        """
        poles = self.poles_without({"former_region"})
        by_department = self._own["department"]
        named = (
            Application.objects.order_by()
            .filter(pole_id__in=poles.values("pk"), former_region__isnull=False)
            .annotate(department=department_expression("pole__commune_code"))
            .values("former_region__slug", "department")
            .annotate(n=Count("pole_id", distinct=True))
            .values_list("former_region__slug", "department", "n")
        )
        departments = {
            slug: set(codes.split())
            for slug, codes in FormerRegion.objects.values_list("slug", "departments")
        }
        counts = Counter()
        for slug, codes in departments.items():
            counts[slug] = sum(by_department[code] for code in codes)
        for slug, department, n in named:
            if department not in departments.get(slug, ()):
                counts[slug] += n  # not counted yet through its commune
        return dict(counts)


def _key(value) -> str:
    """An option's value as the form's widget sees it (booleans as ``true``/``false``)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def pole_facets(filterset: PoleFilterSet) -> dict[str, Counts]:
    """The facet counts of ``filterset`` (see ``PoleFacets``)."""
    return PoleFacets(filterset).counts()
