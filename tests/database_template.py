"""Each test process's database copied from a migrated template instead of migrated again:
4 to 7 s of CPU per process (Django rendering the models' states between 70 migrations),
paid again by every pytest-xdist worker of every run.

A template is a test database as ``migrate`` left it. Its name is a digest of what makes it:
every migration file that Django loads (the project's and the installed packages'), the
models of the apps without migrations, Django's, Python's and the database's versions. A
migration added or edited, or a package upgraded, gives a new name, hence a new template, made
by the first process that needs it (older ones are removed then).

- SQLite (in memory): the template is a file under ``.cache/test-databases/``, copied in and
  out with sqlite3's backup API.
- PostgreSQL: the template is a database of the server, ``ptce_template_<digest>``; the test
  database is created from it (``TEST["TEMPLATE"]``, PostgreSQL's ``CREATE DATABASE …
  TEMPLATE``), a copy of its files.

``post_migrate`` is sent after a copy as after a migration, so that what its receivers keep in
step with the code (content types, permissions, the curators' group) never comes from an old
template. A copy missing a migration is migrated the usual way.

Written here because no maintained library does this: pytest-django's ``--reuse-db`` keeps the
test database itself between runs (rows left by an interrupted run; and SQLite's in memory
cannot be kept); Django's ``--parallel`` clones a database within one run only.
"""

from __future__ import annotations

import functools
import hashlib
import os
import sqlite3
import sys
from contextlib import contextmanager
from pathlib import Path
from unittest.mock import patch

import django
from django.apps import apps as global_apps
from django.conf import settings
from django.core.management.commands import migrate as migrate_command
from django.core.management.sql import emit_post_migrate_signal
from django.db import DatabaseError, connections
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder

SQLITE_TEMPLATES = Path(settings.BASE_DIR) / ".cache" / "test-databases"
SQLITE_PREFIX = "sqlite-"
POSTGRESQL_PREFIX = "ptce_template_"


def template_name(loader: MigrationLoader, vendor: str) -> str:
    """The template's name (without its prefix): a digest of every migration file, of the
    models of the apps without migrations (``migrate`` makes their tables too), of the
    versions and of the database engine (``vendor``)."""
    digest = hashlib.sha256()
    for part in (django.__version__, sqlite3.sqlite_version, sys.version, vendor):
        digest.update(f"{part}\0".encode())
    files = {sys.modules[type(m).__module__].__file__ for m in loader.disk_migrations.values()}
    for app in global_apps.get_app_configs():
        if app.label in loader.unmigrated_apps and app.models_module is not None:
            files.add(app.models_module.__file__)
    for file in sorted(files):
        digest.update(Path(file).read_bytes() + b"\0")
    return digest.hexdigest()[:20]


@functools.cache
def _digest(vendor: str) -> str:
    """``template_name()`` once per process: the migration files do not change during a run."""
    return template_name(MigrationLoader(None, ignore_no_migrations=True), vendor)


def sqlite_template(at: list[tuple] | None = None) -> Path:
    """The file of the template: every migration applied, or the database migrated back to
    the migrations ``at`` (the tests of a data migration start there)."""
    name = SQLITE_PREFIX + _digest("sqlite")
    if at is not None:
        name += "-at-" + hashlib.sha256(repr(sorted(at)).encode()).hexdigest()[:12]
    return SQLITE_TEMPLATES / f"{name}.sqlite3"


def postgresql_template() -> str:
    return POSTGRESQL_PREFIX + _digest("postgresql")


def _fresh(connection) -> bool:
    """Whether no migration has touched the database yet."""
    return "django_migrations" not in connection.introspection.table_names()


def every_migration_applied(connection, loader: MigrationLoader) -> bool:
    """Whether the database holds every migration that ``loader`` knows (none recorded: no)."""
    return set(MigrationRecorder(connection).applied_migrations()) == set(loader.graph.nodes)


def _in_memory_sqlite(connection) -> bool:
    return connection.vendor == "sqlite" and connection.is_in_memory_db()


def copied_sqlite(path: Path, connection) -> bool:
    """Whether the database at ``path`` was copied into ``connection``'s: not when there is no
    such file, or a file that holds no migrated database (empty, cut short elsewhere), which
    the caller then makes again."""
    if not path.exists():
        return False
    source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        found = "SELECT 1 FROM sqlite_master WHERE name = 'django_migrations'"
        if source.execute(found).fetchone() is None:
            return False
        connection.ensure_connection()
        source.backup(connection.connection)
        return True
    except sqlite3.DatabaseError:  # not a database
        return False
    finally:
        source.close()


def save_sqlite(connection, path: Path) -> None:
    """The database written to ``path`` (through a file of this process's own, then renamed:
    two workers making it at once each write a whole file); the templates of other
    migrations (another digest) removed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f"{path.name}.{os.getpid()}.partial")
    target = sqlite3.connect(partial)
    try:
        connection.connection.backup(target)
    finally:
        target.close()
    os.replace(partial, path)
    for old in path.parent.glob(f"{SQLITE_PREFIX}*.sqlite3"):
        if not old.name.startswith(SQLITE_PREFIX + _digest("sqlite")):
            old.unlink(missing_ok=True)


def _postgresql_databases(connection, prefix: str) -> set[str]:
    with connection._nodb_cursor() as cursor:
        cursor.execute("SELECT datname FROM pg_database WHERE datname LIKE %s", [prefix + "%"])
        return {name for (name,) in cursor.fetchall()}


# Templates kept on a server besides the newest: checkouts at other migrations sharing the
# server (a branch beside main) each keep theirs instead of dropping each other's mid-run.
KEPT_TEMPLATES = 4


def _older_templates(connection, template: str) -> list[str]:
    """The templates on the server beyond the ``KEPT_TEMPLATES`` newest (by creation order:
    a database's oid), ``template`` kept whatever its age."""
    with connection._nodb_cursor() as cursor:
        cursor.execute(
            "SELECT datname FROM pg_database WHERE datname LIKE %s AND datname <> %s "
            "ORDER BY oid DESC OFFSET %s",
            [POSTGRESQL_PREFIX + "%", template, KEPT_TEMPLATES - 1],
        )
        return [name for (name,) in cursor.fetchall()]


def _save_postgresql(connection, template: str) -> None:
    """A copy of the migrated test database kept on the server as ``template`` (made under a
    name of this process's own, then renamed); the oldest beyond ``KEPT_TEMPLATES`` dropped
    when nobody uses them.
    A failure only leaves the next run to migrate again."""
    quote = connection.ops.quote_name
    partial = f"{template}_{os.getpid()}"[:63]
    connection.close()  # CREATE DATABASE … TEMPLATE needs the source without sessions
    with connection._nodb_cursor() as cursor:
        try:
            cursor.execute(f"CREATE DATABASE {quote(partial)} TEMPLATE "
                           f"{quote(connection.settings_dict['NAME'])}")
            cursor.execute(f"ALTER DATABASE {quote(partial)} RENAME TO {quote(template)}")
        except DatabaseError:  # made meanwhile by another process, or the source in use
            cursor.execute(f"DROP DATABASE IF EXISTS {quote(partial)}")
    for old in _older_templates(connection, template):
        with connection._nodb_cursor() as cursor:
            try:
                cursor.execute(f"DROP DATABASE {quote(old)}")
            except DatabaseError:  # a run of another checkout is copying it
                pass


@contextmanager
def migrations_from_a_template(alias: str = "default"):
    """Inside the block, the test database of ``alias`` is made from a template when there
    is one (and the template saved by the ``migrate`` that makes it when there is none). Any
    other ``migrate`` (a database already migrated, a test's own) runs as usual."""
    connection = connections[alias]
    loader = MigrationLoader(None, ignore_no_migrations=True)
    test_settings = connection.settings_dict["TEST"]
    if connection.vendor == "postgresql":
        template = postgresql_template()
        if template in _postgresql_databases(connection, template):
            test_settings["TEMPLATE"] = template  # the test database created as its copy
    migrate = migrate_command.Command.handle

    def handle(command, *args, **options):
        if options["database"] != alias:
            return migrate(command, *args, **options)
        fresh = _fresh(connection)
        on_sqlite = _in_memory_sqlite(connection)  # the test database's name is set by now
        if fresh and on_sqlite and copied_sqlite(sqlite_template(), connection):
            fresh = False
        if not fresh and every_migration_applied(connection, loader):
            emit_post_migrate_signal(
                options["verbosity"], options["interactive"], alias, apps=global_apps
            )
            return
        migrate(command, *args, **options)
        if fresh and on_sqlite:
            save_sqlite(connection, sqlite_template())
        elif fresh and connection.vendor == "postgresql":
            _save_postgresql(connection, postgresql_template())

    try:
        with patch.object(migrate_command.Command, "handle", handle):
            yield
    finally:
        test_settings.pop("TEMPLATE", None)
