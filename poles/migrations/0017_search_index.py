"""The full-text search index (issue #13): one document per pole, by weight, and the vocabulary
of the published poles (``poles/registry/search/``), then each database's own index over the
documents, filled from the poles already there.

- PostgreSQL: the text search configuration ``ptce_french`` (French, with accents folded by
  ``unaccent`` before ``french_stem``), a stored generated ``tsvector`` column ``vector`` with
  the weights A (name), B (summary, territory, commune), C (sectors, member organisations), D
  (description) and a GIN index; a trigram GIN index on the vocabulary (typo tolerance).
- SQLite: the FTS5 table ``poles_search_fts``, one column per weight, filled with the words'
  Snowball stems by triggers on ``poles_searchdocument`` that call ``ptce_search_stems``
  (registered on each connection by ``poles/registry/search/signals.py``). A later migration
  that alters ``SearchDocument`` on SQLite remakes its table, which drops these triggers: it
  must create them again.

The SQL is written out here, as a migration keeps doing what it did when it was written.
"""

import re
import unicodedata

import django.db.models.deletion
from django.db import migrations, models

PG_CONFIG_SQL = [
    "DROP TEXT SEARCH CONFIGURATION IF EXISTS ptce_french",
    "CREATE TEXT SEARCH CONFIGURATION ptce_french (COPY = pg_catalog.french)",
    "ALTER TEXT SEARCH CONFIGURATION ptce_french ALTER MAPPING FOR hword, hword_part, word "
    "WITH public.unaccent, french_stem",
]
PG_INDEX_SQL = [
    """
    ALTER TABLE poles_searchdocument ADD COLUMN vector tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('ptce_french'::regconfig, name), 'A')
        || setweight(to_tsvector('ptce_french'::regconfig, about), 'B')
        || setweight(to_tsvector('ptce_french'::regconfig, related), 'C')
        || setweight(to_tsvector('ptce_french'::regconfig, body), 'D')
    ) STORED
    """,
    # Without a pending list, as the other search indexes (0009): a search right after a
    # write never scans unsorted entries.
    "CREATE INDEX searchdocument_vector_gin ON poles_searchdocument USING gin (vector) "
    "WITH (fastupdate = off)",
    "CREATE INDEX searchword_word_trgm ON poles_searchword USING gin (word gin_trgm_ops) "
    "WITH (fastupdate = off)",
]
PG_DROP_SQL = [
    "DROP INDEX IF EXISTS searchword_word_trgm",
    "DROP INDEX IF EXISTS searchdocument_vector_gin",
    "ALTER TABLE poles_searchdocument DROP COLUMN IF EXISTS vector",
    "DROP TEXT SEARCH CONFIGURATION IF EXISTS ptce_french",
]

_FTS_VALUES = (
    "ptce_search_stems(new.name), ptce_search_stems(new.about), "
    "ptce_search_stems(new.related), ptce_search_stems(new.body)"
)
SQLITE_SQL = [
    "CREATE VIRTUAL TABLE poles_search_fts USING fts5("
    "name, about, related, body, tokenize = 'unicode61 remove_diacritics 2')",
    "CREATE TRIGGER poles_search_fts_insert AFTER INSERT ON poles_searchdocument BEGIN "
    "INSERT INTO poles_search_fts (rowid, name, about, related, body) "
    f"VALUES (new.pole_id, {_FTS_VALUES}); END",
    "CREATE TRIGGER poles_search_fts_delete AFTER DELETE ON poles_searchdocument BEGIN "
    "DELETE FROM poles_search_fts WHERE rowid = old.pole_id; END",
    "CREATE TRIGGER poles_search_fts_update AFTER UPDATE ON poles_searchdocument BEGIN "
    "DELETE FROM poles_search_fts WHERE rowid = old.pole_id; "
    "INSERT INTO poles_search_fts (rowid, name, about, related, body) "
    f"VALUES (new.pole_id, {_FTS_VALUES}); END",
]
SQLITE_DROP_SQL = [
    "DROP TRIGGER IF EXISTS poles_search_fts_insert",
    "DROP TRIGGER IF EXISTS poles_search_fts_delete",
    "DROP TRIGGER IF EXISTS poles_search_fts_update",
    "DROP TABLE IF EXISTS poles_search_fts",
]

# The documents of the poles there: name; summary, territory, commune; sectors and member
# organisations (every membership, past ones too); description.
FILL_SQL = """
INSERT INTO poles_searchdocument (pole_id, name, about, related, body, counted)
SELECT p.id, p.name,
       trim(p.summary || ' ' || p.territory || ' ' || p.commune_name),
       trim(coalesce(s.names, '') || ' ' || coalesce(m.names, '')),
       p.description, p.is_published
FROM poles_pole p
LEFT JOIN (SELECT ps.pole_id, {aggregate}(sector.name, ' ') AS names
           FROM poles_pole_sectors ps JOIN poles_sector sector ON sector.id = ps.sector_id
           GROUP BY ps.pole_id) s ON s.pole_id = p.id
LEFT JOIN (SELECT pole_id, {aggregate}(name, ' ') AS names
           FROM (SELECT DISTINCT membership.pole_id, organisation.name
                 FROM members_membership membership
                 JOIN members_organisation organisation
                   ON organisation.id = membership.organisation_id) member_names
           GROUP BY pole_id) m ON m.pole_id = p.id
"""

# The vocabulary's words, as poles/registry/search/words.py read them when this was written.
_WORD = re.compile(r"[^\W_]+")
_LIGATURES = str.maketrans({"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE", "ß": "ss"})
STOP_WORDS = frozenset(
    """
    aie aient aies ainsi ait alors aura aurai auraient aurais aurait auras aurez auriez
    aurions aurons auront aussi autre autres aux avaient avais avait avec avez aviez avions
    avoir avons ayant ayante ayantes ayants ayez ayons car celle celui ces cet cette ceux
    chez comme dans des donc dont elle elles encore entre est etaient etais etait etant
    etante etantes etants ete etee etees etes etiez etions etre eue eues eumes eurent eus
    eusse eussent eusses eussiez eussions eut eutes eux fumes furent fus fusse fussent
    fusses fussiez fussions fut futes ils les leur leurs lors lui mais meme mes moi mon nos
    notre nous ont par pas peu plus pour puis quand que qui quoi sans sera serai seraient
    serais serait seras serez seriez serions serons seront ses soient sois soit sommes son
    sont soyez soyons suis sur tes toi ton tous tout tres une vos votre vous
    """.split()
)


def searched_words(text):
    decomposed = unicodedata.normalize("NFKD", text.translate(_LIGATURES))
    folded = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return {w for w in _WORD.findall(folded) if 3 <= len(w) <= 40 and w not in STOP_WORDS}


def create_index(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        statements = PG_CONFIG_SQL + PG_INDEX_SQL
    elif vendor == "sqlite":
        statements = SQLITE_SQL
    else:
        return
    for statement in statements:
        schema_editor.execute(statement)


def drop_index(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    statements = {"postgresql": PG_DROP_SQL, "sqlite": SQLITE_DROP_SQL}.get(vendor, [])
    for statement in statements:
        schema_editor.execute(statement)


def fill_index(apps, schema_editor):
    connection = schema_editor.connection
    aggregate = "string_agg" if connection.vendor == "postgresql" else "group_concat"
    with connection.cursor() as cursor:
        cursor.execute(FILL_SQL.format(aggregate=aggregate))
    SearchDocument = apps.get_model("poles", "SearchDocument")
    SearchWord = apps.get_model("poles", "SearchWord")
    counts = {}
    texts = SearchDocument.objects.filter(counted=True).values_list(
        "name", "about", "related", "body"
    )
    for parts in texts.iterator(chunk_size=2000):
        for word in searched_words(" ".join(parts)):
            counts[word] = counts.get(word, 0) + 1
    SearchWord.objects.bulk_create(
        [SearchWord(word=word, frequency=count) for word, count in counts.items()],
        batch_size=2000,
    )


def empty_index(apps, schema_editor):
    apps.get_model("poles", "SearchWord").objects.all().delete()
    apps.get_model("poles", "SearchDocument").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("poles", "0016_provenance"),
        ("members", "0004_organisation_kind_not_known"),
    ]

    operations = [
        migrations.CreateModel(
            name="SearchDocument",
            fields=[
                (
                    "pole",
                    models.OneToOneField(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        primary_key=True,
                        related_name="search_document",
                        serialize=False,
                        to="poles.pole",
                        verbose_name="pôle",
                    ),
                ),
                ("name", models.TextField(verbose_name="nom")),
                (
                    "about",
                    models.TextField(blank=True, verbose_name="résumé, territoire, commune"),
                ),
                (
                    "related",
                    models.TextField(
                        blank=True, verbose_name="secteurs et organisations membres"
                    ),
                ),
                ("body", models.TextField(blank=True, verbose_name="description")),
                ("counted", models.BooleanField(default=False)),
            ],
            options={
                "verbose_name": "document de recherche",
                "verbose_name_plural": "documents de recherche",
            },
        ),
        migrations.CreateModel(
            name="SearchWord",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("word", models.CharField(max_length=40, unique=True, verbose_name="mot")),
                ("frequency", models.IntegerField(default=0, verbose_name="nombre de pôles")),
            ],
            options={
                "verbose_name": "mot de l'index",
                "verbose_name_plural": "mots de l'index",
            },
        ),
        migrations.RunPython(create_index, drop_index),
        migrations.RunPython(fill_index, empty_index),
    ]
