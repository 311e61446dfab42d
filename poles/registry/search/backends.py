"""What differs between the two databases, and only that: how a set of searched words becomes
a full-text query and the poles it matches (their ids, read once per search, then given to
every query of the page as one parameter), how a document is ranked, how the vocabulary is
asked for the words that start with, or look like, a query word, and how the whole index is
rebuilt. ``query.py`` and ``indexer.py`` ask ``current()`` and never the database's vendor.

- PostgreSQL: ``poles_searchdocument.vector``, a stored generated ``tsvector`` in the text
  search configuration ``ptce_french`` (``unaccent`` then ``french_stem``) with the weights
  A-D, behind a GIN index; ranked by ``ts_rank_cd``; the vocabulary through ``pg_trgm``.
  The directory's matches come from the words the process keeps (``memory.py``), ranked
  only as far as its page reads.
- SQLite: the FTS5 table ``poles_search_fts`` (one column per weight, Snowball stems, filled by
  triggers on ``poles_searchdocument``); ranked by ``bm25`` with column weights; the
  vocabulary compared in Python (``difflib``) with the words of the same first letter and a
  close length, read through the unique index.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Callable
from dataclasses import dataclass

from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    Expression,
    F,
    FloatField,
    Func,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Length

from . import memory
from .memory import Found, kept_words
from .models import SearchDocument, SearchWord
from .words import stem

# Known words a query word expands to (the most frequent first).
MAX_EXPANSIONS = 20
# How close a known word must be to replace a misspelt one (difflib's ratio, on SQLite).
SQLITE_MIN_RATIO = 0.75


@dataclass(frozen=True)
class Term:
    """A query word: as typed (folded), as searched (typed, or its correction), and the known
    words that start with the searched one."""

    typed: str
    word: str
    expansions: tuple[str, ...] = ()


class RankExpression(Func):
    """A correlated subquery on the pole's own document, so that its primary key (relabelled
    by Django when the query is nested) is the only reference to the outer query."""

    output_field = FloatField()

    def __init__(self, pk: Expression, sql: str, params: list) -> None:
        super().__init__(pk)
        self.sql, self.params = sql, params

    def as_sql(self, compiler, connection, **extra_context):
        pk_sql, pk_params = compiler.compile(self.source_expressions[0])
        return f"COALESCE(({self.sql.format(pk=pk_sql)}), 0)", [*self.params, *pk_params]


class OnDocument(Func):
    """SQL on the pole's joined document (``{vector}``: its ``tsvector`` column, which is no
    model field), under whatever alias Django gives the join of ``poles_searchdocument``."""

    def __init__(self, sql: str, params: list, output_field) -> None:
        # ``counted``, not the key: Django would read ``pole_id`` from the pole's own row.
        super().__init__(F("search_document__counted"), output_field=output_field)
        self.sql, self.params = sql, params

    def as_sql(self, compiler, connection, **extra_context):
        column, _params = compiler.compile(self.source_expressions[0])
        vector = column.rsplit(".", 1)[0] + ".vector"
        return self.sql.format(vector=vector), list(self.params)


class AnyOf(Func):
    """``pk = ANY(array)``: the ids as one parameter, which PostgreSQL hashes and plans as
    a list of their number (``IN (SELECT unnest(…))`` would be planned as 200 rows)."""

    output_field = BooleanField()

    def __init__(self, pk: Expression, ids: list[int]) -> None:
        super().__init__(pk)
        # The array written once, as text: psycopg would adapt the list anew for each query
        # of the page (50 ms for the 3,500 poles of a frequent word, in Python).
        self.array = "{" + ",".join(str(int(pk)) for pk in ids) + "}"

    def as_sql(self, compiler, connection, **extra_context):
        pk_sql, pk_params = compiler.compile(self.source_expressions[0])
        return f"{pk_sql} = ANY(%s::bigint[])", [*pk_params, self.array]


class PostgreSQL:
    CONFIG = "ptce_french"
    TABLE = SearchDocument._meta.db_table
    VECTOR_INDEX = "searchdocument_vector_gin"

    def query_text(self, terms: list[Term], *, name_only: bool = False) -> str:
        weight = "A" if name_only else ""
        groups = []
        for term in terms:
            options = [f"{term.word}:*{weight}"]
            options += [f"{word}:{weight}" if weight else word for word in term.expansions]
            groups.append("(" + " | ".join(options) + ")")
        return " & ".join(groups)

    def scores_sql(self, terms: list[Term]) -> tuple[str, list]:
        """The poles holding every term (served by the GIN index), each with ``relevance()``."""
        sql = (
            f"SELECT pole_id, (CASE WHEN vector @@ to_tsquery(%s, %s) THEN 1 ELSE 0 END "
            f"+ ts_rank_cd(vector, to_tsquery(%s, %s), 32))::float8 "
            f"FROM {self.TABLE} WHERE vector @@ to_tsquery(%s, %s)"
        )
        query = [self.CONFIG, self.query_text(terms)]
        return sql, [self.CONFIG, self.query_text(terms, name_only=True), *query, *query]

    def scores(self, terms: list[Term]) -> dict[int, float]:
        with connection.cursor() as cursor:
            cursor.execute(*self.scores_sql(terms))
            return dict(cursor.fetchall())

    def among(self, ids: list[int]) -> Expression:
        return AnyOf(F("pk"), ids)

    def found(self, terms: list[Term], sets) -> Found | None:
        """The published poles holding every term, and those holding them in their name,
        from the words the process keeps (``memory.py``); None when the query is not one
        that ``memory.py`` reads."""
        return kept_words(sets).found(self.CONFIG, self.query_text(terms))

    def ranks(self, terms: list[Term], ids: list[int]) -> dict[int, float]:
        """``ts_rank_cd`` of these poles only, as ``scores()`` reads it (without the 1 of
        the name: ``memory.by_relevance`` ranks the two groups apart)."""
        return memory.ranks("to_tsquery(%s, %s)", [self.CONFIG, self.query_text(terms)], ids)

    def relevance(self, pk: Expression, terms: list[Term]) -> Expression:
        """1 when the name holds every word, plus ``ts_rank_cd`` brought under 1 (its
        normalisation 32), read from the pole's joined document."""
        sql = (
            "(CASE WHEN {vector} @@ to_tsquery(%s, %s) THEN 1 ELSE 0 END "
            "+ COALESCE(ts_rank_cd({vector}, to_tsquery(%s, %s), 32), 0))"
        )
        params = [self.CONFIG, self.query_text(terms, name_only=True)]
        return OnDocument(
            sql, [*params, self.CONFIG, self.query_text(terms)], output_field=FloatField()
        )

    def starting_with(self, word: str) -> QuerySet:
        return SearchWord.objects.filter(self.starts(word))

    def starts(self, word: str) -> Q:
        # LIKE 'word%' is served by the trigram index of the vocabulary.
        return Q(word__startswith=word)

    def closest(self, word: str) -> str | None:
        from django.contrib.postgres.search import TrigramSimilarity

        return (
            SearchWord.objects.filter(word__trigram_similar=word)
            .annotate(similarity=TrigramSimilarity("word", word))
            .order_by("-similarity", "-frequency", "word")
            .values_list("word", flat=True)
            .first()
        )

    def rebuild_documents(self, build: Callable) -> None:
        """One ``INSERT … SELECT`` for every pole: 10,000 poles in about a second."""
        from members.models import Membership, Organisation

        from ..models import Pole, Sector

        tables = {
            "document": self.TABLE,
            "pole": Pole._meta.db_table,
            "pole_sectors": Pole.sectors.through._meta.db_table,
            "sector": Sector._meta.db_table,
            "membership": Membership._meta.db_table,
            "organisation": Organisation._meta.db_table,
        }
        with connection.cursor() as cursor:
            # The GIN index built once after the rows (as migration 0017 creates it): three
            # times faster than kept up to date row by row, without a pending list.
            cursor.execute(f"DROP INDEX IF EXISTS {self.VECTOR_INDEX}")
            cursor.execute("DELETE FROM {document}".format(**tables))
            cursor.execute(REBUILD_SQL.format(**tables))
            cursor.execute(
                f"CREATE INDEX {self.VECTOR_INDEX} ON {self.TABLE} USING gin (vector) "
                "WITH (fastupdate = off)"
            )


REBUILD_SQL = """
INSERT INTO {document} (pole_id, name, about, related, body, counted)
SELECT p.id, p.name, concat_ws(' ', NULLIF(p.summary, ''), NULLIF(p.territory, ''),
       NULLIF(p.commune_name, '')),
       concat_ws(' ', s.names, m.names), p.description, p.is_published
FROM {pole} p
LEFT JOIN (SELECT ps.pole_id, string_agg(sector.name, ' ' ORDER BY sector.name) AS names
           FROM {pole_sectors} ps JOIN {sector} sector ON sector.id = ps.sector_id
           GROUP BY ps.pole_id) s ON s.pole_id = p.id
LEFT JOIN (SELECT pole_id, string_agg(name, ' ' ORDER BY name) AS names
           FROM (SELECT DISTINCT membership.pole_id, organisation.name
                 FROM {membership} membership
                 JOIN {organisation} organisation ON organisation.id = membership.organisation_id
                ) names_of_members
           GROUP BY pole_id) m ON m.pole_id = p.id
"""


class SQLite:
    TABLE = "poles_search_fts"
    # bm25 weights of the columns name, about, related, body (A, B, C, D).
    WEIGHTS = "10.0, 4.0, 2.0, 1.0"

    def query_text(self, terms: list[Term], *, name_only: bool = False) -> str:
        groups = []
        for term in terms:
            options = [f'"{stem(term.word)}"*']
            options += sorted({f'"{stem(word)}"' for word in term.expansions})
            groups.append("(" + " OR ".join(options) + ")")
        query = " AND ".join(groups)
        return f"{{name}} : ({query})" if name_only else query

    def matching_sql(self, terms: list[Term], *, name_only: bool = False) -> tuple[str, list]:
        sql = f"SELECT rowid FROM {self.TABLE} WHERE {self.TABLE} MATCH %s"
        return sql, [self.query_text(terms, name_only=name_only)]

    def matching(self, terms: list[Term], *, name_only: bool = False) -> RawSQL:
        return RawSQL(*self.matching_sql(terms, name_only=name_only))

    def scores(self, terms: list[Term]) -> dict[int, float]:
        """The poles holding every term, each with ``relevance()``: bm25 for every match in
        one full-text query, then 1 more for those whose name holds every word."""
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT rowid, -bm25({self.TABLE}, {self.WEIGHTS}) / "
                f"(1 - bm25({self.TABLE}, {self.WEIGHTS})) FROM {self.TABLE} "
                f"WHERE {self.TABLE} MATCH %s",
                [self.query_text(terms)],
            )
            scores = dict(cursor.fetchall())
            cursor.execute(*self.matching_sql(terms, name_only=True))
            for (pk,) in cursor.fetchall():
                if pk in scores:
                    scores[pk] += 1.0
        return scores

    def found(self, terms: list[Term], sets) -> None:
        return None  # read from ``scores()`` (``query.SearchQuery.found``)

    def among(self, ids: list[int]) -> Q:
        # One parameter whatever the number of ids (SQLite limits them), read as JSON.
        return Q(pk__in=RawSQL("SELECT value FROM json_each(%s)", [json.dumps(ids)]))

    def relevance(self, pk: Expression, terms: list[Term]) -> Expression:
        """1 when the name holds every word, plus bm25 with the column weights, brought
        under 1 (``r / (1 + r)``, as PostgreSQL's normalisation 32)."""
        # Every match ranked by one full-text query, then read by id (an automatic index).
        # ``LIMIT -1 OFFSET 0`` keeps SQLite from merging it into the correlated subquery,
        # which would run the full-text query again for each pole: 380 ms instead of 2 ms
        # for a word that 1,000 poles hold.
        sql = (
            f"SELECT score FROM (SELECT rowid AS id, -bm25({self.TABLE}, {self.WEIGHTS}) / "
            f"(1 - bm25({self.TABLE}, {self.WEIGHTS})) AS score FROM {self.TABLE} "
            f"WHERE {self.TABLE} MATCH %s LIMIT -1 OFFSET 0) AS ranks WHERE ranks.id = {{pk}}"
        )
        in_name = Case(
            When(pk__in=self.matching(terms, name_only=True), then=Value(1.0)),
            default=Value(0.0),
            output_field=FloatField(),
        )
        return in_name + RankExpression(pk, sql, [self.query_text(terms)])

    def starting_with(self, word: str) -> QuerySet:
        return SearchWord.objects.filter(self.starts(word))

    def starts(self, word: str) -> Q:
        # A range on the unique index (SQLite's LIKE ignores case, so it could not use it).
        return Q(word__gte=word, word__lt=word + "\U0010ffff")

    def closest(self, word: str) -> str | None:
        first = word[0]
        candidates = (
            SearchWord.objects.filter(word__gte=first, word__lt=chr(ord(first) + 1))
            .annotate(length=Length("word"))
            .filter(length__range=(len(word) - 2, len(word) + 2))
            .values_list("word", "frequency")
        )
        best, best_key = None, (SQLITE_MIN_RATIO, 0)
        for candidate, frequency in candidates:
            ratio = difflib.SequenceMatcher(None, word, candidate).ratio()
            if (ratio, frequency) >= best_key:
                best, best_key = candidate, (ratio, frequency)
        return best

    def rebuild_documents(self, build: Callable) -> None:
        """The documents built in Python, written with ``executemany`` (the FTS5 table follows
        through its triggers)."""
        from ..models import Pole

        SearchDocument.objects.all().delete()
        ids = list(Pole.objects.order_by("pk").values_list("pk", flat=True))
        for start in range(0, len(ids), 2000):
            documents = build(ids[start : start + 2000]).values()
            SearchDocument.objects.bulk_create(documents, batch_size=500)


def current() -> PostgreSQL | SQLite:
    return PostgreSQL() if connection.vendor == "postgresql" else SQLite()
