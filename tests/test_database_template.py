"""The test database copied from a migrated template (tests/database_template.py): complete,
and made again when a migration changes."""

import os
import sqlite3
from pathlib import Path

import pytest
from django.db import connection
from django.db.migrations.loader import MigrationLoader

from tests import database_template

pytestmark = pytest.mark.django_db

SCHEMA = "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name"


@pytest.fixture(scope="module")
def loader():
    """The migrations on disk."""
    return MigrationLoader(None, ignore_no_migrations=True)


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the template is SQLite's")
def test_the_test_database_has_every_migration_and_the_templates_schema(loader):
    assert database_template.every_migration_applied(connection, loader)
    template = database_template.sqlite_template()
    with connection.cursor() as cursor:
        cursor.execute(SCHEMA)
        ours = cursor.fetchall()
    saved = sqlite3.connect(f"file:{template}?mode=ro", uri=True)  # no empty file made
    try:
        assert saved.execute(SCHEMA).fetchall() == ours
    finally:
        saved.close()
    # What the migrations make beyond tables: the search index and its triggers.
    assert {kind for kind, *_ in ours} >= {"table", "index", "trigger"}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's template database")
def test_the_postgresql_template_is_kept_on_the_server_with_every_migration(loader):
    assert database_template.every_migration_applied(connection, loader)
    template = database_template.postgresql_template()
    with connection.cursor() as cursor:
        cursor.execute("SELECT datname FROM pg_database WHERE datname LIKE %s",
                       [database_template.POSTGRESQL_PREFIX + "%"])
        assert template in {name for (name,) in cursor.fetchall()}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's template database")
def test_only_the_oldest_templates_beyond_those_kept_are_dropped(monkeypatch):
    """Checkouts at other migrations sharing the server keep their templates: only those
    beyond the newest ``KEPT_TEMPLATES`` are dropped, never this run's."""
    monkeypatch.setattr(database_template, "KEPT_TEMPLATES", 2)
    ours = database_template.postgresql_template()
    # A prefix of this test's own: templates other checkouts make meanwhile are not counted.
    prefix = f"{database_template.POSTGRESQL_PREFIX}test_{os.getpid()}_"
    monkeypatch.setattr(database_template, "POSTGRESQL_PREFIX", prefix)
    names = [f"{prefix}older", f"{prefix}newer"]
    with connection._nodb_cursor() as cursor:
        for name in names:  # in this order: the second one is the newest
            cursor.execute(f"CREATE DATABASE {name} TEMPLATE template0")
    try:
        dropped = database_template._older_templates(connection, ours)
        assert names[0] in dropped
        assert names[1] not in dropped and ours not in dropped
    finally:
        with connection._nodb_cursor() as cursor:
            for name in names:
                cursor.execute(f"DROP DATABASE IF EXISTS {name}")


def test_a_migration_edited_gives_another_template(loader, monkeypatch):
    before = database_template.template_name(loader, connection.vendor)
    edited = Path(loader.disk_migrations["poles", "0001_initial"].__module__.replace(".", "/"))
    read_bytes = Path.read_bytes

    def read(path):
        content = read_bytes(path)
        return content + b"\n# edited" if path.with_suffix("").match(f"*/{edited}") else content

    monkeypatch.setattr(Path, "read_bytes", read)
    assert database_template.template_name(loader, connection.vendor) != before


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the template is SQLite's")
@pytest.mark.parametrize("content", [None, b"", b"not a database " * 20])
def test_a_template_file_missing_empty_or_broken_is_not_copied(tmp_path, loader, content):
    path = tmp_path / "template.sqlite3"
    if content is not None:
        path.write_bytes(content)
    assert not database_template.copied_sqlite(path, connection)  # made again by its caller
    assert database_template.every_migration_applied(connection, loader)  # ours untouched
