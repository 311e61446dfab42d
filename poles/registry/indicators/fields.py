"""Form fields of the yearly indicators, shared by the leaders' form and the staff's admin."""

from __future__ import annotations

import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .models import FIRST_YEAR, last_reportable_year

# The figures that take decimals (the others refuse a comma as not a whole number).
DECIMAL_FIGURES = ("jobs_fte", "public_funding_share")
# « 1,200 » or « 12,500 »: a decimal comma to a French reader, thousands to an English one.
THOUSANDS_OR_DECIMALS = re.compile(r"\d{1,3}(,\d{3})+")


def ambiguity_message(typed: str) -> str:
    """Why « 1,200 » is refused rather than read as 1.2: it could be 1,200 typed the English
    way (a figure wrong by a thousand); the two ways of writing what was meant."""
    typed = typed.replace(".", ",")
    whole, short = typed.replace(",", ""), typed.rstrip("0").rstrip(",")
    return _(
        "« %(typed)s » se lit de deux façons : écrivez %(whole)s pour un nombre entier, "
        "ou le nombre décimal sans zéro final (par exemple %(short)s)."
    ) % {"typed": typed, "whole": whole, "short": short}


class PlainDecimalField(forms.DecimalField):
    """A decimal figure written with digits and one separator only, with a decimal comma in
    French (``localize``: a text box, since browsers empty a number box holding « 12,5 »).
    Python's ``Decimal`` also reads « 1e3 » (1,000) or « 5E-1 », which nobody means when
    reporting jobs or a share, and which would be saved as a figure the leader never saw;
    « 1,200 » is refused as ambiguous (``ambiguity_message``)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("localize", True)
        super().__init__(**kwargs)

    def to_python(self, value):
        if isinstance(value, str) and any(letter in value for letter in "eE"):
            raise ValidationError(
                _("Écrivez le nombre en chiffres, par exemple 12,5 (sans lettre ni exposant)."),
                code="invalid",
            )
        if isinstance(value, str) and THOUSANDS_OR_DECIMALS.fullmatch(value.strip()):
            raise ValidationError(ambiguity_message(value.strip()), code="ambiguous")
        return super().to_python(value)


# ModelForm's Meta.field_classes for the decimal figures.
FIELD_CLASSES = dict.fromkeys(DECIMAL_FIGURES, PlainDecimalField)


def year_field(label) -> forms.TypedChoiceField:
    """The year of a row in the admin: a list of the years that may be reported, newest first,
    rather than a number field whose only bound is the column's (« inférieure ou égale à
    32767 » for a year of 99999)."""
    years = range(last_reportable_year(), FIRST_YEAR - 1, -1)
    return forms.TypedChoiceField(
        label=label, coerce=int, choices=[("", "---------"), *((year, year) for year in years)],
    )
