"""Cache of the public pages for anonymous visitors, and its invalidation.

``cache_public_page`` wraps a public view. An anonymous ``GET``/``HEAD`` is answered from the
cache when it can be; logged-in users (leaders, staff) always get a freshly built page and never
fill the cache. The key holds the registry's *generation*, the language, whether the client
takes gzip, and the full URL (scheme, host, path and query string).

Invalidation is global and cheap: any change to the registry (a save, a delete or a many-to-many
change of a model of the ``poles``, ``members`` or ``calls`` apps, caught by signals) stores a
new random generation, so that every key built afterwards is new; the old entries expire on
their own. Bulk ``QuerySet.update()`` sends no signal: code that uses one calls
``bump_generation()``, and ``StaffWriteMiddleware`` bumps after every write request by staff
(the admin's bulk actions, such as publishing, use ``update()``).

Pages carry two per-visitor values that must never be served to someone else: the CSRF token
of the header's forms (the language switch) and the Content-Security-Policy nonce. They are
stored as placeholders and replaced, on every hit, by this visitor's own token (which also
sets this visitor's CSRF cookie) and this response's nonce.

The cache is Django's default one: Redis when ``REDIS_URL`` is set, shared by every worker and
node, so that an invalidation is seen everywhere at once. With the per-process cache a worker
would not see another worker's invalidation, so the page cache is then off by default outside
development (``PAGE_CACHE_SECONDS`` decides, see the settings).
"""

from __future__ import annotations

import functools
import hashlib
import logging
import re
import uuid
from collections.abc import Callable

from django.conf import settings
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.utils import translation
from django.utils.cache import set_response_etag

logger = logging.getLogger(__name__)

GENERATION_KEY = "registry-generation"
REGISTRY_APPS = frozenset({"poles", "members", "calls"})
NONCE_PLACEHOLDER = b"__ptce_csp_nonce__"
CSRF_PLACEHOLDER = b"__ptce_csrf_token__"
# What `{% csrf_token %}` renders: the masked token, 64 letters and digits.
CSRF_INPUT = re.compile(rb'(name="csrfmiddlewaretoken" value=")([A-Za-z0-9]{64})(")')
# Computed again on each hit.
UNSTORED_HEADERS = frozenset({"content-length", "set-cookie"})


def page_cache_seconds() -> int:
    return getattr(settings, "PAGE_CACHE_SECONDS", 0)


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


def bump_generation() -> None:
    """Make every cached page stale: now, and again when the current transaction commits (a
    page built in between from the old data would otherwise stay under the new generation)."""
    _store_new_generation()
    transaction.on_commit(_store_new_generation)


# Models of those apps that no public page shows: their writes leave the cache alone (a claim
# request sent by a visitor must not empty the cache for everyone).
PRIVATE_MODELS = frozenset({"poles.invitation", "poles.claimrequest"})


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
    if action in {"post_add", "post_remove", "post_clear"} and (
        _shows_publicly(sender) or _shows_publicly(kwargs["model"])
    ):
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


def _key(request: HttpRequest, generation: str) -> str:
    accepts_gzip = "gzip" in request.headers.get("Accept-Encoding", "")
    url = f"{request.scheme}://{request.get_host()}{request.get_full_path()}"
    digest = hashlib.sha256(url.encode()).hexdigest()
    language = translation.get_language()
    return f"page:{generation}:{language}:{int(accepts_gzip)}:{digest}"


def _is_cacheable(request: HttpRequest, response: HttpResponse) -> bool:
    cache_control = response.get("Cache-Control", "")
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and "private" not in cache_control
        and "no-store" not in cache_control
        and not _has_messages(request)
    )


def _to_entry(request: HttpRequest, response: HttpResponse) -> dict:
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
    }


def _from_entry(request: HttpRequest, entry: dict) -> HttpResponse:
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
    response["X-Page-Cache"] = "hit"
    return response


def cache_public_page(view: Callable) -> Callable:
    """Serve anonymous visitors from the page cache; see the module's docstring."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        seconds = page_cache_seconds()
        if (
            not seconds
            or request.method not in {"GET", "HEAD"}
            or request.user.is_authenticated
            or _has_messages(request)
        ):
            return view(request, *args, **kwargs)
        try:
            key = _key(request, current_generation())
            entry = cache.get(key)
        except Exception:  # Redis down: serve the page uncached rather than fail.
            logger.exception("Page cache unavailable")
            return view(request, *args, **kwargs)
        if entry is not None:
            return _from_entry(request, entry)
        response = view(request, *args, **kwargs)
        if _is_cacheable(request, response):
            try:
                cache.set(key, _to_entry(request, response), timeout=seconds)
            except Exception:
                logger.exception("Page cache unavailable")
            response["X-Page-Cache"] = "miss"
        return response

    return wrapper
