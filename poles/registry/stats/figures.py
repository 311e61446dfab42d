"""The figures of the statistics page, each read in one query from the published poles.

Each figure is a ``Figure``: a title, a description, the name of its categories, one or more
series (the columns of its table, the bars of its chart) and one row per category. The counts
are those of the other pages for the same data: poles by region are the map's (``RegionCounts``
for the directory's unfiltered set), poles by sector, status or kind of member are read from
the directory's own sets of each filter's options (``facet_sets.py``: the same poles, no
query), laureates by call and region the map's with that call chosen.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Count
from django.utils.translation import gettext as _

from calls.models import Application
from members.models import Organisation, current_membership
from ptce_site.collation import french_key

from ..api import RegionCounts
from ..facet_sets import pole_sets
from ..filters import PoleFilterSet
from ..models import Pole, Sector

# Buckets of the number of current member organisations of a pole: (lowest, highest or None).
MEMBER_BUCKETS = ((0, 0), (1, 1), (2, 4), (5, 9), (10, 19), (20, 49), (50, None))


@dataclass
class Figure:
    key: str  # its URL's name: /statistiques/<key>.csv
    title: str
    description: str
    category: str  # the heading of the categories' column
    series: list[str]
    rows: list[tuple[str, list[int]]] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(values[0] for _label, values in self.rows)


def _published():
    return Pole.objects.published().order_by()


def by_region(level: str) -> Figure:
    counts = RegionCounts(PoleFilterSet(queryset=Pole.objects.published()), level)
    former = level == "former"
    figure = Figure(
        key="poles-par-ancienne-region" if former else "poles-par-region",
        title=_("Pôles et lauréats par ancienne région (avant 2016)") if former
        else _("Pôles et lauréats par région"),
        description=_(
            "Nombre de pôles publiés et, parmi eux, de lauréats d'un appel à projets, par "
            "région. Les mêmes chiffres que la carte."
        ),
        category=_("Ancienne région") if former else _("Région"),
        series=[_("Pôles"), _("Lauréats")],
    )
    rows = counts.rows()
    if unplaced := counts.unplaced():  # the rows add up to the directory's count
        rows.append(unplaced)
    figure.rows = [(row["name"], [row["poles"], row["laureates"]]) for row in rows]
    return figure


def _option_counts(name: str) -> dict[str, int]:
    """The number of published poles each option of the directory's filter ``name`` gives."""
    return {value: bits.bit_count() for value, bits in pole_sets().options.get(name, {}).items()}


def by_sector() -> Figure:
    counts = _option_counts("sector")
    figure = Figure(
        "poles-par-secteur", _("Pôles par secteur d'activité"),
        _("Nombre de pôles publiés par secteur ; un pôle peut travailler dans plusieurs secteurs."),
        _("Secteur"), [_("Pôles")],
    )
    rows = [(sector.name, [counts.get(sector.slug, 0)]) for sector in Sector.objects.all()]
    figure.rows = sorted(rows, key=lambda row: (-row[1][0], french_key(row[0])))
    return figure


def by_status() -> Figure:
    counts = _option_counts("status")
    figure = Figure(
        "poles-par-statut", _("Pôles par étape de vie"),
        _("Nombre de pôles publiés par statut : en projet, opérationnel, en sommeil, dissous."),
        _("Statut"), [_("Pôles")],
    )
    figure.rows = [(str(label), [counts.get(value, 0)]) for value, label in Pole.Status.choices]
    return figure


def by_member_kind() -> Figure:
    counts = _option_counts("member_kind")
    figure = Figure(
        "poles-par-type-de-membre", _("Pôles par type d'organisation membre"),
        _(
            "Nombre de pôles publiés qui comptent au moins une organisation membre de chaque "
            "type parmi leurs membres actuels."
        ),
        _("Type d'organisation"), [_("Pôles")],
    )
    figure.rows = [
        (str(label), [counts.get(value, 0)]) for value, label in Organisation.Kind.choices
    ]
    return figure


def laureates_by_call_and_region() -> tuple[Figure, list[int]]:
    rows = (
        Application.objects.laureates()
        .filter(pole__is_published=True)
        .values_list("call_id", "call__year", "call__slug", "pole__region__name")
        .annotate(count=Count("pole_id", distinct=True))
        .order_by()
    )
    calls: dict[int, tuple[int, str]] = {}
    counts: Counter = Counter()
    for call_id, year, slug, region, count in rows:
        calls[call_id] = (year, slug)
        counts[(region or _("Région non renseignée"), call_id)] += count
    ordered = sorted(calls, key=lambda pk: calls[pk])
    figure = Figure(
        "laureats-par-appel-et-region", _("Lauréats par appel et par région"),
        _(
            "Nombre de pôles publiés lauréats de chaque appel, par région actuelle du pôle. "
            "Les mêmes chiffres que la carte pour cet appel."
        ),
        _("Région"),
        [_("Appel %(year)s") % {"year": calls[pk][0]} for pk in ordered],
    )
    regions = sorted({region for region, _call in counts}, key=french_key)
    figure.rows = [(region, [counts[(region, pk)] for pk in ordered]) for region in regions]
    return figure, ordered


def by_founding_year() -> Figure:
    counts = (
        _published().filter(founded_year__isnull=False)
        .values_list("founded_year").annotate(count=Count("pk")).order_by("founded_year")
    )
    figure = Figure(
        "poles-par-annee-de-creation", _("Pôles par année de création"),
        _(
            "Nombre de pôles publiés par année de création, pour les pôles dont l'année est "
            "connue."
        ),
        _("Année"), [_("Pôles")],
    )
    figure.rows = [(str(year), [count]) for year, count in counts]
    return figure


def members_per_pole() -> Figure:
    current = current_membership("memberships__")
    per_pole = _published().annotate(
        members=Count("memberships__organisation", filter=current, distinct=True)
    )
    counts = Counter(per_pole.values_list("members", flat=True))
    figure = Figure(
        "membres-par-pole", _("Organisations membres par pôle"),
        _(
            "Répartition des pôles publiés selon leur nombre d'organisations membres actuelles "
            "enregistrées dans le registre."
        ),
        _("Organisations membres"), [_("Pôles")],
    )
    for low, high in MEMBER_BUCKETS:
        if high == 0:
            # Not « 0 »: the documents name no pole's members; none recorded is not none.
            label = _("aucune enregistrée")
        elif high is None:
            label = _("%(low)s ou plus") % {"low": low}
        else:
            label = str(low) if low == high else f"{low}–{high}"
        total = sum(n for members, n in counts.items()
                    if members >= low and (high is None or members <= high))
        figure.rows.append((label, [total]))
    return figure


FIGURES = {
    "poles-par-region": lambda: by_region("current"),
    "poles-par-ancienne-region": lambda: by_region("former"),
    "poles-par-secteur": by_sector,
    "poles-par-statut": by_status,
    "poles-par-type-de-membre": by_member_kind,
    "laureats-par-appel-et-region": lambda: laureates_by_call_and_region()[0],
    "poles-par-annee-de-creation": by_founding_year,
    "membres-par-pole": members_per_pole,
}


def all_figures() -> list[Figure]:
    """Every figure, in the page's order (``FIGURES``')."""
    return [build() for build in FIGURES.values()]
