"""How the indicators read on pages: short labels with their unit, values in French
(« 12,5 », « 1 200 000 € », « 45 % »), the same on the pole's page, the leaders' space and the
statistics."""

from __future__ import annotations

from decimal import Decimal

from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from ptce_site.typography import with_label

# (field, short label, unit shown after the value)
FIGURES = (
    ("jobs_fte", _("Emplois (ETP)"), ""),
    ("jobs_created", _("Emplois créés dans l'année"), ""),
    ("integration_people", _("Personnes en parcours d'insertion"), ""),
    ("budget_euros", _("Budget annuel"), "\u00a0€"),
    ("public_funding_share", _("Part de financement public"), "\u00a0%"),
    ("volunteers", _("Bénévoles"), ""),
)
# Units after a no-break space, as French writes them: « 352 021 € » never breaks before €.
LABELS = {name: label for name, label, _unit in FIGURES}
UNITS = {name: unit for name, _label, unit in FIGURES}


def shown(name: str, value) -> str:
    """``value`` of the figure ``name`` as text; empty when unknown."""
    if value is None:
        return ""
    if isinstance(value, float):  # a median of two counts (2.5)
        value = Decimal(str(round(value, 2)))
    if isinstance(value, Decimal):
        value = value.normalize()  # 12.50 reads 12,5; 100.0 reads 100
        places = max(0, -value.as_tuple().exponent)
        text = number_format(value, decimal_pos=places, use_l10n=True, force_grouping=True)
    else:
        text = number_format(value, use_l10n=True, force_grouping=True)
    return f"{text}{UNITS[name]}"


def as_number(value):
    """A figure as a number for files and the API (an integer when whole, else at most two
    decimals, with a point), empty (``""``) when unknown."""
    if value is None:
        return ""
    number = float(value)
    return int(number) if number.is_integer() else round(number, 2)


def points_text(name: str, points) -> str:
    """A chart's points ``[(year, [value])]`` of the figure ``name`` as its description
    says them: « 2021 : 12, 2022 : 14 »."""
    return ", ".join(with_label(year, shown(name, values[0])) for year, values in points)


def figures_of(row) -> list[tuple[str, str]]:
    """(label, value) of each known figure of ``row``."""
    return [
        (str(label), shown(name, getattr(row, name)))
        for name, label, _unit in FIGURES
        if getattr(row, name) is not None
    ]
