"""Search support on PostgreSQL: unaccent and pg_trgm, an immutable unaccent, trigram indexes.

SQLite needs nothing here: ``ptce_site.search`` registers ``ptce_unaccent`` on each
connection.
"""

from django.db import migrations

# The IMMUTABLE wrapper the ``unaccented`` lookup (ptce_site/search.py) calls, written out
# here: a migration keeps the SQL it ran, whatever the live code becomes.
POSTGRES_FUNCTION_SQL = """
CREATE OR REPLACE FUNCTION ptce_unaccent(text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
AS $$ SELECT translate(public.unaccent('public.unaccent'::regdictionary, $1), '’ʼ‘', '''''''') $$
"""

# (index name, table, expression): the expressions are exactly those the ``unaccented``
# lookups generate, so that the planner can use the indexes.
INDEXES = [
    ("pole_name_unaccent_trgm", "poles_pole", "ptce_unaccent(name)"),
    ("pole_name_search_trgm", "poles_pole", "UPPER(ptce_unaccent(name))"),
    ("pole_summary_search_trgm", "poles_pole", "UPPER(ptce_unaccent(summary))"),
    ("pole_description_search_trgm", "poles_pole", "UPPER(ptce_unaccent(description))"),
    ("pole_territory_search_trgm", "poles_pole", "UPPER(ptce_unaccent(territory))"),
    ("pole_commune_search_trgm", "poles_pole", "UPPER(ptce_unaccent(commune_name))"),
    ("organisation_name_search_trgm", "members_organisation", "UPPER(ptce_unaccent(name))"),
]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(POSTGRES_FUNCTION_SQL)
    for name, table, expression in INDEXES:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin (({expression}) gin_trgm_ops)"
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _table, _expression in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")
    schema_editor.execute("DROP FUNCTION IF EXISTS ptce_unaccent(text)")


class Migration(migrations.Migration):
    dependencies = [
        ("poles", "0002_objectives"),
        ("members", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
