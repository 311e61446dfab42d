"""Moving the test database between migrations, for the tests of a data migration."""

import sqlite3

from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests import database_template


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
    apps = _migrated_back(targets, on_sqlite=saved is not None)
    try:
        yield apps
    finally:
        if saved is None:
            migrate()
        else:
            _restore_the_sqlite_database(saved)


def _migrated_back(targets, on_sqlite: bool):
    """The database migrated back to ``targets`` and its state there. On SQLite the result is
    kept as a template (``tests/database_template.py``, named by the migrations' digest and
    ``targets``) and copied in by the next runs: migrating back through the later migrations
    cost 2 to 3 s of rendering their models each time. The first run after a migration
    changes (a clean checkout, CI) migrates back for real; the test's own migrations, forward
    and back, always run."""
    if not on_sqlite:
        return migrate(targets).apps
    template = database_template.sqlite_template(at=targets)
    copied = database_template.copied_sqlite(template, connection)
    state = migrate(targets)  # on a copy, nothing to apply: only the state there
    if not copied:
        database_template.save_sqlite(connection, template)
    return state.apps


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
