"""What changed on a pole and its memberships, read from django-simple-history.

One reader for the leaders' "recent changes", the staff e-mails and the admin: each change says
when, who, what (the fields with their labels) and the values before and after, as text ready
to show (choices by their label, dates in French, related objects by name). The number of SQL
queries does not depend on the number of changes read: previous versions, many-to-many
snapshots and the names of related objects are each fetched in one query for the whole list.
"""

from __future__ import annotations

import datetime
import decimal
from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import models
from django.db.models import OuterRef, Q, Subquery
from django.utils import formats, timezone
from django.utils.text import Truncator, capfirst
from django.utils.translation import gettext as _
from simple_history.models import HistoricalRecords
from simple_history.utils import get_m2m_reverse_field_name

from members.models import Membership, Organisation
from ptce_site.collation import french_key

from ..registry.models import Objective, Pole, Sector
from ..registry.provenance import POLE, SOURCE, origin_of
from ..territories.models import Region

# Technical fields that change on every save and say nothing to a reader.
HIDDEN_FIELDS = {"id", "version", "updated_at", "created_at", "pole"}


@dataclass
class FieldChange:
    label: str
    before: str
    after: str


@dataclass
class Change:
    """One saved version of a pole or of one of its memberships."""

    when: datetime.datetime
    user: models.Model | None
    kind: str  # "pole" or "membership"
    action: str  # simple-history's history_type: "+" created, "~" changed, "-" deleted
    subject: str
    pole_id: int
    history_id: int
    fields: list[FieldChange] = field(default_factory=list)
    reason: str = ""  # the version's change reason (``poles.registry.provenance``)

    @property
    def origin(self) -> str:
        """Where the version comes from, by the rule the pole's public page follows."""
        user = self.user
        by_staff = user is not None and (user.is_staff or user.is_superuser)
        return origin_of(user.pk if user else None, by_staff, self.reason)

    @property
    def who(self) -> str:
        """The author as leaders see it: staff are "l'équipe du registre"; the seed load is
        the source documents', as the public page says."""
        origin = self.origin
        if origin == SOURCE:
            return _("le chargement des documents sources")
        if origin == POLE:
            if self.user is None:
                return _("un porteur du pôle (compte supprimé)")
            return self.user.get_full_name() or self.user.get_username()
        return _("l'équipe du registre")

    @property
    def who_for_staff(self) -> str:
        """The author as staff see it: the account itself."""
        if self.user is None:
            if self.origin == SOURCE:
                return _("le chargement des documents sources")
            return _("un traitement automatique")
        name = self.user.get_full_name()
        username = self.user.get_username()
        return f"{name} ({username})" if name else username

    @property
    def description(self) -> str:
        if self.kind == "pole":
            return {
                "+": _("Création de la fiche"),
                "-": _("Suppression de la fiche"),
            }.get(self.action, _("Fiche modifiée"))
        text = {
            "+": _("Organisation ajoutée : %(subject)s"),
            "-": _("Adhésion supprimée : %(subject)s"),
        }.get(self.action, _("Adhésion modifiée : %(subject)s"))
        return text % {"subject": self.subject}


def recent_changes(
    pole: Pole,
    limit: int = 20,
    *,
    since: datetime.datetime | None = None,
    user=None,
) -> list[Change]:
    """The last ``limit`` changes to ``pole`` and its memberships, newest first (optionally
    only those made since a moment, or by one user)."""
    condition = Q()
    if since is not None:
        condition &= Q(history_date__gt=since)
    if user is not None:
        condition &= Q(history_user=user)
    pole_records = Pole.history.filter(condition, id=pole.pk)
    membership_records = Membership.history.filter(condition, pole_id=pole.pk)
    return describe(pole_records, membership_records, limit=limit)


def changes_by_leaders(start: datetime.datetime, end: datetime.datetime) -> dict[int, list[Change]]:
    """Changes made by leaders (users who are not staff) between ``start`` and ``end``, by
    pole id, oldest first (the daily digest)."""
    condition = Q(
        history_date__gte=start,
        history_date__lt=end,
        history_user__isnull=False,
        history_user__is_staff=False,
    )
    changes = describe(
        Pole.history.filter(condition), Membership.history.filter(condition), limit=None
    )
    by_pole: dict[int, list[Change]] = defaultdict(list)
    for change in reversed(changes):
        by_pole[change.pole_id].append(change)
    return dict(by_pole)


def describe(pole_records, membership_records, *, limit: int | None) -> list[Change]:
    """Turn querysets of historical poles and memberships into ``Change`` lists, newest first.

    Pole versions that only bumped the version (a save of the members page) are left out.
    """
    # Saves of the members page add pole versions without a visible change: read more pole
    # versions than needed so that ``limit`` real changes remain.
    pole_limit = None if limit is None else limit * 3
    changes = [
        *_describe_poles(_with_previous(pole_records, "id", pole_limit)),
        *_describe_memberships(_with_previous(membership_records, "id", limit)),
    ]
    changes.sort(key=lambda change: (change.when, change.history_id), reverse=True)
    return changes if limit is None else changes[:limit]


def _with_previous(records, key: str, limit: int | None) -> list[tuple]:
    """``(record, previous version of the same object or None)`` pairs, in two queries."""
    model = records.model
    previous_id = (
        model.objects.filter(**{key: OuterRef(key)}, history_id__lt=OuterRef("history_id"))
        .order_by("-history_id")
        .values("history_id")[:1]
    )
    records = (
        records.select_related("history_user")
        .annotate(previous_history_id=Subquery(previous_id))
        .order_by("-history_date", "-history_id")
    )
    if limit is not None:
        records = records[:limit]
    records = list(records)
    wanted = [record.previous_history_id for record in records if record.previous_history_id]
    previous = model.objects.in_bulk(wanted) if wanted else {}
    return [(record, previous.get(record.previous_history_id)) for record in records]


def _describe_poles(pairs: list[tuple]) -> list[Change]:
    if not pairs:
        return []
    m2m_fields = list(Pole.history.model._history_m2m_fields)
    m2m_names = {m2m.name for m2m in m2m_fields}
    deltas = {}
    for record, previous in pairs:
        if record.history_type == "~" and previous is not None:
            deltas[record.history_id] = record.diff_against(
                previous, excluded_fields=m2m_names | HIDDEN_FIELDS
            ).changes
    # Many-to-many snapshots of every version read, one query per field.
    ids = [record.history_id for record, _previous in pairs]
    ids += [previous.history_id for _record, previous in pairs if previous is not None]
    snapshots = {}
    for m2m in m2m_fields:
        through = HistoricalRecords.m2m_models[m2m]
        target = get_m2m_reverse_field_name(m2m)
        rows = defaultdict(set)
        for history_id, target_id in through.objects.filter(history_id__in=ids).values_list(
            "history_id", f"{target}_id"
        ):
            rows[history_id].add(target_id)
        snapshots[m2m.name] = rows
    names = _Names()
    changes = []
    for record, previous in pairs:
        change = Change(
            when=record.history_date,
            user=record.history_user,
            reason=record.history_change_reason or "",
            kind="pole",
            action=record.history_type,
            subject=record.name,
            pole_id=record.id,
            history_id=record.history_id,
        )
        if record.history_type == "~":
            if previous is None:
                continue  # the first recorded version of an older pole: nothing to compare
            for delta in sorted(deltas.get(record.history_id, []), key=_field_order):
                model_field = Pole._meta.get_field(delta.field)
                change.fields.append(names.pending(model_field, delta.old, delta.new))
            for m2m in m2m_fields:
                before = snapshots[m2m.name].get(previous.history_id, set())
                after = snapshots[m2m.name].get(record.history_id, set())
                if before != after:
                    change.fields.append(names.pending(m2m, before, after))
            if not change.fields:
                continue
        changes.append(change)
    names.resolve()
    return changes


def _describe_memberships(pairs: list[tuple]) -> list[Change]:
    if not pairs:
        return []
    organisation_ids = {record.organisation_id for record, _previous in pairs}
    organisations = dict(
        Organisation.objects.filter(pk__in=organisation_ids).values_list("pk", "name")
    )
    role_labels = dict(Membership.Role.choices)
    names = _Names()
    changes = []
    for record, previous in pairs:
        organisation = organisations.get(record.organisation_id) or _("organisation supprimée")
        change = Change(
            when=record.history_date,
            user=record.history_user,
            reason=record.history_change_reason or "",
            kind="membership",
            action=record.history_type,
            subject=f"{organisation} ({role_labels.get(record.role, record.role)})",
            pole_id=record.pole_id,
            history_id=record.history_id,
        )
        if record.history_type == "~" and previous is not None:
            delta = record.diff_against(previous, excluded_fields=HIDDEN_FIELDS)
            for item in delta.changes:
                model_field = Membership._meta.get_field(item.field)
                change.fields.append(names.pending(model_field, item.old, item.new))
            if not change.fields:
                continue
        elif record.history_type == "+":
            for name in ("joined_on", "left_on"):
                if getattr(record, name):
                    model_field = Membership._meta.get_field(name)
                    change.fields.append(names.pending(model_field, None, getattr(record, name)))
        changes.append(change)
    names.resolve()
    return changes


def _field_order(delta) -> int:
    """Fields in the order of the form, not alphabetical."""
    names = [model_field.name for model_field in Pole._meta.get_fields()]
    return names.index(delta.field) if delta.field in names else len(names)


class _Names:
    """Field changes whose values are filled in at the end, related objects' names being
    fetched in one query per model for every change at once."""

    RELATED = {
        Region: lambda ids: Region.objects.filter(pk__in=ids).values_list("pk", "name"),
        Sector: lambda ids: Sector.objects.filter(pk__in=ids).values_list("pk", "name"),
        Objective: lambda ids: (
            (objective.pk, str(objective)) for objective in Objective.objects.filter(pk__in=ids)
        ),
        Organisation: lambda ids: Organisation.objects.filter(pk__in=ids).values_list("pk", "name"),
    }

    def __init__(self) -> None:
        self.waiting: list[tuple[FieldChange, models.Field, object, object]] = []
        self.ids: dict[type, set] = defaultdict(set)

    def pending(self, model_field, before, after) -> FieldChange:
        change = FieldChange(label=str(capfirst(model_field.verbose_name)), before="", after="")
        if model_field.is_relation:
            related = model_field.related_model
            for value in (before, after):
                self.ids[related].update(value if isinstance(value, set) else {value} - {None})
        self.waiting.append((change, model_field, before, after))
        return change

    def resolve(self) -> None:
        names: dict[type, dict] = {}
        for related, ids in self.ids.items():
            if related in self.RELATED:
                names[related] = dict(self.RELATED[related](ids))
            elif related is get_user_model():
                names[related] = {
                    user.pk: user.get_full_name() or user.get_username()
                    for user in related.objects.filter(pk__in=ids)
                }
        for change, model_field, before, after in self.waiting:
            change.before = _text(model_field, before, names)
            change.after = _text(model_field, after, names)
            if isinstance(model_field, models.FileField) and before and after:
                change.before, change.after = _("l'ancien logo"), _("un nouveau logo")


def _text(model_field, value, names: dict) -> str:
    """A value as a reader expects it."""
    if model_field.many_to_many:
        known = names.get(model_field.related_model, {})
        return ", ".join(sorted((str(known.get(pk, pk)) for pk in value), key=french_key)) or "—"
    if value is None or value == "":
        return "—"
    if model_field.is_relation:
        return str(names.get(model_field.related_model, {}).get(value, value))
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(model_field, models.BooleanField):
        return _("oui") if value else _("non")
    if isinstance(model_field, models.FileField):
        return _("un logo") if value else "—"
    if isinstance(value, datetime.datetime):
        return formats.date_format(timezone.localtime(value), "DATETIME_FORMAT")
    if isinstance(value, datetime.date):
        return formats.date_format(value, "DATE_FORMAT")
    if isinstance(value, float | decimal.Decimal):
        return formats.number_format(value)  # « 48,85727 » in French
    return Truncator(str(value)).chars(160)
