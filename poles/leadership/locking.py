"""Optimistic locking of a pole's edits: one rule for the admin's change form and the leaders'
forms.

Every save of a pole raises ``Pole.version`` (``Pole.save``). A form carries, in a hidden
field, the version its page was opened at; at save time the pole's row is locked and its
version compared with that one: if someone saved in between, the save is refused instead of
silently overwriting their change. The refused form is shown again with the input kept and the
current version in the hidden field (``reopened``), so that a second save knowingly replaces
the other change.
"""

from __future__ import annotations

from django.db import transaction
from django.http import QueryDict

from ..registry.models import Pole
from ..registry.querysets import PoleQuerySet


def locked(poles: PoleQuerySet) -> PoleQuerySet:
    """``poles`` with their rows locked until the transaction ends, when there is one
    (``SELECT … FOR UPDATE`` on PostgreSQL; SQLite's ``BEGIN IMMEDIATE`` holds the whole
    database already): nobody saves between the check and the write."""
    if transaction.get_connection().in_atomic_block:
        return poles.select_for_update()
    return poles


def current_version(pole_id: int, *, lock: bool = True) -> int | None:
    """The pole's version in the database (None if it is gone), its row locked unless
    ``lock`` is false (a page being opened, not saved)."""
    poles = Pole.objects.filter(pk=pole_id)
    return (locked(poles) if lock else poles).values_list("version", flat=True).first()


def is_stale(opened_version: int | None, current: int | None) -> bool:
    """Whether the pole was saved since its form was opened at ``opened_version``."""
    return current is not None and opened_version != current


def reopened(data: QueryDict, field_name: str, version: int) -> QueryDict:
    """A copy of the posted ``data`` with ``version`` in the hidden field ``field_name`` (its
    name with the form's prefix): the form shown again with it replaces the other change on
    its next save."""
    data = data.copy()
    data[field_name] = str(version)
    return data
