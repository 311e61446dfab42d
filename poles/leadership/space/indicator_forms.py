"""The leaders' form of one year's indicators (``/espace/poles/<slug>/indicateurs/<year>/``)."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from ...registry.indicators.fields import (
    DECIMAL_FIGURES,
    FIELD_CLASSES,
    THOUSANDS_OR_DECIMALS,
    ambiguity_message,
)
from ...registry.indicators.models import YearlyIndicators

# What a leader may say of their figures' origin; "staff" is the registry team's own.
LEADER_SOURCES = [
    (value, label)
    for value, label in YearlyIndicators.Source.choices
    if value != YearlyIndicators.Source.STAFF
]


def ambiguous_figures(data) -> list[str]:
    """The decimal figures posted as « 1,200 »: read as 1.2 they could be 1,200 typed the
    English way; refused with a message rather than guessed (a figure wrong by a thousand)."""
    return [
        name
        for name in DECIMAL_FIGURES
        if isinstance(value := data.get(name), str)
        and THOUSANDS_OR_DECIMALS.fullmatch(value.strip())
    ]


def typed_numbers(data):
    """A copy of the posted ``data`` with the figures as a French keyboard types them made
    readable: spaces between thousands removed (« 1 200 000 »), a decimal comma as a point."""
    data = data.copy()
    for name in YearlyIndicators.FIGURES:
        value = data.get(name)
        if isinstance(value, str):
            for space in (" ", "\u00a0", "\u202f"):
                value = value.replace(space, "")
            data[name] = value.replace(",", ".")
    return data


class YearlyIndicatorsForm(forms.ModelForm):
    """The figures, their source and a note. ``version`` is the row's version when the page
    was opened (0 for a year not yet saved): a save made since is refused, not overwritten."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    class Meta:
        model = YearlyIndicators
        fields = [*YearlyIndicators.FIGURES, "source", "note"]
        field_classes = FIELD_CLASSES
        widgets = {"note": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, data=None, *args, **kwargs):
        self.ambiguous = []
        if data is not None:
            self.ambiguous = ambiguous_figures(data)
            data = typed_numbers(data)
        super().__init__(data, *args, **kwargs)
        self.fields["source"].choices = LEADER_SOURCES
        for name in YearlyIndicators.FIGURES:
            field = self.fields[name]
            decimal = isinstance(field, forms.DecimalField)
            field.localize = decimal  # shown with a decimal comma
            field.widget = forms.TextInput(
                attrs={"inputmode": "decimal" if decimal else "numeric", "autocomplete": "off"}
            )
            field.widget.is_localized = decimal
        if not self.is_bound:
            self.initial["version"] = self.instance.version if self.instance.pk else 0
            for name in DECIMAL_FIGURES:  # 20, not 20,00
                if isinstance(value := self.initial.get(name), Decimal):
                    self.initial[name] = Decimal(format(value.normalize(), "f"))

    def clean(self):
        cleaned = super().clean()
        for name in self.ambiguous:
            self.add_error(name, ambiguity_message(self.data.get(name, "")))
        wanted = self.data.get("action")
        if wanted not in ("draft", "submit"):
            raise forms.ValidationError(
                _(
                    "Choisissez « Enregistrer le brouillon » ou « Transmettre à l'équipe du "
                    "registre »."
                )
            )
        if wanted == "submit" and not any(
            cleaned.get(name) is not None for name in YearlyIndicators.FIGURES
        ):
            raise forms.ValidationError(
                _("Renseignez au moins un indicateur avant de transmettre l'année.")
            )
        return cleaned

    @property
    def submits(self) -> bool:
        return self.data.get("action") == "submit"


def figures_now(row: YearlyIndicators | None) -> list[dict]:
    """The saved figures of ``row`` (label and value as text), for the conflict message."""
    if row is None:
        return []
    shown = []
    for name in [*YearlyIndicators.FIGURES, "source", "status"]:
        field = YearlyIndicators._meta.get_field(name)
        value = getattr(row, f"get_{name}_display")() if field.choices else getattr(row, name)
        shown.append({"label": field.verbose_name, "now": "—" if value is None else value})
    return shown
