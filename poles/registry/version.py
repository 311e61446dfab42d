"""The registry's version in the database: a number that every committed change to it moves,
whichever process made the change.

The page cache's *generation* (``ptce_site.cache``) lives in the cache: shared by every worker
with Redis, but each process's own with the per-process cache (``make run``, or workers
without ``REDIS_URL``), where a change made by another process (another worker, or
``manage.py import_registry`` beside ``make run``) leaves this process's generation as it was.
The directory's bit sets (``facet_sets.py``) are kept per process and must follow every
change: they check this number too, one indexed read of one row per page.

Moved after the transaction commits (``on_commit``), in a statement of its own: inside the
writer's transaction, the row would be locked until its end, and two transactions writing
poles in different orders would wait for each other.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import TypeVar

from django.db import DatabaseError, connection, models, transaction
from django.db.models import F
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ptce_site.cache import current_generation, registry_changed

ROW = 1
logger = logging.getLogger(__name__)


class RegistryVersion(models.Model):
    value = models.BigIntegerField(_("version"), default=0)

    class Meta:
        verbose_name = _("version du registre")
        verbose_name_plural = _("versions du registre")

    def __str__(self) -> str:
        return str(self.value)


def registry_version() -> int:
    """The version of the registry as this transaction sees it (0 before any change)."""
    return RegistryVersion.objects.filter(pk=ROW).values_list("value", flat=True).first() or 0


def _generation() -> str | None:
    """The registry's generation in the cache; None when the cache is down (Redis stopped):
    the page is still served (as the page cache serves it uncached), what the process keeps
    following the committed changes through the version in the database alone."""
    try:
        return current_generation()
    except Exception:
        logger.exception("Registry generation unavailable: following the database alone")
        return None


T = TypeVar("T")


class KeptForState:
    """Values computed once for one state of the registry, by the objects a process keeps for
    that state (the directory's sets, the network): each by one thread only, since two
    threads of a gunicorn worker asking at once would both build it, under the GIL, each
    twice as slowly."""

    def __init__(self) -> None:
        self._values: dict[str, object] = {}
        # Reentrant: a value may be computed from another one kept here.
        self._lock = threading.RLock()

    def get(self, name: str, compute: Callable[[], T]) -> T:
        if name not in self._values:
            with self._lock:
                if name not in self._values:
                    self._values[name] = compute()
        return self._values[name]


def registry_state() -> tuple:
    """The key of what a process keeps from the registry (the directory's sets, the network):
    the database, the cache's generation (the changes of this process's transaction, each
    test's rolled back ones too), the version in the database (those other processes
    committed) and today's date, since a membership whose departure date comes stops being
    current without any write (the home page's members by kind, the network). One indexed
    read of one row."""
    return (
        connection.alias, connection.settings_dict["NAME"], _generation(), registry_version(),
        timezone.localdate(),
    )


class OnePerState[T]:
    """One value for the registry as it is now, made by ``make(state)`` when its state
    (``registry_state()``) changes, by one thread: the directory's sets, the network, the
    values ``kept_for`` a state."""

    def __init__(self, make: Callable[[tuple], T]) -> None:
        self._make = make
        self._current: tuple[tuple, T] | None = None
        self._lock = threading.Lock()

    def get(self, state: tuple | None = None) -> T:
        """The value of ``state`` (read now when not given: one indexed read of one row)."""
        state = state or registry_state()
        current = self._current
        if current is None or current[0] != state:
            with self._lock:
                if self._current is None or self._current[0] != state:
                    self._current = (state, self._make(state))
                current = self._current
        return current[1]


_kept = OnePerState(lambda state: KeptForState())


def kept_for(state: tuple) -> KeptForState:
    """The values kept for ``state`` that belong to no larger object (the directory's sets and
    the network keep theirs): a new, empty store for a new state."""
    return _kept.get(state)


def _move() -> None:
    try:
        if not RegistryVersion.objects.filter(pk=ROW).update(value=F("value") + 1):
            RegistryVersion.objects.get_or_create(pk=ROW, defaults={"value": 1})
    except DatabaseError:
        # Run after the commit, in a statement of its own: the write itself succeeded and
        # must not answer an error. Migrations older than the table (0022) write the registry
        # too: before it exists, no process keeps anything to refresh.
        if RegistryVersion._meta.db_table in connection.introspection.table_names():
            logger.exception("The registry's version could not be moved after a change")


@receiver(registry_changed, dispatch_uid="ptce-registry-version")
def _registry_changed(sender, **kwargs) -> None:
    transaction.on_commit(_move)
