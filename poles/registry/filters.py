"""The directory's one FilterSet, shared by the HTML page, the CSV and the GeoJSON exports."""

from __future__ import annotations

import django_filters
from django.db import connection
from django.db.models import Case, F, FloatField, Q, QuerySet, Value, When
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from calls.models import Application, Call
from members.models import Membership, Organisation
from ptce_site.filters import (
    ExplainedFilterSet,
    QueryFilter,
    SlugChoiceFilter,
    every_term,
    search_terms,
)
from ptce_site.search import Unaccented

from ..territories.models import FormerRegion, Region
from .models import Objective, Pole, Sector

# The pole's own text fields searched (sector and member organisation names are searched
# too), with the weight of a match in the ranking.
OWN_SEARCH_FIELDS = {
    "name": 4,
    "summary": 2,
    "territory": 2,
    "commune_name": 2,
    "description": 1,
}

# The fields whose matches make the rank (the description, long, only filters).
RANKED_FIELDS = ("name", "summary", "territory", "commune_name")

YES_NO = [("true", _("Oui")), ("false", _("Non"))]


class YesNoFilter(django_filters.ChoiceFilter):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("choices", YES_NO)
        kwargs.setdefault("empty_label", _("Indifférent"))
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
    region = SlugChoiceFilter(label=_("Région"), queryset=Region.objects.all())
    former_region = SlugChoiceFilter(
        label=_("Ancienne région (avant 2016)"),
        queryset=FormerRegion.objects.all(),
        method="filter_former_region",
    )
    status = django_filters.ChoiceFilter(
        label=_("Statut"), choices=Pole.Status.choices, empty_label=_("Tous")
    )
    witness = YesNoFilter(label=_("Pôle témoin"), method="filter_yes_no")
    sector = SlugChoiceFilter(
        label=_("Secteur d'activité"), queryset=Sector.objects.all(), method="filter_sector"
    )
    objective = django_filters.ChoiceFilter(
        label=_("Objectif"),
        choices=Objective.Code.choices,
        empty_label=_("Tous"),
        method="filter_objective",
    )
    member_kind = django_filters.ChoiceFilter(
        label=_("Type d'organisation membre"),
        choices=Organisation.Kind.choices,
        empty_label=_("Tous"),
        method="filter_member_kind",
    )
    call = SlugChoiceFilter(
        label=_("Appel"), queryset=Call.objects.all(), empty_label=_("Tous"), method="filter_call"
    )
    outcome = django_filters.ChoiceFilter(
        label=_("Résultat à l'appel"),
        choices=Application.Outcome.choices,
        empty_label=_("Tous"),
        method="filter_outcome",
    )
    charter = YesNoFilter(label=_("Signataire de la charte"), method="filter_yes_no")
    sort = django_filters.ChoiceFilter(
        label=_("Trier par"), choices=SORTS, empty_label=None, method="filter_nothing"
    )

    class Meta:
        model = Pole
        fields = ["q", "region", "former_region", "status", "witness", "sector", "objective",
                  "member_kind", "call", "outcome", "charter", "sort"]

    @classmethod
    def for_request(cls, request: HttpRequest) -> PoleFilterSet:
        """The published poles as the query string filters them: the directory, its exports,
        the map and the open data all read their filters this way."""
        return cls(request.GET or None, queryset=Pole.objects.published())

    # -- filters ---------------------------------------------------------------------------
    @staticmethod
    def _subquery(condition: Q) -> Q:
        """Match through a subquery so that to-many joins never duplicate poles."""
        return Q(pk__in=Pole.objects.filter(condition).values("pk"))

    def filter_search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        condition = every_term(value, lambda term: Q(pk__in=self._poles_matching(term)))
        if condition is None:
            return queryset
        if connection.vendor == "postgresql":
            # pg_trgm: a name with a typo still matches ("coursiv boutarik"). In a subquery,
            # so that it uses the trigram index: an OR in the outer WHERE would compute the
            # (costly) word similarity of every pole's name.
            condition |= self._subquery(Q(name__unaccented__trigram_word_similar=value))
        return queryset.filter(condition)

    @staticmethod
    def _poles_matching(term: str) -> QuerySet:
        """Ids of poles where ``term`` appears in any searched field.

        A UNION of one query per table, so that each can use its trigram index on PostgreSQL
        (an OR across joined tables would scan them all) and no pole comes twice.
        """
        own_fields = Q()
        for field in OWN_SEARCH_FIELDS:
            own_fields |= Q(**{f"{field}__unaccented__icontains": term})
        own = Pole.objects.filter(own_fields).order_by().values("pk")
        sectors = (
            Pole.sectors.through.objects.filter(sector__name__unaccented__icontains=term)
            .order_by()
            .values("pole_id")
        )
        members = (
            Membership.objects.filter(organisation__name__unaccented__icontains=term)
            .order_by()
            .values("pole_id")
        )
        return own.union(sectors, members)

    def filter_former_region(self, queryset, name, former_region: FormerRegion):
        # Poles that applied under that region's name, or whose commune lies in it.
        in_departments = Q()
        for department in former_region.department_codes:
            in_departments |= Q(commune_code__startswith=department)
        return queryset.filter(
            self._subquery(Q(applications__former_region=former_region)) | in_departments
        )

    def filter_yes_no(self, queryset, name, value: str):
        wanted = value == "true"
        if name == "witness":
            return queryset.filter(is_witness=wanted)
        return queryset.filter(charter_signed_on__isnull=not wanted)

    def filter_sector(self, queryset, name, sector: Sector):
        return queryset.filter(self._subquery(Q(sectors=sector)))

    def filter_objective(self, queryset, name, code: str):
        return queryset.filter(self._subquery(Q(objectives__code=code)))

    def filter_member_kind(self, queryset, name, kind: str):
        return queryset.filter(
            self._subquery(
                Q(memberships__organisation__kind=kind, memberships__left_on__isnull=True)
            )
        )

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
        if sort == "-updated":
            return queryset.order_by(F("content_changed_at").desc(nulls_last=True), "name")
        if sort == "founded":
            return queryset.order_by(F("founded_year").asc(nulls_last=True), "name")
        if sort == "relevance":
            return self.rank(queryset).order_by("-rank", "name")
        return queryset.order_by("name")

    def rank(self, queryset: QuerySet) -> QuerySet:
        """Score: weighted matches on the pole's own fields, plus trigram similarity on PG.

        Whether a field holds a word is asked through a subquery on that field alone
        (``pk IN (…)``): PostgreSQL finds those poles once with the field's trigram index and
        then only looks the ranked rows up in a hash, instead of folding and scanning the text
        of every matching pole for every word and field. Same score as a ``CASE`` on the row.
        """
        terms = search_terms(self.search_query)
        score = Value(0.0)
        for field in RANKED_FIELDS:
            for term in terms:
                holding = (
                    Pole.objects.filter(**{f"{field}__unaccented__icontains": term})
                    .order_by()
                    .values("pk")
                )
                score += Case(
                    When(pk__in=holding, then=Value(float(OWN_SEARCH_FIELDS[field]))),
                    default=Value(0.0),
                    output_field=FloatField(),
                )
        if connection.vendor == "postgresql":
            from django.contrib.postgres.search import TrigramWordSimilarity

            score += 4 * TrigramWordSimilarity(
                Unaccented(Value(self.search_query)), Unaccented("name")
            )
        return queryset.annotate(rank=score)
