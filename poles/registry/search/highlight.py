"""The extract a result card shows under a search: about thirty words of the summary (or of the
description, when only it holds the words), the matched words in ``<mark>``. Everything that
comes from the pole is escaped; only the ``<mark>`` tags are ours."""

from __future__ import annotations

import re

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from ptce_site.search import fold

from .words import stem

SNIPPET_WORDS = 30
WORDS_BEFORE = 6
_SPACES = re.compile(r"(\s+)")
_WORD = re.compile(r"[^\W_]+")


def _matcher(words: list[str]):
    stems = [stem(word) for word in words]

    def matched(token: str) -> bool:
        folded = fold(token)
        if not folded:
            return False
        token_stem = stem(folded)
        return any(
            folded.startswith(word) or token_stem.startswith(word_stem)
            for word, word_stem in zip(words, stems, strict=True)
        )

    return matched


def _marked(chunk: str, matched) -> tuple[str, bool]:
    """The chunk escaped, its matched words in ``<mark>``; and whether any was."""
    out, position, found = [], 0, False
    for match in _WORD.finditer(chunk):
        if matched(match.group()):
            out.append(escape(chunk[position : match.start()]))
            out.append(f"<mark>{escape(match.group())}</mark>")
            position, found = match.end(), True
    out.append(escape(chunk[position:]))
    return "".join(out), found


def _extract(text: str, matched) -> str | None:
    chunks = [chunk for chunk in _SPACES.split(text) if chunk and not chunk.isspace()]
    marked = [_marked(chunk, matched) for chunk in chunks]
    first = next((index for index, (_html, found) in enumerate(marked) if found), None)
    if first is None:
        return None
    start = max(0, first - WORDS_BEFORE)
    end = min(len(chunks), start + SNIPPET_WORDS)
    html = " ".join(html for html, _found in marked[start:end])
    return ("… " if start else "") + html + (" …" if end < len(chunks) else "")


def snippet_of(words: list[str], summary: str, description: str = "") -> SafeString:
    """A highlighted extract of ``summary`` or ``description``; the start of the summary,
    escaped, when neither holds the words; empty when there is no summary."""
    matched = _matcher(words)
    for text in (summary, description):
        if text and (extract := _extract(text, matched)) is not None:
            return mark_safe(extract)  # noqa: S308 - every piece of the text is escaped
    chunks = (summary or "").split()
    shown = " ".join(chunks[:SNIPPET_WORDS]) + (" …" if len(chunks) > SNIPPET_WORDS else "")
    return mark_safe(escape(shown))  # noqa: S308 - escaped
