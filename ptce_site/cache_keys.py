"""The page cache's key: the path and the *normalised* query string (see ``ptce_site.cache``).

Each cached view declares the query parameters its page reads (names, or a FilterSet class for
all of its filters); ``lang`` is read everywhere. The normalised query string keeps only those,
sorted by name, each with the value the page reads:

- a single-valued parameter keeps its last value, the one a filter (``QueryDict.get``) reads:
  ``?q=x&q=y`` is ``?q=y``; a parameter whose FilterSet widget reads every value (a
  ``MultipleChoiceFilter``, a ``ModelMultipleChoiceFilter``…) keeps them all, in their order;
- a single-valued parameter left empty (``?q=&region=``, a submitted form's empty fields) is
  dropped: it filters nothing, as when absent;
- a page number written as a plain number is written as the number: ``page=0002`` is
  ``page=2``, and ``page=1`` (the default page) is dropped;
- ``lang`` is kept when it names a language of the site.

The key holds neither the scheme nor the ``Host``: every absolute link of a page comes from
``SITE_URL`` (``ptce_site/links.py``), so a page is the same whatever host or port was asked.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.http import HttpRequest, QueryDict
from django.utils import translation

# A parameter every page reads: LanguageMiddleware picks the language from it.
LANGUAGE_PARAMETER = "lang"
# The page number (ptce_site/pagination.py): 1 when absent.
PAGE_PARAMETER = "page"
DEFAULT_PAGE = "1"


class ParametersRead:
    """The query parameters a page reads, from ``reads`` (names and FilterSet classes), and
    those of them that take several values."""

    def __init__(self, reads: tuple):
        self.names: set[str] = set()
        self.several: set[str] = set()
        for item in reads:
            if isinstance(item, str):
                self.names.add(item)
            else:
                for name, filter_ in item.base_filters.items():
                    self._add_filter(name, filter_.field.widget)

    def _add_filter(self, name: str, widget) -> None:
        # A range filter reads several parameters (founded_min, founded_max): its
        # SuffixedMultiWidget names them, and each of its widgets reads one.
        suffixes = getattr(widget, "suffixes", None)
        if suffixes:
            for suffix, part in zip(suffixes, widget.widgets, strict=False):
                self._add(widget.suffixed(name, suffix), part)
        else:
            self._add(name, widget)

    def _add(self, name: str, widget) -> None:
        self.names.add(name)
        if reads_several_values(widget, name):
            self.several.add(name)


def reads_several_values(widget, name: str) -> bool:
    """Whether ``widget`` reads every value of a repeated parameter (``SelectMultiple``,
    ``QueryArrayWidget``…) rather than the last one (``Select``, ``TextInput``, and
    ``CSVWidget``, which splits the last value on commas): asked of the widget itself."""
    probe = QueryDict(mutable=True)
    probe.setlist(name, ["first", "last"])
    try:
        read = widget.value_from_datadict(probe, {}, name)
    except Exception:  # When in doubt, keep every value: never another page.
        return True
    return isinstance(read, list | tuple) and "first" in read


def _canonical_page(value: str) -> str | None:
    """A plain page number without its leading zeros; None for the default page."""
    if value.isascii() and value.isdigit():
        value = str(int(value))
        return None if value == DEFAULT_PAGE else value
    return value  # Not a number: the page says so (and is not stored).


def normalised_query(query: QueryDict, read: ParametersRead) -> QueryDict:
    """``query`` with only the parameters the page reads, sorted by name, each with the
    value(s) the page reads, in their canonical form (see the module's docstring)."""
    kept = []
    for name in read.names.intersection(query):
        if name == LANGUAGE_PARAMETER:
            continue
        values = query.getlist(name)
        if name not in read.several:
            # The last value, unless empty: an empty value filters nothing (an empty field of
            # a submitted form), as when absent.
            values = [value for value in values[-1:] if value != ""]
            if name == PAGE_PARAMETER:
                values = [page for page in map(_canonical_page, values) if page is not None]
        if values:
            kept.append((name, values))
    language = query.get(LANGUAGE_PARAMETER)
    if language in {code for code, _name in settings.LANGUAGES}:
        kept.append((LANGUAGE_PARAMETER, [language]))
    normalised = QueryDict(mutable=True)
    for name, values in sorted(kept):
        normalised.setlist(name, values)
    normalised._mutable = False
    return normalised


def page_key(request: HttpRequest, generation: str, query: QueryDict) -> str:
    """The cache key of the page of ``request.path`` built from ``query``."""
    accepts_gzip = "gzip" in request.headers.get("Accept-Encoding", "")
    # request.path is decoded: /poles/%61/ and /poles/a/ are the same page.
    url = f"{request.path}?{query.urlencode()}"
    digest = hashlib.sha256(url.encode()).hexdigest()
    language = translation.get_language()
    return f"page:{generation}:{language}:{int(accepts_gzip)}:{digest}"
