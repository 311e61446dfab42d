"""Files that French spreadsheets open right: the public CSV, the admin's exports (CSV, XLSX,
ODS through django-import-export's formats) and the templates of the imports.

Every cell goes through ``spreadsheet_safe``: a spreadsheet runs a cell whose text starts with
``=``, ``+``, ``-`` or ``@`` (and, in some, a tab or a carriage return) as a formula, so a
pole's territory like ``=HYPERLINK(…)`` typed by a leader would run on a curator's machine.
And every text cell is quoted (OWASP's second rule): a spreadsheet asked to split on another
separator (a tab, a comma) would otherwise cut ``Bray<tab>=2+2`` into a cell ``=2+2``.
Importing reverses the neutralisation (``spreadsheet_value``), so that a file exported here
imports back unchanged.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

import tablib
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from import_export.formats import base_formats

# OWASP's list of the characters that make a spreadsheet read a cell as a formula.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"


def spreadsheet_safe(value):
    """``value`` as a spreadsheet may show it without running it: text that starts like a
    formula gets a leading apostrophe (shown as the text itself, ``'+33 1 23 45 67 89`` reads
    ``+33 1 23 45 67 89``); numbers, dates and empty values are left as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def spreadsheet_value(value):
    """The value ``spreadsheet_safe`` neutralised, as it was (for imports of our exports)."""
    if isinstance(value, str) and value.startswith("'") and value[1:].startswith(FORMULA_TRIGGERS):
        return value[1:]
    return value


class DecimalComma(float):
    """A number the ``csv`` module writes bare (so that it stays a number) with a decimal
    comma, as French spreadsheets read ``;``-separated files."""

    def __repr__(self) -> str:
        return float.__repr__(self).replace(".", ",")

    __str__ = __repr__


def _csv_cell(value, decimal_comma: bool):
    value = spreadsheet_safe(value)
    if decimal_comma and isinstance(value, float):
        return DecimalComma(value)
    if value is None:
        return ""
    return value


def write_csv(
    stream, header: Iterable, rows: Iterable[Iterable], *, delimiter=";", decimal_comma=False
):
    """Write a CSV that French spreadsheets open right: UTF-8 BOM, every text cell neutralised
    and quoted, numbers bare (with a decimal comma if asked: the admin's « ; » exports; the
    public CSV keeps the point its users' scripts read)."""
    stream.write("\ufeff")
    # Text quoted, numbers bare: numbers stay numbers, text is never split.
    writer = csv.writer(stream, delimiter=delimiter, quoting=csv.QUOTE_NONNUMERIC)
    writer.writerow([spreadsheet_safe(str(column)) for column in header])
    writer.writerows([_csv_cell(value, decimal_comma) for value in row] for row in rows)


def csv_response(
    filename: str, header: Iterable[str], rows: Iterable[Iterable], *, delimiter: str = ";"
) -> HttpResponse:
    """A CSV download that French spreadsheets open right (see ``write_csv``)."""
    response = HttpResponse(content_type=CSV_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    write_csv(response, header, rows, delimiter=delimiter)
    return response


def neutralised(dataset: tablib.Dataset) -> tablib.Dataset:
    """A copy of ``dataset`` with every cell through ``spreadsheet_safe``."""
    safe = tablib.Dataset(headers=[spreadsheet_safe(str(h)) for h in dataset.headers or []])
    safe.title = dataset.title
    for row in dataset:
        safe.append([spreadsheet_safe(value) for value in row])
    return safe


# django-import-export's formats, with the neutralisation above (the library's own escaping,
# IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT, deletes the leading characters instead: "+33 1…"
# would lose its "+").
class SemicolonCSV(base_formats.CSV):
    delimiter = ";"
    CONTENT_TYPE = CSV_CONTENT_TYPE

    def get_title(self):
        return _("CSV « ; » (tableurs en français, virgule décimale)")

    def export_data(self, dataset, **kwargs):
        stream = io.StringIO()
        write_csv(
            stream,
            dataset.headers or [],
            dataset,
            delimiter=self.delimiter,
            decimal_comma=self.delimiter == ";",
        )
        return stream.getvalue()


class CommaCSV(SemicolonCSV):
    delimiter = ","

    def get_title(self):
        return _("CSV « , » (point décimal)")


# (Their titles stay the library's: tablib reads them as the format's name.)
class SafeXLSX(base_formats.XLSX):
    def export_data(self, dataset, **kwargs):
        return super().export_data(neutralised(dataset), **kwargs)


class SafeODS(base_formats.ODS):
    def export_data(self, dataset, **kwargs):
        return super().export_data(neutralised(dataset), **kwargs)


EXPORT_FORMATS = [SemicolonCSV, CommaCSV, SafeXLSX, SafeODS]


def dated_filename(stem: str, extension: str = "csv") -> str:
    return f"{stem}-{timezone.localdate().isoformat()}.{extension}"


def yes_no(value: bool | None) -> str:
    """« oui », « non », or an empty cell for what is not known (None)."""
    if value is None:
        return ""
    return gettext("oui") if value else gettext("non")
