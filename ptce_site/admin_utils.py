"""Helpers shared by the registry's admin modules.

The CSV download itself (UTF-8 with BOM, ';'-separated) lives in ``ptce_site.exports``, because
the public directory export uses it too; the admin actions build their rows and call it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.contrib import admin
from django.contrib.admin.models import CHANGE, LogEntry
from django.db import models
from django.utils import formats, timezone
from django.utils.html import format_html, format_html_join
from django.utils.text import capfirst
from django.utils.translation import gettext, override


def field_labels(model: type[models.Model], field_names: Iterable[str]) -> list[str]:
    """The labels the change form would record for these fields.

    Like Django's own change messages, they are stored untranslated and translated when the
    history is read (``LogEntry.get_change_message()``).
    """
    with override(None):
        return [str(capfirst(model._meta.get_field(name).verbose_name)) for name in field_names]


def log_changes(user, objects: Iterable[models.Model], changed_fields: Sequence[str]) -> None:
    """One admin history entry per object, as the change form would write it (bulk actions
    bypass the form, but the history must still say who changed what and when)."""
    objects = list(objects)
    if not objects:
        return
    labels = field_labels(type(objects[0]), changed_fields)
    LogEntry.objects.log_actions(
        user_id=user.pk,
        queryset=objects,
        action_flag=CHANGE,
        change_message=[{"changed": {"fields": labels}}],
    )


def history_summary(obj: models.Model, *, limit: int = 10) -> str:
    """The last ``limit`` admin history entries of ``obj`` as an HTML list: when, who, what."""
    if obj.pk is None:
        return gettext("Aucune modification pour l'instant.")
    entries = list(
        LogEntry.objects.filter(
            content_type__app_label=obj._meta.app_label,
            content_type__model=obj._meta.model_name,
            object_id=str(obj.pk),
        )
        .select_related("user")
        .order_by("-action_time", "-pk")[:limit]
    )
    if not entries:
        return gettext("Aucune modification enregistrée dans l'administration.")
    rows = (
        (
            formats.date_format(timezone.localtime(entry.action_time), "SHORT_DATETIME_FORMAT"),
            _user_label(entry.user),
            entry.get_change_message() or gettext("Enregistré sans changement."),
        )
        for entry in entries
    )
    return format_html(
        '<ul class="change-summary">{}</ul>',
        format_html_join("", "<li><time>{}</time> — {} : {}</li>", rows),
    )


class NameListFilter(admin.RelatedFieldListFilter):
    """A filter on a related model that reads only the choices' primary key and name.

    Regions carry their GeoJSON outline (about 10 kB each): the default filter would load every
    outline on every changelist just to print the regions' names.
    """

    def field_choices(self, field, request, model_admin):
        ordering = self.field_admin_ordering(field, request, model_admin) or ["name"]
        related = field.related_model._default_manager.order_by(*ordering)
        return list(related.values_list("pk", "name"))


def _user_label(user) -> str:
    full_name = user.get_full_name()
    username = user.get_username()
    return f"{full_name} ({username})" if full_name else username
