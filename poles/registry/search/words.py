"""Words as the search index sees them, the same on both databases: folded (accents, ligatures
and case away), cut at anything that is not a letter or a digit, French stop words and words
under three letters left out, and stemmed with the Snowball French stemmer (PostgreSQL's
``french_stem`` is the same algorithm), so that "coopératives" finds "coopérative"."""

from __future__ import annotations

import re
from functools import lru_cache

import snowballstemmer

from ptce_site.search import fold

# A query or document word is at least this long: shorter ones ("de", "05") are not searched,
# not corrected and cost no query.
MIN_LENGTH = 3
# Longer "words" are junk (a pasted identifier, a URL): not in the vocabulary.
MAX_LENGTH = 40
MAX_QUERY_WORDS = 8

# Letters and digits of any script; "_" is a word character for ``\w`` but a separator here.
_WORD = re.compile(r"[^\W_]+")

# French stop words of three letters or more (PostgreSQL's french.stop and a few more, folded):
# in a query they would match nearly every pole (PostgreSQL's ``french_stem`` drops them).
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

_stemmer = snowballstemmer.stemmer("french")


def words_of(text: str | None) -> list[str]:
    """Every folded word of ``text``, in order, stop words and short words included."""
    if not text:
        return []
    return [word for chunk in text.split() for word in _chunk_words(chunk)]


@lru_cache(maxsize=100_000)
def _chunk_words(chunk: str) -> tuple[str, ...]:
    # Folding is slow in Python and documents repeat the same words (organisation names):
    # each distinct chunk between spaces is folded once.
    return tuple(_WORD.findall(fold(chunk)))


def is_searched(word: str) -> bool:
    """Whether a folded word is searched (and kept in the vocabulary)."""
    return MIN_LENGTH <= len(word) <= MAX_LENGTH and word not in STOP_WORDS


def searched_words(text: str | None) -> list[str]:
    """The words of ``text`` a search looks for, each once, in order."""
    return list(dict.fromkeys(word for word in words_of(text) if is_searched(word)))


@lru_cache(maxsize=50_000)
def stem(word: str) -> str:
    """The stem of a folded word ("cooperatives" -> "cooper")."""
    return _stemmer.stemWord(word)


def stemmed_text(text: str | None) -> str:
    """``text`` as SQLite's full-text table indexes it: its stems, separated by spaces."""
    return " ".join(stem(word) for word in words_of(text))
