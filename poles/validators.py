"""Validators shared by the registry's models and forms."""

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

validate_phone = RegexValidator(
    r"^\+?[0-9][0-9 .()\-]{5,22}$",
    _(
        "Saisissez un numéro de téléphone : des chiffres, avec espaces, points ou tirets "
        "(par exemple 01 23 45 67 89 ou +33 1 23 45 67 89)."
    ),
    code="invalid_phone",
)
