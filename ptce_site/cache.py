"""Cache of the public pages for anonymous visitors, and its invalidation.

``cache_public_page(...)`` wraps a public view. An anonymous ``GET``/``HEAD`` is answered from
the cache when it can be; logged-in users (leaders, staff) always get a freshly built page and
never fill the cache. The key (``ptce_site/cache_keys.py``) holds the registry's *generation*,
today's date (what a page shows may change at midnight without any write: a membership whose
departure date comes), the language, whether the client takes gzip, the path and the
*normalised* query string, and neither the scheme nor the host: every absolute link comes from
``SITE_URL``.

Normalised query string: each view declares the query parameters its page reads (names, or a
FilterSet class for all of its filters), ``lang`` is read everywhere. Any other parameter
(``utm_*``, ``fbclid``, ``gclid``, junk) is dropped, and the parameters are sorted by name, so
that ``?utm_source=x&q=a&sort=name`` and ``?sort=name&q=a`` share one entry instead of filling
Redis with copies. A repeated parameter keeps the value the page reads, the last one
(``?q=x&q=y`` is ``?q=y``), unless its FilterSet widget reads them all (a multiple choice: all
kept, in their order); an empty one is dropped; a page number loses its leading zeros, and
``page=1`` is dropped. The
view then builds the page from that normalised request, not the URL as asked: the page stored
is exactly the page of the normalised URL, and junk in the query string never shows in its
links (the language form's ``next``, the pagination and the chips) for other visitors.

A page built from a value it ignored, fell back from or altered (a filter value the form
refuses, an unknown sort, a page number that is not one or is out of range, a search the form
cleaned up, a value outside the choices a view declares) is served but not stored: whoever
builds it calls ``dont_store_this_page()``. Such URLs are countless; their pages are not.

A page bigger than ``PAGE_CACHE_MAX_BYTES`` (its body as stored: the open data is gzipped for
clients that take gzip, the HTML pages are not) is served but not stored.

Invalidation is global and cheap: any change to the registry (a save, a delete or a many-to-many
change of a model of the ``poles``, ``members`` or ``calls`` apps, caught by signals) stores a
new random generation, so that every key built afterwards is new; the old entries expire on
their own. Bulk ``QuerySet.update()`` sends no signal: code that uses one calls
``bump_generation()``, and ``StaffWriteMiddleware`` bumps after every write request by staff
(the admin's bulk actions, such as publishing, use ``update()``).

A missing page is built by one request at a time, the others serving the page's last copy
(``X-Page-Cache: stale``) or waiting briefly for the new one: no stampede of every worker
after an invalidation (``ptce_site/cache_flight.py``, with how entries are stored).

Pages carry two per-visitor values that must never be served to someone else: the CSRF token
of the header's forms (the language switch) and the Content-Security-Policy nonce. They are
stored as placeholders and replaced, on every hit (or stale copy), by this visitor's own token
(which also sets this visitor's CSRF cookie) and this response's nonce.

The cache is Django's default one: Redis when ``REDIS_URL`` is set, shared by every worker and
node, so that an invalidation is seen everywhere at once. With the per-process cache a worker
would not see another worker's invalidation, so the page cache is then off by default outside
development (``PAGE_CACHE_SECONDS`` decides, see the settings).
"""

from __future__ import annotations

import copy
import functools
import logging
import uuid
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import Signal
from django.http import HttpRequest, HttpResponse, QueryDict
from django.urls import get_script_prefix, get_urlconf, set_script_prefix, set_urlconf
from django.utils import translation

from .cache_flight import serve
from .cache_keys import ParametersRead, normalised_query
from .typography import space_html_response

logger = logging.getLogger(__name__)

GENERATION_KEY = "registry-generation"
REGISTRY_APPS = frozenset({"poles", "members", "calls"})


# Read at each request, so that tests may change them; the defaults are in the settings.
def page_cache_seconds() -> int:
    return settings.PAGE_CACHE_SECONDS


def page_cache_max_bytes() -> int:
    """The biggest page stored, in bytes (bigger ones would fill Redis); 0 means no limit."""
    return settings.PAGE_CACHE_MAX_BYTES


# Generation -----------------------------------------------------------------------------


def current_generation() -> str:
    """The registry's current generation; a new random one when the cache has none (after a
    restart of Redis or an eviction: never an old number whose pages may still be stored)."""
    generation = cache.get(GENERATION_KEY)
    if generation is None:
        generation = uuid.uuid4().hex
        # add(): two processes starting at once agree on the first one that was stored.
        if not cache.add(GENERATION_KEY, generation, timeout=None):
            generation = cache.get(GENERATION_KEY) or generation
    return generation


def _store_new_generation() -> None:
    try:
        cache.set(GENERATION_KEY, uuid.uuid4().hex, timeout=None)
    except Exception:  # The cache being down must not break a save.
        logger.exception("Could not invalidate the page cache")


# Sent by every ``bump_generation()``: what else the processes keep from the registry follows
# (``poles/registry/version.py``).
registry_changed = Signal()


def bump_generation() -> None:
    """Make every cached page stale: now, and again when the current transaction commits (a
    page built in between from the old data would otherwise stay under the new generation)."""
    _store_new_generation()
    transaction.on_commit(_store_new_generation)
    registry_changed.send(sender=None)


# Models of those apps that no public page shows: their writes leave the cache alone (a claim
# request or a proposal sent by a visitor must not empty the cache for everyone).
PRIVATE_MODELS = frozenset(
    {"poles.invitation", "poles.claimrequest", "poles.poleproposal", "poles.poleproposal_sectors",
     "poles.registryversion"}
)


def _shows_publicly(model) -> bool:
    meta = model._meta
    return (
        meta.app_label in REGISTRY_APPS
        and meta.label_lower not in PRIVATE_MODELS
        # django-simple-history's versions: the change itself bumps already.
        and not meta.model_name.startswith("historical")
    )


def _registry_changed(sender, **kwargs) -> None:
    if _shows_publicly(sender):
        bump_generation()


def _registry_relation_changed(sender, action: str, **kwargs) -> None:
    # The sender of m2m_changed is the "through" model; it lives in the app of the relation.
    # A private model's relation (a proposal's sectors) changes no public page either.
    if action in {"post_add", "post_remove", "post_clear"} and (
        sender._meta.label_lower not in PRIVATE_MODELS
        and (_shows_publicly(sender) or _shows_publicly(kwargs["model"]))
    ):
        bump_generation()


def registry_migrated(sender, *, plan=None, **kwargs) -> None:
    """``post_migrate`` receiver: a migration that applied something may have changed what the
    pages show (a data migration writes with ``update()``, which sends no signal): every page
    cached before the deployment is stale. A ``migrate`` that applies nothing (each start of
    the service) leaves the cache alone."""
    if plan:
        bump_generation()


post_save.connect(_registry_changed, dispatch_uid="ptce-page-cache-save")
post_delete.connect(_registry_changed, dispatch_uid="ptce-page-cache-delete")
m2m_changed.connect(_registry_relation_changed, dispatch_uid="ptce-page-cache-m2m")


class StaffWriteMiddleware:
    """After any write request by a staff member (the admin), bump the generation.

    A safety net for bulk ``update()`` calls, which send no signal: staff writes are rare, and
    a few extra invalidations cost less than one stale page. Anonymous POSTs (the language
    switch, logins) do not bump: nobody can empty the cache for everyone.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.method not in {"GET", "HEAD", "OPTIONS", "TRACE"}:
            user = getattr(request, "user", None)
            if user is not None and user.is_authenticated and user.is_staff:
                bump_generation()
        return response


# Page cache -----------------------------------------------------------------------------


def _has_messages(request: HttpRequest) -> bool:
    # len() reads the stored messages without marking them as shown.
    return hasattr(request, "_messages") and len(get_messages(request)) > 0


# The request whose page the cache is building: a FilterSet is not given its request.
_building_for: ContextVar[HttpRequest | None] = ContextVar("page_cache_request", default=None)


def dont_store_this_page(request: HttpRequest | None = None) -> None:
    """The page being built read a value it ignored, fell back from or altered (an invalid
    filter value, an unknown sort, a bad page number…): serve it, but do not store it, or
    countless junk URLs would each fill an entry. ``request`` defaults to the one whose page
    the cache is building; outside of it, nothing to do."""
    if request is None:
        request = _building_for.get()
    if request is not None:
        request.page_cache_skip = True


@contextmanager
def _building(request: HttpRequest, query: QueryDict):
    """Let the view see ``query`` as the request's query string, then put the real one back
    (for the middleware and the logs after the view); meanwhile ``dont_store_this_page()``
    marks this request."""
    original_get, original_string = request.GET, request.META.get("QUERY_STRING", "")
    request.GET, request.META["QUERY_STRING"] = query, query.urlencode()
    token = _building_for.set(request)
    try:
        yield
    finally:
        _building_for.reset(token)
        request.GET, request.META["QUERY_STRING"] = original_get, original_string


def _is_cacheable(request: HttpRequest, response: HttpResponse) -> bool:
    cache_control = response.get("Cache-Control", "")
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and "private" not in cache_control
        and "no-store" not in cache_control
        and not _has_messages(request)
        and not getattr(request, "page_cache_skip", False)
        and _fits(response)
    )


def _fits(response: HttpResponse) -> bool:
    limit = page_cache_max_bytes()
    return not limit or len(response.content) <= limit


def cache_public_page(
    *reads: str | type, **choices: Iterable[str]
) -> Callable[[Callable], Callable]:
    """Serve anonymous visitors from the page cache; see the module's docstring.

    ``reads``: the query parameters the page reads, as names or FilterSet classes (all their
    filters), e.g. ``@cache_public_page(PoleFilterSet, "page")``; ``@cache_public_page()`` for
    a page that reads none. ``lang`` is always read. ``choices``: parameters the view reads
    itself and that take one of a few values, any other falling back to the default, e.g.
    ``metric=("poles", "laureates")``: a page asked with another value is not stored.
    """
    if len(reads) == 1 and callable(reads[0]) and not isinstance(reads[0], type):
        # @cache_public_page without parentheses: the page would silently ignore the
        # parameters it reads (its filters, its page number) once cached.
        raise TypeError(
            "cache_public_page needs the query parameters the page reads: "
            "@cache_public_page() when it reads none."
        )

    read = ParametersRead((*reads, *choices))
    choices = {name: frozenset(values) for name, values in choices.items()}

    def decorator(view: Callable) -> Callable:
        spaced = _spaced(view)

        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not _uses_cache(request):
                return view(request, *args, **kwargs)
            query = normalised_query(request.GET, read)
            with _building(request, query):
                if any(query[name] not in choices[name] for name in choices.keys() & query):
                    dont_store_this_page(request)
                return _cached_response(
                    request, query, lambda: spaced(request, *args, **kwargs),
                    detach=lambda: _detached(request, query, spaced, args, kwargs),
                )

        return wrapper

    return decorator


def _spaced(view: Callable) -> Callable:
    """The view, its page stored as the French spacing middleware serves it (its size, as
    ``PAGE_CACHE_MAX_BYTES`` counts it, and no work on a hit)."""

    def spaced(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        return space_html_response(view(request, *args, **kwargs))

    return spaced


def _uses_cache(request: HttpRequest) -> bool:
    return bool(
        page_cache_seconds()
        and request.method in {"GET", "HEAD"}
        and not request.user.is_authenticated
        and not _has_messages(request)
    )


def _detached(request: HttpRequest, query: QueryDict, view: Callable, args, kwargs):
    """The page's build on a copy of the request, for a thread that builds it while this
    request answers (``cache_flight``): the middleware goes on with the request itself, and
    the build changes the copy only (its query string for the view, the CSRF token it may
    ask for, whether it may be stored)."""
    detached = copy.copy(request)
    detached.META = dict(request.META)
    # What a thread does not inherit (asgiref's Local): the language, and what reverse()
    # reads, set by the handler for each request (a site under SCRIPT_NAME: its links).
    language, prefix, urlconf = translation.get_language(), get_script_prefix(), get_urlconf()

    def build() -> HttpResponse:
        set_script_prefix(prefix)
        set_urlconf(urlconf)
        with _building(detached, query), translation.override(language):
            return view(detached, *args, **kwargs)

    return detached, build, lambda response: _is_cacheable(detached, response)


def _cached_response(
    request: HttpRequest, query: QueryDict, build: Callable[[], HttpResponse], detach=None
) -> HttpResponse:
    try:
        generation = current_generation()
    except Exception:  # Redis down: serve the page uncached rather than fail.
        logger.exception("Page cache unavailable")
        return build()
    return serve(
        request, query, generation, build,
        storable=lambda response: _is_cacheable(request, response),
        seconds=page_cache_seconds(), detach=detach,
    )
