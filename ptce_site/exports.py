"""CSV downloads that French spreadsheets open right (public exports and the admin's)."""

from __future__ import annotations

import csv
from collections.abc import Iterable

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext


def csv_response(
    filename: str, header: Iterable[str], rows: Iterable[Iterable], *, delimiter: str = ";"
) -> HttpResponse:
    """A CSV download that French spreadsheets open right: UTF-8 with BOM, ';'-separated."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")
    writer = csv.writer(response, delimiter=delimiter)
    writer.writerow([str(column) for column in header])
    writer.writerows(rows)
    return response


def dated_filename(stem: str, extension: str = "csv") -> str:
    return f"{stem}-{timezone.localdate().isoformat()}.{extension}"


def yes_no(value: bool) -> str:
    return gettext("oui") if value else gettext("non")
