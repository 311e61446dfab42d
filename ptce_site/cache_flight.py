"""How the page cache stores a page, serves it again, and builds a missing page only once.

**Entries.** A stored page holds its body with the two per-visitor values of the page replaced
by placeholders (the CSRF token of the header's forms and the Content-Security-Policy nonce),
put back on every use with this visitor's own token (which also sets their CSRF cookie) and
this response's nonce; and the generation and day it was built for (``PageKeys``).

**One build at a time.** When the page of the current generation is missing (just after an
invalidation, or its first request, or its expiry), every worker used to build it at once:
sixteen connections on ``/`` made sixteen builds on two cores, and the p99 of a cached page
jumped to a third of a second. Now the request that takes a short lock in the cache
(``cache.add``: atomic, and shared by every worker and node through Redis) builds the page;
the others, meanwhile:

1. serve the last good copy of the page, kept under a key without the generation, with
   ``X-Page-Cache: stale``: the page as it was a moment ago, served only while its new copy
   is being built (whoever holds the lock), never to a visitor the cache does not serve (the
   same rules as a hit: logged in, flash messages…);
2. without one (the page's first build, or a page evicted), wait for the new copy, polling
   for up to ``WAIT_SECONDS``;
3. otherwise build the page themselves: when the lock's holder finished without storing it (a
   page not to be stored), or died (the lock expires after ``LOCK_SECONDS``), or the wait is
   over. A request never fails because of the cache and never waits more than that.

**Built behind the visitor's back** (``PAGE_CACHE_REFRESH_IN_BACKGROUND``, on by default): when
the page has a last copy, the request that takes the lock serves that copy too, and the new
page is built by a thread of the process, on a copy of the request (stale-while-revalidate, RFC
5861). Without it, the lock's holder built the page while its visitor waited: after a change,
the first page reads the registry again (the directory's sets, about 200 ms at 10,000 poles,
0.5 to 1.2 s under load), and that visitor, with the requests queued behind them in the same
worker, made the p99 of a cached page under invalidations 413-494 ms. One such thread per
process at a time: a request that takes the lock while this process's thread is busy gives the
lock back and serves the last copy, and the next request (of this process or another) builds. A
page without a last copy (its first build, an eviction) is still built by the request that
needs it, and so is a page the thread found gone (a 404) or not to be stored any more: the
thread deletes its last copy.
"""

from __future__ import annotations

import contextvars
import functools
import logging
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache, caches
from django.core.exceptions import BadRequest, PermissionDenied, SuspiciousOperation
from django.db import connections
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.middleware.csrf import get_token
from django.utils import timezone
from django.utils.cache import set_response_etag

from .cache_keys import page_key
from .typography import mark_spaced

logger = logging.getLogger(__name__)

NONCE_PLACEHOLDER = b"__ptce_csp_nonce__"
CSRF_PLACEHOLDER = b"__ptce_csrf_token__"
# What `{% csrf_token %}` renders: the masked token, 64 letters and digits.
CSRF_INPUT = re.compile(rb'(name="csrfmiddlewaretoken" value=")([A-Za-z0-9]{64})(")')
# Computed again on each hit.
UNSTORED_HEADERS = frozenset({"content-length", "set-cookie"})

# The lock outlives a slow build under load (an uncached search took 1.3 s at p50 before
# issue #13) and is short enough that a dead builder delays nobody for long: while it is held,
# the other requests serve the last copy, or wait WAIT_SECONDS at most. Whole seconds: Redis
# timeouts are.
LOCK_SECONDS = 5
WAIT_SECONDS = 2.0
POLL_SECONDS = 0.02
# Stands for the generation in the key of a page's last good copy: generations are hex.
LAST_COPY = "last"
# The name of the threads that build pages in the background (tests wait for them by it).
REFRESH_THREAD = "page-cache-refresh"
# One background build per process at a time: a burst of invalidations queues no threads.
_refreshing = threading.Lock()
# What a view raises for Django to answer with a 4xx page: the page is gone, not failing.
ANSWERED = (Http404, PermissionDenied, BadRequest, SuspiciousOperation)

# What builds a page away from its request: a copy of the request, and for that copy the
# page's build and whether its response may be stored (``ptce_site.cache`` makes them).
Detached = tuple[HttpRequest, Callable[[], HttpResponse], Callable[[HttpResponse], bool]]


@dataclass(frozen=True)
class PageKeys:
    page: str  # the page of this generation and day
    last: str  # its last good copy, of any generation and day
    lock: str  # held by the request building the page of this generation and day
    built_for: str  # the generation and the day, as the entries record them

    @classmethod
    def of(cls, request: HttpRequest, generation: str, query: QueryDict) -> PageKeys:
        # Today's date too: a page may change at midnight without any write (a membership
        # whose departure date comes, ``members.models.current_membership``), and a page built
        # the day before would be served until it expired. At midnight each page is built
        # again, as after a change, its last copy served meanwhile.
        built_for = f"{generation}:{timezone.localdate().isoformat()}"
        page = page_key(request, built_for, query)
        return cls(page, page_key(request, LAST_COPY, query), f"{page}:building", built_for)


def to_entry(request: HttpRequest, response: HttpResponse, generation: str) -> dict:
    content = response.content
    nonce = getattr(request, "_csp_nonce", None)
    if nonce:  # A LazyNonce is true once the page used it.
        content = content.replace(str(nonce).encode(), NONCE_PLACEHOLDER)
    content = CSRF_INPUT.sub(rb"\1" + CSRF_PLACEHOLDER + rb"\3", content)
    if NONCE_PLACEHOLDER not in content and CSRF_PLACEHOLDER not in content:
        # The same bytes for every visitor (the GeoJSON, several MB): hash them once here
        # rather than in ConditionalGetMiddleware on every hit.
        set_response_etag(response)
    headers = [
        (name, value)
        for name, value in response.headers.items()
        if name.lower() not in UNSTORED_HEADERS
    ]
    return {
        "status": response.status_code,
        "headers": headers,
        "content": content,
        "content_length": "Content-Length" in response.headers,
        "generation": generation,
    }


def from_entry(request: HttpRequest, entry: dict, state: str = "hit") -> HttpResponse:
    content = entry["content"]
    if NONCE_PLACEHOLDER in content:
        content = content.replace(NONCE_PLACEHOLDER, str(request._csp_nonce).encode())
    if CSRF_PLACEHOLDER in content:
        # This visitor's own token; CsrfViewMiddleware then sets the matching cookie.
        content = content.replace(CSRF_PLACEHOLDER, get_token(request).encode())
    response = HttpResponse(content, status=entry["status"])
    for name, value in entry["headers"]:
        response.headers[name] = value
    if entry["content_length"]:
        response.headers["Content-Length"] = str(len(content))
    response["X-Page-Cache"] = state
    return mark_spaced(response)  # stored spaced (``cache_public_page``)


def serve(
    request: HttpRequest,
    query: QueryDict,
    generation: str,
    build: Callable[[], HttpResponse],
    storable: Callable[[HttpResponse], bool],
    seconds: int,
    detach: Callable[[], Detached] | None = None,
) -> HttpResponse:
    """The page of ``generation`` from the cache, else built once (see the module's docstring):
    ``build()`` makes it, ``storable(response)`` says whether it may be stored, for
    ``seconds``; ``detach()``, when given, lets a thread build it while its last copy is
    served."""
    holder = False
    try:
        keys = PageKeys.of(request, generation, query)
        entry = cache.get(keys.page)
        if entry is not None:
            return from_entry(request, entry)
        holder = cache.add(keys.lock, generation, timeout=LOCK_SECONDS)
        if holder and detach is not None and settings.PAGE_CACHE_REFRESH_IN_BACKGROUND:
            served = _refresh_behind(request, keys, detach, seconds)
            if served is not None:
                holder = False  # the thread, or _refresh_behind, gave the lock back
                return served
        if not holder:
            served = _while_another_builds(request, keys)
            if served is not None:
                return served
    except Exception:  # Redis down: serve the page uncached rather than fail.
        logger.exception("Page cache unavailable")
        if holder:
            _delete(keys.lock)
        return build()
    try:
        return _build_and_store(request, keys, build, storable, seconds)
    finally:
        if holder:
            _delete(keys.lock)


def _refresh_behind(
    request: HttpRequest, keys: PageKeys, detach: Callable[[], Detached], seconds: int
) -> HttpResponse | None:
    """The last copy, the new page being built by a thread; None without a last copy (this
    request builds the page, holding the lock)."""
    last = cache.get(keys.last)
    if last is None:
        return None
    if _refreshing.acquire(blocking=False):
        try:  # Held until the thread ends: anything failing before it starts gives it back.
            copy, build, storable = detach()
            store = functools.partial(
                _build_and_store, copy, keys, build, storable, seconds
            )
            # The request's context goes with it: its id in the logs, the page being built
            # (plain ContextVars; what Django keeps in asgiref's Local does not follow: the
            # language and the script prefix are set again by ``build``, the connections
            # are the thread's own).
            context = contextvars.copy_context()
            thread = threading.Thread(
                target=context.run,
                args=(_refresh, store, keys),
                name=REFRESH_THREAD,
                daemon=True,
            )
            thread.start()
        except Exception:
            _refreshing.release()
            raise
    else:
        _delete(keys.lock)  # this process is busy building another page: someone else
    return from_entry(request, last, "stale")


def _refresh(store: Callable[[], HttpResponse], keys: PageKeys) -> None:
    """The thread's work: ``store()`` builds the page from the copy of the request and stores
    it (``_build_and_store``); then the thread gives back what it held."""
    gone = False
    try:
        response = store()
        gone = response.get("X-Page-Cache") != "miss"  # built, and not to be stored
    except ANSWERED:
        gone = True
    except Exception:
        # Nobody waits for this page: the last copy keeps being served until the next
        # request builds it again (the lock is given back below).
        logger.exception("Page could not be built in the background")
    finally:
        if gone:
            # The page is no longer the last copy (a pole unpublished: a 404; a page now too
            # big, or read from a value now refused): without it the next request builds
            # the page and gets it, instead of everyone getting the last copy until it
            # expires, each request building the page again behind it.
            _delete(keys.last)
        _delete(keys.lock)
        try:
            connections.close_all()  # this thread's own connections
            _close_caches()
        finally:  # else no page of this process would be built behind its visitor again
            _refreshing.release()


def _close_caches() -> None:
    """Close this thread's connections to Redis: a thread gets cache clients of its own
    (asgiref's Local, where Django keeps them, shows a thread nothing of its parent's), and
    Django's RedisCache has no ``close()``; each build would leave one open until the garbage
    collector finds it."""
    for backend in caches.all(initialized_only=True):
        client = vars(backend).get("_cache")  # RedisCache's client, once made (a property)
        for pool in getattr(client, "_pools", {}).values():
            pool.disconnect()


def _while_another_builds(
    request: HttpRequest, keys: PageKeys
) -> HttpResponse | None:
    """The last copy, or the new one once stored; None when this request must build."""
    last = cache.get(keys.last)
    if last is not None:
        # Of this generation and day when the holder stored it since this request's first look.
        fresh = last.get("generation") == keys.built_for
        return from_entry(request, last, "hit" if fresh else "stale")
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        time.sleep(POLL_SECONDS)
        found = cache.get_many([keys.page, keys.lock])
        if keys.page in found:
            return from_entry(request, found[keys.page])
        if keys.lock not in found:
            return None  # Built and not stored, or its builder died: build it here.
    return None


def _build_and_store(
    request: HttpRequest,
    keys: PageKeys,
    build: Callable[[], HttpResponse],
    storable: Callable[[HttpResponse], bool],
    seconds: int,
) -> HttpResponse:
    response = build()
    if storable(response):
        entry = to_entry(request, response, keys.built_for)
        try:
            # The last copy lives as long as the page: it stands in for it only while the
            # next generation's copy is being built.
            cache.set_many({keys.page: entry, keys.last: entry}, timeout=seconds)
        except Exception:
            logger.exception("Page cache unavailable")
        response["X-Page-Cache"] = "miss"
    return response


def _delete(key: str) -> None:
    """A lock given back, deleted whoever holds it now: if this build outlived the lock and
    another request took it, that request builds the same page once more, which is harmless;
    or a last copy dropped (``_refresh``). The cache being down only gets logged."""
    try:
        cache.delete(key)
    except Exception:
        logger.exception("Page cache unavailable")
