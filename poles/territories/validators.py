"""Validators of places."""

from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

validate_commune_code = RegexValidator(
    r"^(?:[0-9]{5}|2[AB][0-9]{3})$",
    _(
        "Un code commune INSEE compte cinq caractères : 5 chiffres, ou 2A/2B suivis de 3 "
        "chiffres en Corse (par exemple 75056 ou 2A004)."
    ),
    code="invalid_commune_code",
)


def is_commune_code(value: str | None) -> bool:
    """Whether ``value`` has the form of an INSEE commune code (what to look up; a value that
    has not is left to ``validate_commune_code``'s message)."""
    return bool(value) and validate_commune_code.regex.match(value) is not None
