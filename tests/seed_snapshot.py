"""The seed (``load_seed_data``) loaded once per test process, then copied into each test that
asks for it: a few milliseconds instead of 1.5 s (3.5 s with the 35,000 communes) per test.

``capture()`` runs the real loader inside a transaction that is rolled back, and keeps every row
it added (their values already prepared for the database, JSON and dates included);
``SeedSnapshot.restore()`` inserts them again with plain ``INSERT``s, in one transaction, and
moves PostgreSQL's sequences past them, as ``loaddata`` does. Signals do not fire on restore: the
rows the seed's signals wrote (its history, for one) are among the rows copied. The fixtures
that use this are in ``tests/conftest.py`` (``seeded``, ``seeded_with_communes``).

On SQLite, ``kept()`` keeps a snapshot under ``.cache/`` between runs (as the database
templates, tests/database_template.py): 0.8 s of CPU per test process for the seed, 2.2 s with
the communes, read back in a few hundredths of a second. Its name is a digest of what the rows
are made from: the database template (the migrations, Django's, Python's and SQLite's
versions), every file of the project's packages and of ``fixtures/`` (the loader, its signals,
its data), the locked dependencies, and the day (the rows hold the moments they were written:
a snapshot is not older than the day's first run). On PostgreSQL the values prepared for the
driver (JSON) are not plain data: the snapshot is captured in each process, as before.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from dataclasses import dataclass, field
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.utils import timezone

from tests.database_template import sqlite_template
from tests.kept_builds import KEPT

# What the seed's rows are made from, besides the database template.
SOURCES = ("poles", "members", "calls", "ptce_site", "fixtures", "requirements-dev.txt")


@dataclass
class Table:
    model: type[models.Model]
    columns: list[str]
    rows: list[tuple] = field(default_factory=list)

    def insert(self, cursor) -> None:
        quote = connection.ops.quote_name
        sql = "INSERT INTO {} ({}) VALUES ({})".format(
            quote(self.model._meta.db_table),
            ", ".join(quote(column) for column in self.columns),
            ", ".join(["%s"] * len(self.columns)),
        )
        cursor.executemany(sql, self.rows)


@dataclass
class SeedSnapshot:
    tables: list[Table]

    def restore(self) -> None:
        """The seed's rows, as ``load_seed_data`` left them, in the current database."""
        with transaction.atomic(), connection.cursor() as cursor:
            for table in self.tables:
                table.insert(cursor)
            for sql in connection.ops.sequence_reset_sql(
                no_style(), [table.model for table in self.tables]
            ):
                cursor.execute(sql)


def _models() -> list[type[models.Model]]:
    """Every table of the project and of Django's apps, many-to-many tables included."""
    return [
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy
    ]


def _rows(model: type[models.Model]) -> dict:
    """The table's rows by primary key, as the ORM reads them (one value per column)."""
    fields = model._meta.concrete_fields
    key = fields.index(model._meta.pk)
    values = model._base_manager.order_by("pk").values_list(*[f.attname for f in fields])
    return {row[key]: row for row in values}


def _added(model: type[models.Model], before: dict, after: dict) -> Table:
    if any(after.get(pk) != row for pk, row in before.items()):
        raise AssertionError(
            f"the seed changed or removed rows of {model._meta.db_table} that were there "
            "before it: a snapshot of the rows it adds would not be the seed"
        )
    fields = model._meta.concrete_fields
    table = Table(model, [f.column for f in fields])
    for pk, values in after.items():
        if pk not in before:
            prepared = zip(fields, values, strict=True)
            table.rows.append(tuple(f.get_db_prep_save(v, connection) for f, v in prepared))
    return table


def capture(load) -> SeedSnapshot:
    """The rows that ``load()`` adds to the database (which it leaves as it was)."""
    with transaction.atomic():
        before = {model: _rows(model) for model in _models()}
        load()
        tables = [_added(model, before[model], _rows(model)) for model in _models()]
        transaction.set_rollback(True)
    return SeedSnapshot([table for table in tables if table.rows])


def kept(name: str, load) -> SeedSnapshot:
    """``capture(load)``, kept between runs on SQLite (see above); ``name`` tells apart the
    snapshots of different ``load``s."""
    if connection.vendor != "sqlite":
        return capture(load)
    path = KEPT / "seed-snapshots" / name / f"{_digest()}.pickle"
    try:
        tables = pickle.loads(path.read_bytes())  # noqa: S301 (written by this module)
        return SeedSnapshot([Table(apps.get_model(label), *rest) for label, *rest in tables])
    except (OSError, pickle.UnpicklingError, EOFError, LookupError, TypeError, ValueError):
        pass  # none yet, or unreadable: captured again
    snapshot = capture(load)
    rows = [(t.model._meta.label, t.columns, t.rows) for t in snapshot.tables]
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f"{path.name}.{os.getpid()}.partial")
    partial.write_bytes(pickle.dumps(rows, protocol=pickle.HIGHEST_PROTOCOL))
    os.replace(partial, path)  # whole, even if another process writes it at the same time
    for other in path.parent.glob("*.pickle"):  # made from files changed since
        if other != path:
            other.unlink(missing_ok=True)
    return snapshot


def _digest() -> str:
    digest = hashlib.sha256()
    for part in (sqlite_template().name, timezone.localdate().isoformat()):
        digest.update(f"{part}\0".encode())
    base = Path(settings.BASE_DIR)
    for source in SOURCES:
        found = [base / source] if (base / source).is_file() else (base / source).rglob("*")
        for path in sorted(p for p in found if p.is_file() and "__pycache__" not in p.parts):
            digest.update(f"{path.relative_to(base)}\0".encode() + path.read_bytes() + b"\0")
    return digest.hexdigest()[:20]
