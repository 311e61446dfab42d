"""A visitor's search, read once: its words, each corrected when no pole holds it, and what it
does to a queryset of poles (filter, rank, order) and to a result card (a highlighted snippet).

Every word must match (AND), in any field, as a word or the start of one ("solid" finds
"solidaire"), whatever the accents, case or plural. A word of three letters or more that no
published pole holds, even as the start of a word, is replaced by the closest one that some
pole holds ("boutarik" -> "boutaric"), unless the exact words were asked for. Words under three
letters and French stop words are not searched at all.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property

from django.db.models import Case, F, QuerySet, Value, When
from django.utils.safestring import SafeString

from . import backends
from .backends import MAX_EXPANSIONS, Term
from .highlight import matcher, snippet_of
from .memory import Found, by_relevance
from .words import MAX_QUERY_WORDS, MIN_LENGTH, STOP_WORDS, is_searched, stem, words_of


@dataclass(frozen=True)
class SearchQuery:
    text: str
    terms: tuple[Term, ...] = ()
    # Words of the query not searched: too short or too common.
    ignored: tuple[str, ...] = field(default=())

    @property
    def is_active(self) -> bool:
        return bool(self.terms)

    @property
    def corrected(self) -> bool:
        """Whether some word was replaced by a word the poles hold."""
        return any(term.word != term.typed for term in self.terms)

    @property
    def searched_text(self) -> str:
        return " ".join(term.word for term in self.terms)

    @property
    def typed_text(self) -> str:
        return " ".join(term.typed for term in self.terms)

    @property
    def only_ignored_words(self) -> bool:
        """Whether the query had words, none of them searched (« de la »)."""
        return bool(self.ignored) and not self.terms

    @property
    def unsearched(self) -> tuple[str, ...]:
        """The words left out that the page must own up to: all of them when none was
        searched; otherwise those a reader would miss (too long, or beyond the number of
        words searched), not the short and common words every query holds (« de la »)."""
        if not self.terms:
            return self.ignored
        return tuple(
            word for word in self.ignored if len(word) >= MIN_LENGTH and word not in STOP_WORDS
        )

    def filter(self, queryset: QuerySet) -> QuerySet:
        """The poles that hold every searched word (all of them when there is none).

        The full-text index is read once per search (``matching_ids``), whatever the number
        of querysets filtered (the exports, the API, the map). The directory lists and
        counts from ``found`` and ``in_order`` instead."""
        if not self.terms:
            return queryset
        return queryset.filter(self._matching)

    @cached_property
    def _matching(self):
        """The condition "among the matching poles", built once for every queryset."""
        return self._backend.among(self.matching_ids)

    @cached_property
    def matching_ids(self) -> list[int]:
        """The poles, published or not, whose document holds every searched word."""
        return list(self.scores)

    @cached_property
    def scores(self) -> dict[int, float]:
        """The matching poles with their relevance (as ``rank``), read in one query: on
        SQLite, the directory orders its results by it without ranking them again in SQL."""
        return self._backend.scores(list(self.terms)) if self.terms else {}

    def found(self, sets) -> int:
        """The published poles of ``sets`` (``facet_sets.PoleSets``) holding every searched
        word, as a bit set: what the directory lists and counts."""
        return self._found(sets).poles

    def in_order(self, sets, among: int, needed: int | None = None) -> Iterator[int]:
        """The poles of ``among`` (a subset of ``found(sets)``) by relevance, as ``order()``
        orders them in SQL: names holding every word first, then by rank, then names in
        French order. Ranked as far as the page reads, ``needed`` poles
        (``memory.by_relevance``)."""
        found = self._found(sets)

        def ranks(places: list[int]) -> dict[int, float]:
            ids = sets.ids
            if not found.ranked:  # read with every match
                return {place: self.scores.get(ids[place], 0.0) for place in places}
            by_id = self._backend.ranks(list(self.terms), [ids[place] for place in places])
            return {place: by_id.get(ids[place], 0.0) for place in places}

        return by_relevance(sets, found, among, ranks, needed)

    def _found(self, sets) -> Found:
        """``found`` read once per search and state of the registry."""
        key = getattr(sets, "key", None)
        kept = self.__dict__.get("_found_in")
        if kept is None or kept[0] != key:
            kept = self.__dict__["_found_in"] = (key, self._read_found(sets))
        return kept[1]

    def _read_found(self, sets) -> Found:
        found = self._backend.found(list(self.terms), sets)
        if found is not None:
            return found
        # SQLite, or a query ``memory.py`` does not read: from the scores of every match.
        scores = self.scores
        named = (pk for pk, score in scores.items() if score >= 1.0)
        return Found(sets.bits_of(scores), sets.bits_of(named), ranked=False)

    def rank(self, queryset: QuerySet) -> QuerySet:
        """Annotate ``rank``: 1 when the name holds every word, plus the weighted full-text
        rank under 1 (name, then summary, territory and commune, then sectors and member
        organisations, then description)."""
        if not self.terms:
            return queryset.annotate(rank=Value(0.0))
        return queryset.annotate(rank=self._backend.relevance(F("pk"), list(self.terms)))

    def order(self, queryset: QuerySet, *tie_break) -> QuerySet:
        """Poles whose name holds the words first, then by rank, then by ``tie_break``."""
        return self.rank(queryset).order_by("-rank", *(tie_break or ("name",)))

    def snippet(self, pole) -> SafeString:
        """A short extract of the pole's summary, or of its description when only that holds
        the words, with the matched words in ``<mark>`` (everything else escaped)."""
        return snippet_of(self._words, pole.summary, pole.description, self._matched)

    @cached_property
    def _words(self) -> list[str]:
        return [term.word for term in self.terms]

    @cached_property
    def _matched(self):
        return matcher(self._words)

    @cached_property
    def _backend(self):
        return backends.current()


def parse(text: str | None, *, exact: bool = False) -> SearchQuery:
    """Read a visitor's query: ``exact`` keeps misspelt words as typed."""
    text = text or ""
    typed: list[str] = []
    ignored: list[str] = []
    for word in words_of(text):
        (typed if is_searched(word) else ignored).append(word)
    typed = list(dict.fromkeys(typed))
    # Words beyond the limit are said to be left out, not dropped silently.
    typed, ignored = typed[:MAX_QUERY_WORDS], ignored + typed[MAX_QUERY_WORDS:]
    if not typed:
        return SearchQuery(text, ignored=tuple(ignored))
    backend = backends.current()
    return SearchQuery(
        text, tuple(_term(backend, word, exact) for word in typed), tuple(ignored)
    )


def _term(backend, typed: str, exact: bool) -> Term:
    known, stem_known = _vocabulary(backend, typed)
    # A plural or another form of a known word ("coursives", "cooperatives") is found through
    # its stem: not a typo, nothing to correct nor to announce.
    if known or exact or stem_known:
        return Term(typed, typed, _outside_prefix(typed, known))
    correction = backend.closest(typed)
    if correction is None:
        return Term(typed, typed)
    return Term(typed, correction, _outside_prefix(correction, _known_words(backend, correction)))


def _vocabulary(backend, typed: str) -> tuple[tuple[str, ...], bool]:
    """The vocabulary's words that start with ``typed`` (``_known_words``), and whether some
    word starts with its stem, read in one query when the stem starts ``typed`` (as it
    nearly always does): the words of the stem, those of ``typed`` first."""
    prefix = stem(typed)
    if len(prefix) < 2 or not typed.startswith(prefix):
        known = _known_words(backend, typed)
        return known, bool(known) or backend.starting_with(prefix).exists()
    rows = list(
        backend.starting_with(prefix)
        .annotate(typed=Case(When(backend.starts(typed), then=1), default=0))
        .order_by("-typed", "-frequency", "word")
        .values_list("word", "typed")[:MAX_EXPANSIONS]
    )
    return tuple(word for word, is_typed in rows if is_typed), bool(rows)


def _known_words(backend, word: str) -> tuple[str, ...]:
    """The vocabulary's words that start with ``word``, the most frequent first."""
    found = backend.starting_with(word).order_by("-frequency", "word")[:MAX_EXPANSIONS]
    return tuple(found.values_list("word", flat=True))


def _outside_prefix(word: str, known: tuple[str, ...]) -> tuple[str, ...]:
    """The known words whose stem the prefix search of ``word`` would miss ("coursive" ->
    "cours" for "coursiv"): only those are added to the query."""
    prefix = stem(word)
    return tuple(known_word for known_word in known if not stem(known_word).startswith(prefix))
