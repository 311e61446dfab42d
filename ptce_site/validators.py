"""Validators of text fields shared by the apps' models (places: ``poles.territories``)."""

from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

validate_phone = RegexValidator(
    r"^\+?[0-9][0-9 .()\-]{5,22}$",
    _(
        "Saisissez un numéro de téléphone : des chiffres, avec espaces, points ou tirets "
        "(par exemple 01 23 45 67 89 ou +33 1 23 45 67 89)."
    ),
    code="invalid_phone",
)

# One line, no control character: a name or a territory shows in e-mails and exports, where a
# line break typed in a forged form would add lines that seem to come from the registry.
validate_single_line = RegexValidator(
    r"[\x00-\x1f\x7f]",
    _("Écrivez ce champ sur une seule ligne, sans caractère de contrôle."),
    code="not_single_line",
    inverse_match=True,
)
