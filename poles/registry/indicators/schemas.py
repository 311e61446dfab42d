"""The Table Schemas of the two indicator CSV files of ``/statistiques/`` (listed in
``/api/datapackage.json``), built from the files' own headers so that a column added to a file
is described with it: one row per pole and year (``exports.header``), and one per year and
region (``stats.aggregate_csv_header``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _

from members.models import Organisation
from ptce_site.exports import csv_response, dated_filename

from .display import FIGURES
from .exports import header, public_indicators_csv
from .stats import NOT_ADDITIVE, aggregate_csv_header, aggregate_csv_rows

NON_NEGATIVE = {"minimum": 0}
# The share of public funding is a percentage; every other figure is a count or an amount.
BOUNDS = {"public_funding_share": {"minimum": 0, "maximum": 100}}


def _field(name: str, kind: str, **constraints) -> dict:
    field = {"name": str(name), "type": kind}
    if constraints:
        field["constraints"] = constraints
    return field


def indicators_schema() -> dict:
    names = iter(header())
    fields = [
        _field(next(names), "string", required=True),
        {"name": next(names), "type": "string", "format": "uri"},
        _field(next(names), "string"),
        _field(next(names), "integer", required=True),
    ]
    for name, _label, _unit in FIGURES:
        fields.append(_field(next(names), "number", **BOUNDS.get(name, NON_NEGATIVE)))
    # Member organisations by kind, then their total: empty when the registry holds no
    # membership of the pole (unknown, not 0).
    for _kind in [*Organisation.Kind.values, "total"]:
        fields.append(_field(next(names), "integer", **NON_NEGATIVE))
    fields.append(_field(next(names), "string"))
    return {"fields": fields, "missingValues": [""]}


def aggregates_schema() -> dict:
    names = iter(aggregate_csv_header())
    fields = [
        _field(next(names), "integer", required=True),
        _field(next(names), "string", required=True),
        _field(next(names), "integer", required=True, minimum=0),
    ]
    for name, _label, _unit in FIGURES:
        bounds = BOUNDS.get(name, NON_NEGATIVE)
        fields.append(_field(next(names), "integer", required=True, minimum=0))
        if name not in NOT_ADDITIVE:
            fields.append(_field(next(names), "number", **NON_NEGATIVE))
        fields.append(_field(next(names), "number", **bounds))
    return {"fields": fields, "missingValues": [""]}


@dataclass(frozen=True)
class IndicatorFile:
    """One of the statistics page's files of yearly indicators: its title and Table Schema
    (``/api/datapackage.json``) and its response (``/statistiques/<key>.csv``)."""

    title: str
    schema: Callable[[], dict]
    response: Callable[[], HttpResponse]


def _aggregates_csv() -> HttpResponse:
    return csv_response(
        dated_filename("indicateurs-par-region"), aggregate_csv_header(), aggregate_csv_rows()
    )


# The statistics page's file key (``/statistiques/<key>.csv``) -> the file.
INDICATOR_FILES = {
    "indicateurs-annuels": IndicatorFile(
        _("Indicateurs annuels vérifiés des pôles (un pôle et une année par ligne)"),
        indicators_schema, public_indicators_csv,
    ),
    "indicateurs-par-region": IndicatorFile(
        _("Indicateurs annuels vérifiés par région et par année"), aggregates_schema,
        _aggregates_csv,
    ),
}
