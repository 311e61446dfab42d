"""Helpers shared by the registry's admin modules.

The CSV download itself (UTF-8 with BOM, ';'-separated) lives in ``ptce_site.exports``, because
the public directory export uses it too; the admin actions build their rows and call it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.contrib import admin
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.admin.utils import NotRelationField, get_fields_from_path, unquote
from django.contrib.admin.views.main import ChangeList
from django.contrib.auth import get_permission_codename, get_user_model
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.db.models import F, OrderBy
from django.db.models.functions import Collate
from django.http import Http404
from django.utils.text import capfirst
from django.utils.translation import gettext, override
from simple_history.admin import SimpleHistoryAdmin
from simple_history.utils import get_history_model_for_model

from .admin_scope import ensure_visible
from .collation import french
from .content import content_changed
from .scope import scope


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


class NameListFilter(admin.RelatedFieldListFilter):
    """A filter on a related model that reads only the choices' primary key and name.

    Regions carry their GeoJSON outline (about 10 kB each): the default filter would load every
    outline on every changelist just to print the regions' names. A regional curator is
    offered their own regions only (``scope``).
    """

    def field_choices(self, field, request, model_admin):
        ordering = self.field_admin_ordering(field, request, model_admin) or [french("name")]
        related = field.related_model._default_manager.order_by(*ordering)
        related = scope().visible(related, request.user)
        return list(related.values_list("pk", "name"))


class HistoryAdmin(SimpleHistoryAdmin):
    """django-simple-history's admin (history list, diff, revert), with malformed ids in the
    address answered by a 404 instead of a server error."""

    def history_view(self, request, object_id, extra_context=None):
        _check_ids(self.model._meta.pk, object_id)
        # Who made each change links to their account only for those who may open it
        # (administrators): curators manage no user, and a link would lead them to a 403.
        user_model = get_user_model()._meta
        context = {
            "can_open_users": request.user.has_perm(
                f"{user_model.app_label}.{get_permission_codename('change', user_model)}"
            ),
            **(extra_context or {}),
        }
        return super().history_view(request, object_id, context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        history_model = get_history_model_for_model(self.model)
        _check_ids(self.model._meta.pk, object_id)
        _check_ids(history_model._meta.pk, version_id)
        # Its address gives the object by position, which the site's check of the account's
        # scope (by the ``object_id`` keyword) does not see: a row out of scope is a 404 here.
        ensure_visible(request, self, object_id)
        return super().history_form_view(request, object_id, version_id, extra_context)


class FrenchChangeList(ChangeList):
    """A changelist whose text columns sort in French (``ptce_site.collation``): the default
    ordering and a click on a column's header alike ("Île-de-France" among the I)."""

    def get_ordering(self, request, queryset):
        return [in_french(self.model, item) for item in super().get_ordering(request, queryset)]

    def _get_default_ordering(self):
        # Plain names, so that Django marks the sorted column (it skips expressions); they
        # become French again in get_ordering().
        return [_plain(item) for item in super()._get_default_ordering()]


class FrenchSortingAdmin:
    """For a ModelAdmin: its changelist sorts text columns in French."""

    def get_changelist(self, request, **kwargs):
        return FrenchChangeList


def in_french(model: type[models.Model], item):
    """An ordering item ("name", "-pole__name") in French when it names a text field."""
    if not isinstance(item, str) or item.lstrip("-") in ("", "?", "pk"):
        return item
    path = item.lstrip("-")
    try:
        field = get_fields_from_path(model, path)[-1]
    except (FieldDoesNotExist, NotRelationField):
        return item  # an annotation ("pole_count") or an unknown name: left to Django
    if not isinstance(field, models.CharField | models.TextField) or field.choices:
        return item
    collated = french(path)
    return collated.desc() if item.startswith("-") else collated.asc()


def _plain(item):
    expression = item.expression if isinstance(item, OrderBy) else item
    if isinstance(expression, Collate) and isinstance(expression.source_expressions[0], F):
        name = expression.source_expressions[0].name
        return f"-{name}" if isinstance(item, OrderBy) and item.descending else name
    return item


def _check_ids(pk_field, raw: str) -> None:
    try:
        pk_field.to_python(unquote(raw))
    except ValidationError:
        raise Http404(gettext("Aucun objet ne correspond à cette adresse.")) from None


def account_name(field: str, description: str):
    """A read-only user field shown by name, without the link Django's admin puts on a
    related object: curators manage no user, and the link would lead them to a 403 page."""

    @admin.display(description=description, ordering=field)
    def display(model_admin, obj) -> str:
        user = getattr(obj, field)
        return "" if user is None else str(user)

    return display


class PoleContentAdminMixin:
    """For the admins of rows a pole's public page shows (memberships, applications): each
    save or deletion by staff dates the pole's page (``ptce_site.content``)."""

    def save_model(self, request, obj, form, change):
        before = form.initial.get("pole") if change else None  # the pole it was moved from
        super().save_model(request, obj, form, change)
        content_changed(type(obj), [obj.pole_id, before])

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        content_changed(type(obj), [obj.pole_id])

    def delete_queryset(self, request, queryset):
        poles = list(queryset.values_list("pole_id", flat=True))
        super().delete_queryset(request, queryset)
        content_changed(queryset.model, poles)
