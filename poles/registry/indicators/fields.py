"""Form fields of the yearly indicators, shared by the leaders' form and the staff's admin."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .models import FIRST_YEAR, last_reportable_year


class PlainDecimalField(forms.DecimalField):
    """A decimal figure written with digits and one separator only: Python's ``Decimal`` also
    reads « 1e3 » (1,000) or « 5E-1 », which nobody means when reporting jobs or a share, and
    which would be saved as a figure the leader never saw."""

    def to_python(self, value):
        if isinstance(value, str) and any(letter in value for letter in "eE"):
            raise ValidationError(
                _("Écrivez le nombre en chiffres, par exemple 12,5 (sans lettre ni exposant)."),
                code="invalid",
            )
        return super().to_python(value)


# ModelForm's Meta.field_classes for the decimal figures.
FIELD_CLASSES = {"jobs_fte": PlainDecimalField, "public_funding_share": PlainDecimalField}


def year_field(label) -> forms.TypedChoiceField:
    """The year of a row in the admin: a list of the years that may be reported, newest first,
    rather than a number field whose only bound is the column's (« inférieure ou égale à
    32767 » for a year of 99999)."""
    years = range(last_reportable_year(), FIRST_YEAR - 1, -1)
    return forms.TypedChoiceField(
        label=label, coerce=int, choices=[("", "---------"), *((year, year) for year in years)],
    )
