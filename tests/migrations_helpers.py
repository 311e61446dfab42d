"""Moving the test database between migrations, for the tests of a data migration."""

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
    models given to it), then to the latest migrations again."""
    apps = migrate(targets).apps
    try:
        yield apps
    finally:
        migrate()
