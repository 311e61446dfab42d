"""The search's GIN trigram indexes without a pending list (PostgreSQL only).

With GIN's default ``fastupdate``, new rows wait in an unsorted pending list (up to 4 MB per
index) until a VACUUM merges them, and every search reads that list through: after a bulk load
(the benchmark's 10,000 poles and 100,000 organisations) that was most of each index scan,
several milliseconds per index and per query. The registry is read far more than written, so
rows go straight into the indexes, and what is pending now is merged.
"""

from django.db import migrations

# The GIN trigram indexes of ``poles.0003_search``.
SEARCH_INDEXES = [
    "pole_name_unaccent_trgm",
    "pole_name_search_trgm",
    "pole_summary_search_trgm",
    "pole_description_search_trgm",
    "pole_territory_search_trgm",
    "pole_commune_search_trgm",
    "organisation_name_search_trgm",
]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in SEARCH_INDEXES:
        schema_editor.execute(f"ALTER INDEX IF EXISTS {name} SET (fastupdate = off)")
        schema_editor.execute(
            f"SELECT gin_clean_pending_list(to_regclass('{name}')) "
            f"WHERE to_regclass('{name}') IS NOT NULL"
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in SEARCH_INDEXES:
        schema_editor.execute(f"ALTER INDEX IF EXISTS {name} RESET (fastupdate)")


class Migration(migrations.Migration):
    dependencies = [
        ("poles", "0008_claim_one_pending"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
