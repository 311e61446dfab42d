"""On SQLite's in-memory test database, each transactional test (``django_db(transaction=True)``,
the live servers) ends with the database put back as the test process's set-up left it: a copy
kept in memory at set-up, written back with sqlite3's backup API, a few milliseconds.

Django's own ending, ``flush`` and then ``post_migrate`` (content types, permissions, the
curators' groups made again), cost 60 to 80 ms of CPU per test, and lost the rows of the data
migrations (the objectives): ``serialized_rollback``, which should bring them back, found
nothing to bring back in the browser tests, whose connection is not the one that was serialized
(Playwright's loop makes Django's connections per context). The copy brings back every row the
set-up left, the schema too (after a test that migrated backwards and forwards). On PostgreSQL,
or with ``available_apps``, Django's flush runs as before.
"""

from __future__ import annotations

import sqlite3

from django.contrib.contenttypes.models import ContentType
from django.db import connections
from django.test import TransactionTestCase

_kept: dict[str, sqlite3.Connection] = {}
_django_teardown = TransactionTestCase._fixture_teardown


def keep(alias: str = "default") -> None:
    """Copy the database of ``alias`` as it is now (in-memory SQLite only)."""
    connection = connections[alias]
    if connection.vendor != "sqlite" or not connection.is_in_memory_db():
        return
    connection.ensure_connection()
    copy = sqlite3.connect(":memory:", check_same_thread=False)
    connection.connection.backup(copy)
    _kept[alias] = copy
    TransactionTestCase._fixture_teardown = _fixture_teardown


def _fixture_teardown(test: TransactionTestCase) -> None:
    aliases = test._databases_names(include_mirrors=False)
    if test.available_apps is not None or not all(alias in _kept for alias in aliases):
        _django_teardown(test)
        return
    for alias in aliases:
        connection = connections[alias]
        connection.ensure_connection()
        _kept[alias].backup(connection.connection)
    # Their ids are those of the copy again: none kept from the test.
    ContentType.objects.clear_cache()
