"""Helpers shared by the registry's admin modules."""

from __future__ import annotations

import csv
from collections.abc import Iterable

from django.contrib.admin.models import CHANGE, LogEntry
from django.http import HttpResponse
from django.utils import timezone


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
    from django.utils.translation import gettext

    return gettext("oui") if value else gettext("non")


def log_changes(user, objects: Iterable, changed_fields: list[str]) -> None:
    """One admin history entry per object, as the change form would write it (bulk actions
    bypass the form, but the history must still say who changed what and when)."""
    objects = list(objects)
    if objects:
        LogEntry.objects.log_actions(
            user_id=user.pk,
            queryset=objects,
            action_flag=CHANGE,
            change_message=[{"changed": {"fields": changed_fields}}],
        )
