"""The FilterSet of the organisations page (``/organisations/``)."""

from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from poles.territories.models import Region
from ptce_site.filters import ExplainedFilterSet, QueryFilter, SlugChoiceFilter, every_term

from .models import Organisation, compact_siren, is_siren_shaped


class OrganisationFilterSet(ExplainedFilterSet):
    """Name search, kind, legal form and region of the member organisations.

    Search (``q``) is accent- and case-insensitive on both databases through the project's
    ``unaccented`` transform (``ptce_site.search``): ``ptce_unaccent()`` is a Python function
    registered on every SQLite connection, and on PostgreSQL an IMMUTABLE wrapper around the
    ``unaccent`` extension created by the migration ``poles.0003_search``, which also builds
    the trigram index ``organisation_name_search_trgm`` on exactly the expression
    ``name__unaccented__icontains`` generates (``UPPER(ptce_unaccent(name))``). So the
    folding happens in the database, for both the column and the query, and a long list is
    never loaded into Python to be compared. Every word of the query must appear in the
    name (in any order); a query of nine digits also matches a SIREN number.

    Values that cannot be understood (an unknown kind, a region slug that does not exist, a
    query longer than 10,000 characters) are left out of ``cleaned_data`` by the form: the
    other filters still apply, and ``ignored_filters()`` says which ones were dropped.
    """

    q = QueryFilter(
        label=_("Nom ou SIREN"),
        method="filter_search",
        max_length=10_000,  # longer input is refused; shorter is cut to MAX_QUERY_LENGTH
        help_text=_("Par exemple « économie solidaire » ; les accents sont facultatifs."),
    )
    # Each empty choice agrees with its label (« Toutes les formes juridiques »).
    kind = django_filters.ChoiceFilter(
        label=_("Type d'organisation"),
        choices=Organisation.Kind.choices,
        empty_label=_("Tous les types"),
    )
    legal_form = django_filters.ChoiceFilter(
        label=_("Forme juridique"),
        choices=Organisation.LegalForm.choices,
        empty_label=_("Toutes les formes juridiques"),
    )
    region = SlugChoiceFilter(
        label=_("Région"), queryset=Region.objects.all(), empty_label=_("Toutes les régions")
    )

    class Meta:
        model = Organisation
        fields = ["q", "kind", "legal_form", "region"]

    def filter_search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        condition = every_term(value, lambda term: Q(name__unaccented__icontains=term))
        if condition is None:
            return queryset
        if is_siren_shaped(siren := compact_siren(value)):
            condition |= Q(siren=siren)
        return queryset.filter(condition)
