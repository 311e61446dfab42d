"""French sorting, the same on PostgreSQL, SQLite and in Python: Île-de-France under I,
« Œuvre » under O, "Pôle 2" before "Pôle 10".

One collation name, ``ptce_fr``, on both databases, so that ``french("name")`` (a ``Collate``
expression) reads the same in every query, ``Meta.ordering`` and index:

- on PostgreSQL, an ICU collation that the migration ``poles.0018_french_sorting`` creates:
  ``fr-u-kn-ka-shifted``, French with numbers compared by value (``kn``) and spaces and
  punctuation ignored at first (``ka-shifted``: « Œuvre » and "L'Atelier" file under O and L,
  as in a dictionary). It is deterministic (PostgreSQL's default): strings equal to ICU are
  ordered by their bytes, so ``=``, ``LIKE`` and unique constraints keep their meaning. The
  ready-made ``fr-x-icu`` was not chosen: it files « Œuvre » before A and "Pôle 10" before
  "Pôle 2", and it exists only where initdb imported ICU's locales.
- on SQLite, a collation of the same name registered on every connection, comparing
  ``french_key()``: pure Python, because PyICU needs ICU's headers to build, and ``pyuca``
  (the Unicode Collation Algorithm in Python) knows neither numbers nor ignorable
  punctuation (it files « Œuvre » first) and builds a key five times slower (49 µs against
  10 µs here). The indexes on ``name COLLATE ptce_fr`` need it too: a ``sqlite3`` shell,
  which does not have it, can read the database but not write those tables.
- in Python, ``sorted(rows, key=lambda row: french_key(row.name))``.

``french_key`` follows ICU's three levels for the Latin script: letters without accents nor
case first (symbols, then numbers by value, then letters; spaces and punctuation skipped),
then accents in ICU's order (é < è < ê < ë, a ligature after any accent), then lower case
before upper case, then the text itself, as PostgreSQL breaks ties.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from django.conf import settings
from django.db import models
from django.db.backends.signals import connection_created
from django.db.models import F
from django.db.models.functions import Coalesce, Collate
from django.dispatch import receiver
from django.utils.translation import get_language

COLLATION = "ptce_fr"
ICU_LOCALE = "fr-u-kn-ka-shifted"

# ICU's (DUCET's) secondary weights of the accents French uses; others follow in code order.
_ACCENTS = {
    "\u0301": "\x24",  # acute
    "\u0300": "\x25",  # grave
    "\u0306": "\x26",  # breve
    "\u0302": "\x27",  # circumflex
    "\u030c": "\x28",  # caron
    "\u030a": "\x29",  # ring
    "\u0308": "\x2b",  # diaeresis
    "\u030b": "\x2c",  # double acute
    "\u0303": "\x2d",  # tilde
    "\u0307": "\x2e",  # dot above
    "\u0338": "\x2f",  # stroke (ø)
    "\u0327": "\x30",  # cedilla
    "\u0328": "\x31",  # ogonek
    "\u0304": "\x32",  # macron
}
_LIGATURE = "\U0010fffd"  # after every accent: "oeuvre" < "œuvre" < "ouvrir"
_BASE = "\x20"  # a letter's own secondary weight, below any accent
# Letters that NFD does not split, spelled as ICU files them.
_EXPANSIONS = str.maketrans(
    {
        "œ": f"o{_LIGATURE}e",
        "Œ": f"O{_LIGATURE}E",
        "æ": f"a{_LIGATURE}e",
        "Æ": f"A{_LIGATURE}E",
        "ß": f"s{_LIGATURE}s",
        "ø": "o\u0338",
        "Ø": "O\u0338",
    }
)
_DIGITS = re.compile(r"\d+")
_SYMBOL, _NUMBER = "\x01", "\x02"  # symbols sort before numbers, numbers before letters
_LENGTH = 0xF0000  # a number's length, as one private character after _NUMBER
_LOWER, _UPPER = "\x02", "\x08"


def _number(match: re.Match) -> str:
    digits = str(int(match.group()))  # "007" is 7; other scripts' digits too
    # The length first makes "2" < "10" as text.
    return f"{_NUMBER}{chr(_LENGTH + len(digits))}{digits}"


def _weights(char: str) -> tuple[str | None, str | None, str | None]:
    """One character's (letters, accents, case) parts of the key; None leaves it out."""
    category = unicodedata.category(char)
    if char == _NUMBER:
        return char, _BASE, _LOWER
    if category == "Nd" or _LENGTH <= ord(char) < _LENGTH + 0x1000:
        return char, None, None
    if char == _LIGATURE or category == "Mn":
        return None, _ACCENTS.get(char, char), None
    if category[0] in "ZPC":
        return None, None, None  # spaces, punctuation, controls: as ICU's "shifted" does
    lower = char.lower()
    return (
        f"{_SYMBOL}{lower}" if category[0] == "S" else lower,
        _BASE,
        _LOWER if lower == char else _UPPER,
    )


# One ``str.translate`` table per level, filled as characters are first met (plain dicts:
# translate reads them twice as fast as a dict with ``__missing__``).
_LEVELS: tuple[dict[int, str | None], ...] = ({}, {}, {})
_KNOWN: set[str] = set()
_EXPANDED = re.compile("[" + "".join(chr(code) for code in _EXPANSIONS) + "]")


def _learn(text: str) -> None:
    for char in set(text) - _KNOWN:
        for table, weight in zip(_LEVELS, _weights(char), strict=True):
            table[ord(char)] = weight
        _KNOWN.add(char)


# SQLite compares two names at a time, each many times in one sort: their keys are kept.
# About 0.5 kB a key: 50,000 names (25 MB at most) cover a list of that size sorted without
# an index; a larger one still sorts right, only slower.
@lru_cache(maxsize=50_000)
def french_key(text: str | None) -> tuple[str, str, str, str]:
    """A sort key: letters (no accent nor case), then accents, then case, then the text."""
    text = text or ""
    # A translate() that may expand characters is slow: only for the names that need it.
    expanded = text.translate(_EXPANSIONS) if _EXPANDED.search(text) else text
    decomposed = _DIGITS.sub(_number, unicodedata.normalize("NFD", expanded))
    if not _KNOWN.issuperset(decomposed):
        _learn(decomposed)
    letters, accents, case = (decomposed.translate(level) for level in _LEVELS)
    return letters, accents, case, text


def compare(left: str | None, right: str | None) -> int:
    """``cmp()`` of two strings in French order, as SQLite's collations answer."""
    a, b = french_key(left), french_key(right)
    return (a > b) - (a < b)


def french(field: str | models.Expression) -> Collate:
    """``field`` (a name, across relations too) compared in French: for order_by, ordering,
    indexes and the admin."""
    return Collate(F(field) if isinstance(field, str) else field, COLLATION)


@receiver(connection_created)
def register_sqlite_collation(sender, connection, **kwargs) -> None:
    if connection.vendor == "sqlite":
        connection.connection.create_collation(COLLATION, compare)

# -- translated fields -------------------------------------------------------------------------
# ``in_language("name")``: a translated field (django-modeltranslation's ``name_fr``, ``name_en``)
# in the language of the page, for sorting. modeltranslation rewrites field names in
# ``filter()`` and ``order_by("name")``, not inside expressions such as ``french("name")`` in
# ``Meta.ordering``, which would sort an English page by the French column (« Bois », Wood,
# before « Déchets », Waste). This one picks the column when the query is compiled: the active
# language's, falling back on French where no translation was entered, as the value shown does.


class in_language(F):  # noqa: N801 - reads like the function it stands for in Meta.ordering
    def resolve_expression(self, query=None, allow_joins=True, reuse=None, summarize=False,
                           for_save=False):
        default = settings.LANGUAGE_CODE
        language = (get_language() or default).split("-")[0]
        if language == default or language not in dict(settings.LANGUAGES):
            expression = F(f"{self.name}_{default}")
        else:
            expression = Coalesce(
                F(f"{self.name}_{language}"), F(f"{self.name}_{default}"),
                output_field=models.CharField(),
            )
        return expression.resolve_expression(query, allow_joins, reuse, summarize, for_save)
