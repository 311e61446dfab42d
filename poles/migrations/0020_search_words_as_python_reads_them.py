"""The PostgreSQL search vector cut into words as Python cuts them (poles/registry/search/words.py).

PostgreSQL's text-search parser reads ``contact@x.fr``, ``www.x.fr/a/b``, ``C:/d/e.txt``,
``<script>`` and ``&amp;`` as one e-mail, URL, file, tag or entity token, which the
``ptce_french`` configuration drops or keeps whole, while the vocabulary, SQLite's index and the
highlighter see ordinary words there: "kangourou" in a URL was found on SQLite, not on
PostgreSQL, and a typo corrected to it led to an empty page. ASCII punctuation is now a space
before parsing, as it is a separator for Python (``[^\\W_]+``), on every locale: ``[:punct:]``
is ASCII punctuation whatever the database's ctype.
"""

from django.db import migrations


def _vector(split: bool) -> str:
    def part(column: str, weight: str) -> str:
        text = f"regexp_replace({column}, '[[:punct:]]+', ' ', 'g')" if split else column
        return f"setweight(to_tsvector('ptce_french'::regconfig, {text}), '{weight}')"

    parts = [part("name", "A"), part("about", "B"), part("related", "C"), part("body", "D")]
    return (
        "ALTER TABLE poles_searchdocument ADD COLUMN vector tsvector GENERATED ALWAYS AS ("
        + " || ".join(parts)
        + ") STORED"
    )


def _statements(split: bool) -> list[str]:
    return [
        "DROP INDEX IF EXISTS searchdocument_vector_gin",
        "ALTER TABLE poles_searchdocument DROP COLUMN IF EXISTS vector",
        _vector(split),
        "CREATE INDEX searchdocument_vector_gin ON poles_searchdocument USING gin (vector) "
        "WITH (fastupdate = off)",
    ]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in _statements(split=True):
            schema_editor.execute(statement)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in _statements(split=False):
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("poles", "0019_member_kinds"),
    ]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
