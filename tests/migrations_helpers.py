"""Moving the test database between migrations, for the tests of a data migration."""

import sqlite3

from django.db import connection
from django.db.migrations.executor import MigrationExecutor


def migrate(targets=None):
    """Migrate to ``targets`` (the latest migrations when None) and return the project state
    there (its ``.apps``: the models as they were). The state that ``migrate()`` returns is the
    targets' own: rendering another, as ``loader.project_state()`` does, doubled the cost."""
    executor = MigrationExecutor(connection)
    return executor.migrate(targets or executor.loader.graph.leaf_nodes())


def database_at(targets):
    """A fixture's body: the database migrated to ``targets`` while the test runs (their
    models given to it), then as it was before (the latest migrations) again."""
    saved = _copy_of_the_sqlite_database()
    apps = migrate(targets).apps
    try:
        yield apps
    finally:
        if saved is None:
            migrate()
        else:
            _restore_the_sqlite_database(saved)


def _copy_of_the_sqlite_database():
    """On SQLite, a copy of the whole test database (sqlite3's backup API, in memory: a few
    milliseconds). Putting it back after the test costs nothing, where migrating forward again
    took 1 to 2 s of rendering the migrations' models. None on PostgreSQL: migrated back."""
    if connection.vendor != "sqlite":
        return None
    connection.ensure_connection()
    saved = sqlite3.connect(":memory:")
    connection.connection.backup(saved)
    return saved


def _restore_the_sqlite_database(saved):
    """The test database as it was before the test, schema and rows, from its copy."""
    connection.ensure_connection()
    try:
        saved.backup(connection.connection)
    finally:
        saved.close()
