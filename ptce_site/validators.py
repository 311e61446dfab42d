"""Validators of text fields shared by the apps' models (places: ``poles.territories``)."""

import re

from django.core.exceptions import ValidationError
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

# Control characters but the line breaks and tabs a text area may hold.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Unicode's other line breaks, which ``validate_single_line`` lets through: in an e-mail to
# staff, a name holding one shows as two lines, the second seeming to come from the registry.
LINE_SEPARATORS = re.compile("[\x85\u2028\u2029]")


def clean_single_line(value: str) -> str:
    """For a one-line field already checked by ``validate_single_line`` whose text goes into
    an e-mail (the public forms): Unicode's other line breaks refused too. (Widening
    ``validate_single_line`` itself would change the models' validators and migrations.)"""
    if LINE_SEPARATORS.search(value):
        raise ValidationError(
            _("Écrivez ce champ sur une seule ligne, sans caractère de contrôle."),
            code="not_single_line",
        )
    return value


def clean_text_block(value: str) -> str:
    """A text area's text, without control characters (line breaks and tabs kept)."""
    if CONTROL_CHARACTERS.search(value):
        raise ValidationError(
            _("Ce texte contient des caractères de contrôle : retirez-les (copiez le texte brut)."),
            code="control_characters",
        )
    return value.strip()
