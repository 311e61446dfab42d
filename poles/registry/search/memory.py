"""The directory's search on PostgreSQL, at the cost of what the page shows rather than of
every match: the published poles that hold each word of the index are kept by the process for
the registry's current state, as the facets' bit sets are (``facet_sets.PoleSets.kept``).

Why: ranking every match in SQL (``ts_rank_cd`` on each matching document) cost 12 to 27 ms at
10,000 poles for a frequent word on every page, whatever the page showed. Here:

- the poles a query finds, and those whose name holds every word (they come first: their
  score is 1 plus the rank), are intersections of bit sets, without SQL;
- a query of one group of words (one word, its prefix and its expansions: most searches) is
  ordered from its *term*: the poles of its lexemes by rank, ranked by PostgreSQL
  (``ts_rank_cd``) once for this state of the registry, then read as far as each page goes;
- a query of several words ranks, in SQL, the poles of the group the page reaches only (those
  whose name holds every word, usually few: 144 of 3,767 for « economie solidaire »).

The ranks are PostgreSQL's own, read with the same query: the order is the one of
``SearchQuery.order`` in SQL to the last digit, which the tests check. A word is matched as
PostgreSQL matches it: the query normalised by ``to_tsquery`` in the search's configuration
(accents, stem, stop words), its lexemes looked up in the kept ones (a prefix as a range of
the sorted lexemes). A query that normalises to anything but words joined by AND and OR
(never built by ``query.py``) is left to SQL (``None``).
"""

from __future__ import annotations

import re
from array import array
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import chain

from django.db import connection

from ..bitsets import bits_from, places_in, places_of
from .models import SearchDocument

TABLE = SearchDocument._meta.db_table

# An operand of a query as ``tsquery`` prints it: 'lexeme', optionally :* (prefix) and weights.
_TOKEN = re.compile(r"\s*(?:([()&|])|'((?:[^'\\]|'')*)'(?::(\*?)([A-D]*))?)")

Group = tuple[tuple[str, bool], ...]  # (lexeme, prefix) joined by OR


def normalised(config: str, text: str) -> tuple[Group, ...] | None:
    """The query ``text`` as PostgreSQL reads it: groups joined by AND, each a tuple of
    (lexeme, prefix) joined by OR; ``None`` for any other shape."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_tsquery(%s, %s)::text", [config, text])
        (printed,) = cursor.fetchone()
    return _groups(printed)


def _groups(printed: str) -> tuple[Group, ...] | None:
    """The groups of a ``tsquery`` as PostgreSQL prints it (``( 'a':* | 'b' ) & 'c':*``);
    None for anything but operands joined by AND and OR, ORs inside the ANDs."""
    tokens, position = [], 0
    printed = printed.strip()
    while position < len(printed):
        match = _TOKEN.match(printed, position)
        if match is None or match.group(4):  # a phrase, a negation, a weight: not ours
            return None
        tokens.append(match.group(1) or (match.group(2).replace("''", "'"), bool(match.group(3))))
        position = match.end()
    groups: list[list[tuple[str, bool]]] = []
    current: list[tuple[str, bool]] = []
    depth, either = 0, False  # ``either``: an OR outside parentheses in the current group
    for token in tokens:
        if token in ("(", ")"):
            depth += 1 if token == "(" else -1
            if depth < 0:
                return None
        elif token == "&":
            if depth or either:  # an AND inside an OR: not an AND of ORs
                return None
            groups.append(current)
            current = []
        elif token == "|":
            if not depth and groups:  # an OR between AND groups
                return None
            either = either or not depth
        else:
            current.append(token)
    if depth or (tokens and not current):
        return None
    groups.append(current)
    return tuple(tuple(group) for group in groups if group)


@dataclass
class Found:
    """The published poles a query finds (``poles``) and those whose name holds every group
    (``named``), as bit sets over the places of ``PoleSets.ids``. ``order``: for a query of
    one group, its poles by rank then name (``KeptWords.order``; None: each group ranked as
    the page reaches it); ``ranked``: False when the ranks were read with every match
    (``query.SearchQuery``)."""

    poles: int
    named: int
    order: Callable[[], array] | None = None
    ranked: bool = True


@dataclass
class Term:
    """The poles that hold one of ``words`` (the lexemes of a query's OR group), those that
    hold one in their name, and (once asked) all of them in the order of their rank."""

    words: tuple[str, ...]
    poles: int
    named: int
    order: array | None = None


# Terms kept per state of the registry (each two bit sets and an order: 50 kB at most at
# 10,000 poles); beyond, they are read again.
MAX_TERMS = 256
# What separates the lexemes of a document when read (no lexeme holds a control character).
_SEPARATOR = "\x1f"


class KeptWords:
    """For each lexeme of the published poles' documents, the places of the poles that hold
    it and of those that hold it in their name (weight A); and the terms searched since the
    registry's last change."""

    def __init__(self, sets) -> None:
        self.ids, self.size, self.name_rank = sets.ids, len(sets.ids), sets.name_rank
        self.terms: dict[tuple[str, ...], Term] = {}
        holders: dict[str, list[int]] = defaultdict(list)
        named: dict[str, list[int]] = defaultdict(list)
        place_of = sets.position.get
        with connection.cursor() as cursor:
            # The lexemes joined in one string (split in C), not as arrays: psycopg would
            # build them element by element (0.1 s more at 10,000 poles).
            cursor.execute(
                "SELECT pole_id, array_to_string(tsvector_to_array(vector), %s), "
                "array_to_string(tsvector_to_array(ts_filter(vector, '{a}')), %s) "
                f"FROM {TABLE}",
                [_SEPARATOR, _SEPARATOR],
            )
            for pole_id, lexemes, in_name in cursor:
                if (place := place_of(pole_id)) is None or not lexemes:
                    continue  # unpublished (never a result), or no word at all
                for lexeme in lexemes.split(_SEPARATOR):
                    holders[lexeme].append(place)
                for lexeme in in_name.split(_SEPARATOR) if in_name else ():
                    named[lexeme].append(place)
        self.lexemes = sorted(holders)
        self.holders = {lexeme: array("I", places) for lexeme, places in holders.items()}
        self.named = {lexeme: array("I", places) for lexeme, places in named.items()}

    def _matching(self, lexeme: str, prefix: bool) -> list[str]:
        if not prefix:
            return [lexeme] if lexeme in self.holders else []
        start = end = bisect_left(self.lexemes, lexeme)
        while end < len(self.lexemes) and self.lexemes[end].startswith(lexeme):
            end += 1
        return self.lexemes[start:end]

    def term(self, group: Group) -> Term:
        """The poles of one OR group of a query (kept: a frequent word's 3,500 poles are
        read in a millisecond, and every page of its results asks again)."""
        words = tuple(sorted({found for operand in group for found in self._matching(*operand)}))
        term = self.terms.get(words)
        if term is None:
            if len(self.terms) >= MAX_TERMS:
                self.terms.clear()
            poles = chain.from_iterable(self.holders[word] for word in words)
            named = chain.from_iterable(self.named.get(word, ()) for word in words)
            term = self.terms[words] = Term(
                words, bits_from(poles, self.size), bits_from(named, self.size)
            )
        return term

    def found(self, config: str, text: str) -> Found | None:
        """The poles holding every group of the query ``text`` (one of its lexemes, or a
        lexeme its prefix starts), and those holding every group in their name; None for a
        query of another shape."""
        groups = normalised(config, text)
        if groups is None:
            return None
        if not groups:
            return Found(0, 0)  # every word a stop word: PostgreSQL matches nothing
        terms = [self.term(group) for group in groups]
        poles, named = terms[0].poles, terms[0].named
        for term in terms[1:]:
            poles, named = poles & term.poles, named & term.named
        order = (lambda: self.order(terms[0])) if len(terms) == 1 else None
        return Found(poles, named & poles, order)

    def order(self, term: Term) -> array:
        """The poles of ``term`` by rank, then names in French order: ranked by PostgreSQL
        once for the term (``ts_rank_cd`` of its lexemes, which is the rank of any query of
        this one group), then read as far as each page goes."""
        if term.order is None:
            places = places_of(term.poles)
            ranks = _ranks(term.words, [self.ids[place] for place in places])
            ids, name_rank = self.ids, self.name_rank
            places.sort(key=lambda place: (-ranks.get(ids[place], 0.0), name_rank[place]))
            term.order = array("I", places)
        return term.order


def _ranks(words: tuple[str, ...], ids: list[int]) -> dict[int, float]:
    """``ts_rank_cd(vector, query, 32)`` of these poles' documents for the query of ``words``
    joined by OR, as lexemes (written as ``tsquery`` reads them: not normalised again)."""
    query = " | ".join("'" + word.replace("\\", "\\\\").replace("'", "''") + "'" for word in words)
    return ranks("%s::tsquery", [query], ids)


def ranks(query_sql: str, params: list, ids: list[int]) -> dict[int, float]:
    """``ts_rank_cd(vector, <query_sql>, 32)`` of these poles' documents: the one rank of the
    directory's search, whether a term is ranked once for the process or a page's group of
    poles on each page (``backends.PostgreSQL.ranks``); the order must be SQL's own."""
    if not ids:
        return {}
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT pole_id, ts_rank_cd(vector, {query_sql}, 32)::float8 "
            f"FROM {TABLE} WHERE pole_id = ANY(%s::bigint[])",
            [*params, "{" + ",".join(map(str, ids)) + "}"],
        )
        return dict(cursor.fetchall())


def kept_words(sets) -> KeptWords:
    """The kept words of the registry's current state (read once per state and process)."""
    return sets.kept("search_words", lambda: KeptWords(sets))


def by_relevance(sets, found: Found, among: int, rank, needed: int | None) -> Iterator[int]:
    """The poles of ``among`` (a subset of ``found.poles``) in the directory's order: those
    whose name holds every word, then the others; in each group by rank, then names in French
    order. From the term's order when there is one (``found.order``); else ranked in one
    query (``rank(places)``: the rank of the pole at each place) for the group of names, and
    for the others too when the first ``needed`` poles reach them."""
    ids, name_rank = sets.ids, sets.name_rank
    named, others = among & found.named, among & ~found.named
    if found.order is not None:
        order = found.order()
        for group in (named, others):
            yield from (ids[place] for place in places_in(group, order, len(ids)))
        return
    first = places_of(named)
    reached = needed is None or len(first) < needed
    groups = [first, places_of(others) if reached else None]
    ranks = rank(first + (groups[1] or []))
    for places in groups:
        if places is None:  # the page stopped before: read if asked for all the same
            places = places_of(others)
            ranks = rank(places)
        places.sort(key=lambda place: (-ranks.get(place, 0.0), name_rank[place]))
        yield from (ids[place] for place in places)
