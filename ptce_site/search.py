"""Accent- and case-insensitive search that behaves the same on PostgreSQL and SQLite.

Both databases get a function ``ptce_unaccent(text)``:

- on PostgreSQL, an IMMUTABLE SQL wrapper around the ``unaccent`` extension (created by the
  migration ``poles.0003_search``), so that it can back the GIN trigram indexes the directory
  uses; ``pg_trgm`` adds typo tolerance (``trigram_word_similar``) and ranking;
- on SQLite, the same folding written in Python and registered on every connection.

The ``unaccented`` transform applies it to both sides of a lookup
(``name__unaccented__icontains="economie"`` finds "Économie").
"""

from __future__ import annotations

import unicodedata

from django.db import models
from django.db.backends.signals import connection_created
from django.db.models import Q
from django.db.models.functions import Lower
from django.dispatch import receiver

FUNCTION = "ptce_unaccent"

# Letters NFKD does not decompose, folded as PostgreSQL's unaccent does.
_LIGATURES = str.maketrans(
    {"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE", "ß": "ss", "’": "'", "ʼ": "'", "‘": "'"}
)


def unaccent(text: str | None) -> str | None:
    """Fold accents and ligatures away: "Économie Œuvre" -> "Economie OEuvre"."""
    if text is None:
        return None
    decomposed = unicodedata.normalize("NFKD", text.translate(_LIGATURES))
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def fold(value) -> str:
    """A key as people type it: without accents, case, nor surrounding spaces."""
    return unaccent(str(value)).casefold().strip()


def name_key(value) -> str:
    """A name as a file names a row: ``fold``, repeated spaces aside (and the no-break space a
    French spreadsheet puts before « : », which NFKD makes a space)."""
    return " ".join(fold(value).split())


def rows_named(queryset, keys: set[str], *fields: str):
    """(``name_key``, *``fields``) of the rows of ``queryset`` whose name has one of ``keys``,
    in one query: found in SQL by their folded name, or as one holding a no-break or repeated
    space (which the databases fold differently), then checked in Python."""
    spaces = Q(name__contains="\u00a0") | Q(name__contains="\u202f") | Q(name__contains="  ")
    candidates = queryset.annotate(folded_name=Lower(Unaccented("name"))).filter(
        Q(folded_name__in=keys) | spaces
    )
    for name, *values in candidates.values_list("name", *fields):
        if (key := name_key(name)) in keys:
            yield key, *values


@receiver(connection_created)
def register_sqlite_unaccent(sender, connection, **kwargs) -> None:
    if connection.vendor == "sqlite":
        connection.connection.create_function(FUNCTION, 1, unaccent, deterministic=True)


@models.CharField.register_lookup
@models.TextField.register_lookup
class Unaccented(models.Transform):
    bilateral = True
    lookup_name = "unaccented"
    function = FUNCTION
    output_field = models.TextField()
