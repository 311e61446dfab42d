"""The refusal of an uploaded file as a whole (``imports.read_table``), the sentences of those
said from more than one place (each reader of the formats), and a row's error that is no
value's (``row_error``)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError
from django.utils.translation import gettext as _


class ImportFileError(ValidationError):
    """A file refused as a whole, with the reason in French."""


def not_a_spreadsheet() -> ImportFileError:
    return ImportFileError(
        _("Ce fichier n'est pas un tableur : envoyez un fichier CSV, XLSX ou ODS.")
    )


def damaged() -> ImportFileError:
    return ImportFileError(
        _(
            "Ce fichier est endommagé et ne peut pas être lu : enregistrez-le à nouveau depuis "
            "votre tableur, puis envoyez-le."
        )
    )


def formula_error(line: int, column: str) -> ImportFileError:
    return ImportFileError(
        _(
            "ligne %(line)s, colonne « %(column)s » : une formule n'est pas acceptée. Collez "
            "plutôt ses valeurs (Collage spécial → Valeurs) et envoyez le fichier à nouveau."
        )
        % {"line": line, "column": column}
    )


def merged_cells(line: int, column: str) -> ImportFileError:
    return ImportFileError(
        _(
            "ligne %(line)s, colonne « %(column)s » : des cellules sont fusionnées ; "
            "seule la première garde la valeur, les autres seraient lues vides. "
            "Défusionnez-les en répétant la valeur sur chaque ligne, puis envoyez le "
            "fichier à nouveau."
        )
        % {"line": line, "column": column}
    )


def row_error(error) -> str:
    """A row's error raised while it was saved, as the preview says it: the database's own
    words (« UNIQUE constraint failed: … », in English) are no curator's."""
    if isinstance(error, IntegrityError):
        return _(
            "cette ligne désigne un élément déjà enregistré, peut-être par un autre import "
            "au même moment : envoyez le fichier à nouveau pour voir ce qui a changé."
        )
    if isinstance(error, DatabaseError):
        return _("cette ligne n'a pas pu être enregistrée : vérifiez ses valeurs.")
    return str(error)
