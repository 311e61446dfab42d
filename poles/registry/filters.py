"""The directory's one FilterSet, shared by the HTML page, the CSV and the GeoJSON exports."""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property
from typing import TYPE_CHECKING

import django_filters
from django import forms
from django.db.models import F, Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from calls.models import Application, Call
from members.models import Organisation
from ptce_site.collation import french
from ptce_site.filters import (
    CountedSelect,
    ExplainedFilterSet,
    QueryFilter,
    SlugChoiceFilter,
)

from ..territories.models import FormerRegion, Region
from .models import Objective, Pole, Sector
from .search import SearchQuery, parse
from .search.models import MemberKind
from .version import kept_for, registry_state

if TYPE_CHECKING:
    from .facet_sets import PoleSets

YES_NO = [("true", _("Oui")), ("false", _("Non"))]
# « Pôle témoin » in the URL (``?witness=``) and the value of ``Pole.is_witness`` it gives:
# recorded as one, recorded as not one, not known (no source nor person says it).
WITNESS_OPTIONS = {"true": True, "false": False, "unknown": None}


def witness_condition(option: str) -> Q:
    """The poles that the witness filter's ``option`` gives (the filter's and the facets')."""
    wanted = WITNESS_OPTIONS[option]
    return Q(is_witness__isnull=True) if wanted is None else Q(is_witness=wanted)
# The directory's orders but relevance (``PoleFilterSet.order``; ``facet_sets.py`` keeps each
# one's order of the published poles), names in French order last, then ids: equal names
# (« Pôle Été », « pole ete ») in one order, the same in SQL (the exports) and in the sets,
# whatever index the database reads the poles through.
NAME_ORDER = (french("name"), "pk")
SORT_ORDERS = {
    "name": NAME_ORDER,
    "-updated": (F("content_changed_at").desc(nulls_last=True), *NAME_ORDER),
    "founded": (F("founded_year").asc(nulls_last=True), *NAME_ORDER),
}


class YesNoFilter(django_filters.ChoiceFilter):
    """Yes or no; its empty choice (``empty_label``) says "either" in words that agree with
    the label (« Témoins ou non »)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("choices", YES_NO)
        kwargs.setdefault("widget", CountedSelect)
        super().__init__(*args, **kwargs)


class SortSelect(CountedSelect):
    """The directory's orders, showing the one the results are in: « Nom » without a search
    (« Pertinence », the first option, was shown while the poles came by name)."""

    current: Callable[[], str] | None = None  # given by PoleFilterSet.form

    def render(self, name, value, attrs=None, renderer=None):
        if self.current is not None:
            value = self.current()
        return super().render(name, value, attrs, renderer)


class CountedChoiceFilter(django_filters.ChoiceFilter):
    """A choice whose options show their number of results (``PoleFilterSet.show_counts``)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", CountedSelect)
        super().__init__(*args, **kwargs)


class CountedSlugFilter(SlugChoiceFilter):
    """A model chosen by its slug whose options show their number of results."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", CountedSelect)
        super().__init__(*args, **kwargs)


class PoleFilterSet(ExplainedFilterSet):
    SORTS = [
        ("relevance", _("Pertinence")),
        ("name", _("Nom")),
        ("-updated", _("Dernière mise à jour")),
        ("founded", _("Année de création")),
    ]

    q = QueryFilter(
        label=_("Rechercher"),
        method="filter_search",
        max_length=10_000,  # longer input is cut to MAX_QUERY_LENGTH, not refused
        help_text=_("Nom, territoire, secteur, organisation membre…"),
    )
    # Each empty choice agrees with its label in gender and number (« Toutes les régions »);
    # the options show their number of results (``facets.py``, set by the directory's view).
    region = CountedSlugFilter(
        label=_("Région"), queryset=Region.objects.all(), empty_label=_("Toutes les régions")
    )
    former_region = CountedSlugFilter(
        label=_("Ancienne région (avant 2016)"),
        queryset=FormerRegion.objects.all(),
        empty_label=_("Toutes les anciennes régions"),
        method="filter_former_region",
    )
    status = CountedChoiceFilter(
        label=_("Statut"), choices=Pole.Status.choices, empty_label=_("Tous les statuts")
    )
    # « Non » where a source or a person says so (the 2013 call's laureates not marked as
    # witness poles); « Non renseigné » where none does (the 2011 call's examples…).
    witness = CountedChoiceFilter(
        label=_("Pôle témoin"),
        empty_label=_("Témoins ou non"),
        choices=[("true", _("Oui")), ("false", _("Non")), ("unknown", _("Non renseigné"))],
        method="filter_witness",
    )
    sector = CountedSlugFilter(
        label=_("Secteur d'activité"),
        queryset=Sector.objects.all(),
        empty_label=_("Tous les secteurs"),
        method="filter_sector",
    )
    objective = CountedChoiceFilter(
        label=_("Objectif"),
        choices=Objective.Code.choices,
        empty_label=_("Tous les objectifs"),
        method="filter_objective",
    )
    member_kind = CountedChoiceFilter(
        label=_("Type d'organisation membre"),
        choices=Organisation.Kind.choices,
        empty_label=_("Tous les types de membres"),
        method="filter_member_kind",
    )
    call = CountedSlugFilter(
        label=_("Appel"),
        queryset=Call.objects.all(),
        empty_label=_("Tous les appels"),
        method="filter_call",
    )
    outcome = CountedChoiceFilter(
        label=_("Résultat à l'appel"),
        choices=Application.Outcome.choices,
        empty_label=_("Tous les résultats"),
        method="filter_outcome",
    )
    # « Non » would say what no document says: the sources name no signatory (DOMAIN), so a
    # pole without a recorded signature may well have signed.
    charter = YesNoFilter(
        label=_("Signataire de la charte"),
        empty_label=_("Signataires ou non"),
        choices=[("true", _("Oui")), ("false", _("Signature non enregistrée"))],
        method="filter_yes_no",
    )
    sort = django_filters.ChoiceFilter(
        label=_("Trier par"), choices=SORTS, empty_label=None, method="filter_nothing",
        widget=SortSelect,  # never counted: a select written in one pass
    )
    # ``exact=1``: the words as typed, no correction (the link under "Résultats pour …"). A
    # filter, so that the page cache tells the two pages apart; not shown in the form (a new
    # search is corrected again) nor as a chip.
    exact = django_filters.ChoiceFilter(
        label=_("Mots exacts"),
        choices=[("1", _("Oui"))],
        widget=forms.HiddenInput,
        method="filter_nothing",
    )

    class Meta:
        model = Pole
        fields = ["q", "region", "former_region", "status", "witness", "sector", "objective",
                  "member_kind", "call", "outcome", "charter", "sort", "exact"]

    @classmethod
    def for_request(cls, request: HttpRequest) -> PoleFilterSet:
        """The published poles as the query string filters them: the directory, its exports,
        the map and the open data all read their filters this way."""
        return cls(request.GET or None, queryset=Pole.objects.published())

    @cached_property
    def state(self) -> tuple:
        """The registry's state, read once for the page (one indexed read of one row)."""
        return registry_state()

    @cached_property
    def sets(self) -> PoleSets:
        """The registry's sets as this page reads them (``facet_sets.py``, which reads this
        module's orders: imported here)."""
        from .facet_sets import pole_sets

        return pole_sets(self.state)

    def rows_of(self, name: str, queryset: QuerySet) -> list:
        """The options of the selects (regions, former regions, sectors, calls), read once per
        state of the registry and language rather than on every page (four queries and about
        3 ms of Python a page), in a store of their own: the exports and the API, which do not
        read the sets, do not build them for these. The rows are only read, never changed."""
        store = kept_for(self.state)
        return store.get(f"options:{name}:{get_language()}", lambda: list(queryset))

    # -- filters ---------------------------------------------------------------------------
    @staticmethod
    def _subquery(condition: Q) -> Q:
        """Match through a subquery so that to-many joins never duplicate poles."""
        return Q(pk__in=Pole.objects.filter(condition).values("pk"))

    @cached_property
    def search(self) -> SearchQuery:
        """The visitor's search, read once: its words, corrected unless ``exact=1``."""
        return parse(self.search_query, exact=self.cleaned("exact") == "1")

    @property
    def exact_search_query(self) -> str:
        """The query string of this page with the words searched as typed."""
        data = self.data.copy()
        data["exact"] = "1"
        data.pop("page", None)
        return data.urlencode()

    def filter_search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return self.search.filter(queryset)

    def filter_former_region(self, queryset, name, former_region: FormerRegion):
        # Poles that applied under that region's name, or whose commune lies in it.
        in_departments = Q()
        for department in former_region.department_codes:
            in_departments |= Q(commune_code__startswith=department)
        return queryset.filter(
            self._subquery(Q(applications__former_region=former_region)) | in_departments
        )

    def filter_yes_no(self, queryset, name, value: str):
        # The poles with a signature of the charter (``charter.models``), and only those.
        return queryset.charter_signatories(value == "true")

    def filter_witness(self, queryset, name, value: str):
        return queryset.filter(witness_condition(value))

    def filter_sector(self, queryset, name, sector: Sector):
        return queryset.filter(self._subquery(Q(sectors=sector)))

    def filter_objective(self, queryset, name, code: str):
        return queryset.filter(self._subquery(Q(objectives__code=code)))

    def filter_member_kind(self, queryset, name, kind: str):
        # The search indexer keeps each pole's kinds of current members (``MemberKind``), each
        # until its last member's departure date: those of today.
        kinds = MemberKind.objects.current().filter(kind=kind)
        return queryset.filter(pk__in=kinds.values("pole_id"))

    def filter_call(self, queryset, name, call: Call):
        # ``call`` and ``outcome`` describe one application together ("laureates of the 2013
        # call"): both conditions go in one subquery.
        condition = Q(applications__call=call)
        if outcome := self.cleaned("outcome"):
            condition &= Q(applications__outcome=outcome)
        return queryset.filter(self._subquery(condition))

    def filter_outcome(self, queryset, name, outcome: str):
        if self.cleaned("call"):
            return queryset  # applied with the call
        return queryset.filter(self._subquery(Q(applications__outcome=outcome)))

    def filter_nothing(self, queryset, name, value):
        return queryset  # sorting is applied in ``qs`` once every filter is known

    # -- sorting ---------------------------------------------------------------------------
    @property
    def form(self):
        form = super().form
        form.fields["sort"].widget.current = lambda: self.current_sort
        return form

    @property
    def current_sort(self) -> str:
        chosen = self.cleaned("sort") or ""
        if chosen == "relevance" and not self.search_query:
            chosen = ""
        return chosen or ("relevance" if self.search_query else "name")

    @property
    def qs(self) -> QuerySet:
        if not hasattr(self, "_sorted_qs"):
            self._sorted_qs = self.order(super().qs)
        return self._sorted_qs

    def order(self, queryset: QuerySet) -> QuerySet:
        sort = self.current_sort
        if sort == "relevance":
            # Poles whose name holds the words first, then by full-text rank.
            return self.search.order(queryset, *NAME_ORDER)
        return queryset.order_by(*SORT_ORDERS[sort])

    def rank(self, queryset: QuerySet) -> QuerySet:
        """Annotate ``name_match`` and ``rank`` (``search.SearchQuery.rank``)."""
        return self.search.rank(queryset)
