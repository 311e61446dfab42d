"""CSV downloads that French spreadsheets open right (public exports and the admin's).

Every cell goes through ``spreadsheet_safe``: a spreadsheet runs a cell whose text starts with
``=``, ``+``, ``-`` or ``@`` (and, in some, a tab or a carriage return) as a formula, so a
pole's territory like ``=HYPERLINK(…)`` typed by a leader would run on a curator's machine.
And every text cell is quoted (OWASP's second rule): a spreadsheet asked to split on another
separator (a tab, a comma) would otherwise cut ``Bray<tab>=2+2`` into a cell ``=2+2``.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext

# OWASP's list of the characters that make a spreadsheet read a cell as a formula.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value):
    """``value`` as a spreadsheet may show it without running it: text that starts like a
    formula gets a leading apostrophe (shown as the text itself, ``'+33 1 23 45 67 89`` reads
    ``+33 1 23 45 67 89``); numbers, dates and empty values are left as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def csv_response(
    filename: str, header: Iterable[str], rows: Iterable[Iterable], *, delimiter: str = ";"
) -> HttpResponse:
    """A CSV download that French spreadsheets open right: UTF-8 with BOM, ';'-separated,
    every text cell neutralised (see ``spreadsheet_safe``)."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")
    # Text quoted, numbers bare: numbers stay numbers, text is never split.
    writer = csv.writer(response, delimiter=delimiter, quoting=csv.QUOTE_NONNUMERIC)
    writer.writerow([spreadsheet_safe(str(column)) for column in header])
    writer.writerows([spreadsheet_safe(value) for value in row] for row in rows)
    return response


def dated_filename(stem: str, extension: str = "csv") -> str:
    return f"{stem}-{timezone.localdate().isoformat()}.{extension}"


def yes_no(value: bool) -> str:
    return gettext("oui") if value else gettext("non")
