"""The extract a result card shows under a search: about thirty words of the summary (or of the
description, when only it holds the words), the matched words in ``<mark>``. Everything that
comes from the pole is escaped; only the ``<mark>`` tags are ours."""

from __future__ import annotations

import re
from collections.abc import Callable
from html import escape  # what Django's ``escape`` calls, without its lazy-string wrapper

from django.utils.safestring import SafeString, mark_safe

from ptce_site.search import fold

from .words import stem

SNIPPET_WORDS = 30
WORDS_BEFORE = 6
_SPACES = re.compile(r"(\s+)")
_WORD = re.compile(r"[^\W_]+")


def matcher(words: list[str]) -> Callable[[str], bool]:
    """Whether a word of a text is one of ``words`` or starts with one, as typed or stemmed.
    Each token is judged once: a page's cards repeat the same words."""
    stems = [stem(word) for word in words]
    judged: dict[str, bool] = {}

    def matched(token: str) -> bool:
        found = judged.get(token)
        if found is None:
            # Folding an ASCII word is lowering it (no accent to take away).
            folded = token.lower() if token.isascii() else fold(token)
            token_stem = stem(folded) if folded else ""
            found = judged[token] = bool(folded) and any(
                folded.startswith(word) or token_stem.startswith(word_stem)
                for word, word_stem in zip(words, stems, strict=True)
            )
        return found

    return matched


def _marked(chunk: str, matched) -> str:
    """The chunk escaped, its matched words in ``<mark>``."""
    out, position = [], 0
    for match in _WORD.finditer(chunk):
        if matched(match.group()):
            out.append(escape(chunk[position : match.start()]))
            out.append(f"<mark>{escape(match.group())}</mark>")
            position = match.end()
    out.append(escape(chunk[position:]))
    return "".join(out)


def _holds(chunk: str, matched) -> bool:
    return any(matched(match.group()) for match in _WORD.finditer(chunk))


def _extract(text: str, matched) -> str | None:
    chunks = [chunk for chunk in _SPACES.split(text) if chunk and not chunk.isspace()]
    first = next((index for index, chunk in enumerate(chunks) if _holds(chunk, matched)), None)
    if first is None:
        return None
    start = max(0, first - WORDS_BEFORE)
    end = min(len(chunks), start + SNIPPET_WORDS)
    # Only the extract's words are marked and escaped, not the whole text.
    html = " ".join(_marked(chunk, matched) for chunk in chunks[start:end])
    return ("… " if start else "") + html + (" …" if end < len(chunks) else "")


def snippet_of(
    words: list[str], summary: str, description: str = "", matched=None
) -> SafeString:
    """A highlighted extract of ``summary`` or ``description``; the start of the summary,
    escaped, when neither holds the words; empty when there is no summary. ``matched``: the
    ``matcher(words)`` of the page, when it shows several extracts."""
    matched = matched or matcher(words)
    for text in (summary, description):
        if text and (extract := _extract(text, matched)) is not None:
            return mark_safe(extract)  # noqa: S308 - every piece of the text is escaped
    chunks = (summary or "").split()
    shown = " ".join(chunks[:SNIPPET_WORDS]) + (" …" if len(chunks) > SNIPPET_WORDS else "")
    return mark_safe(escape(shown))  # noqa: S308 - escaped
