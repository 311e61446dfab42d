"""Helpers for the registry's admin modules."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.admin.models import CHANGE, LogEntry


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
