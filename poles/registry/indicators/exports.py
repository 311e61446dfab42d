"""The yearly indicators as CSV: one row per pole and year. The public file
(``/statistiques/indicateurs-annuels.csv``) holds the checked figures of published poles; the
admin's export of a selection adds the review's columns (state, who checked, the note)."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from members.models import Organisation
from ptce_site.exports import csv_response, dated_filename
from ptce_site.links import absolute_url

from .display import FIGURES, as_number
from .members import member_counts, total
from .models import YearlyIndicators


def _when(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def header(*, staff: bool = False) -> list[str]:
    columns = [_("pôle"), _("adresse"), _("région"), _("année")]
    columns += [str(label) for _name, label, _unit in FIGURES]
    columns += [
        _("organisations membres au 31 décembre : %(kind)s") % {"kind": label}
        for _kind, label in Organisation.Kind.choices
    ]
    columns += [_("organisations membres au 31 décembre"), _("source")]
    if staff:
        columns += [_("état"), _("transmis le"), _("vérifié le"), _("vérifié par"), _("note")]
    return columns


def rows(indicators, *, staff: bool = False):
    """The rows of ``indicators`` (a queryset), in three queries whatever their number."""
    indicators = list(indicators.select_related("pole__region", "checked_by").order_by(
        "pole__name", "pole_id", "year"
    ))
    counts = member_counts((row.pole_id, row.year) for row in indicators)
    for row in indicators:
        members = counts[(row.pole_id, row.year)]
        cells = [
            row.pole.name,
            absolute_url(row.pole.get_absolute_url()),
            row.pole.region.name if row.pole.region else "",
            row.year,
            *(as_number(getattr(row, name)) for name, _label, _unit in FIGURES),
            # Empty when the registry holds no membership of the pole: unknown, not 0.
            *(("" if members is None else members.get(kind, 0))
              for kind, _label in Organisation.Kind.choices),
            as_number(total(members)),
            row.get_source_display(),
        ]
        if staff:
            checker = row.checked_by.get_username() if row.checked_by else ""
            cells += [
                row.get_status_display(), _when(row.submitted_at), _when(row.checked_at),
                checker, row.note,
            ]
        yield cells


def indicators_csv(indicators, stem: str, *, staff: bool = False) -> HttpResponse:
    return csv_response(
        dated_filename(stem), header(staff=staff), rows(indicators, staff=staff)
    )


def public_indicators_csv() -> HttpResponse:
    return indicators_csv(YearlyIndicators.objects.public(), "indicateurs-annuels-ptce")
