"""How many e-mails a visitor can make the site send: limits on the forms that send mail.

A form that sends mail ("Je porte ce pôle", password reset) counts each submission twice: per
client address and per target (the address the claim's answer or the reset goes to, in the
form ``emails.email_key`` gives, so that ``ſusan@`` and ``Susan@`` are one target).
Past ``EMAIL_FORM_LIMIT_PER_CLIENT`` or ``EMAIL_FORM_LIMIT_PER_TARGET`` submissions within
``EMAIL_FORM_WINDOW_MINUTES``, the form answers 429 with a page that says when to come back,
and sends nothing.

The counts live in Django's default cache: Redis when ``REDIS_URL`` is set, so that a limit
holds across every worker and node (the per-process cache of development counts per worker).

Written by hand, in a few lines, because the window must slide: django-ratelimit (the library
made for this) counts per fixed window, so a client could send twice the limit around a window's
boundary. Here each count is a *sliding window counter* (the approximation Cloudflare and Redis
document): this window's count plus the previous window's, weighted by how much of it still
falls within the last ``window`` seconds. Two cache keys per count, ``incr`` being atomic in
Redis.
"""

from __future__ import annotations

import hashlib
import logging
import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after: int = 0  # seconds until the client may try again (when refused)
    counted: str = ""  # the cache key that counted an allowed attempt


def window_seconds() -> int:
    return settings.EMAIL_FORM_WINDOW_MINUTES * 60


def client_address(request: HttpRequest) -> str:
    """The client's address: behind a proxy (``BEHIND_HTTPS_PROXY``), the last address the
    proxy appended to ``X-Forwarded-For`` (what a client writes before it cannot be trusted)."""
    if settings.BEHIND_HTTPS_PROXY:
        forwarded = [part.strip() for part in request.headers.get("X-Forwarded-For", "").split(",")]
        if forwarded[-1]:
            return forwarded[-1]
    return request.META.get("REMOTE_ADDR", "")


def _bucket_key(scope: str, subject: str, bucket: int) -> str:
    # Hashed: a subject may be an e-mail address, which the cache should not hold in clear.
    digest = hashlib.sha256(f"{scope}\x00{subject}".encode()).hexdigest()[:32]
    return f"ratelimit:{scope}:{digest}:{bucket}"


def hit(scope: str, subject: str, *, limit: int, window: int, now: float | None = None) -> Verdict:
    """Count one attempt of ``subject`` (an address, a target) in ``scope``; refuse it (and
    leave it uncounted) if the attempts allowed within the last ``window`` seconds, this one
    included, would exceed ``limit``."""
    now = time.time() if now is None else now
    bucket, elapsed = divmod(now, window)
    current_key = _bucket_key(scope, subject, int(bucket))
    try:
        # Kept two windows: the next window still weighs this one.
        cache.add(current_key, 0, timeout=2 * window)
        current = cache.incr(current_key)
        previous = cache.get(_bucket_key(scope, subject, int(bucket) - 1), 0)
    except Exception:  # the cache down must not stop a visitor's request
        logger.exception("Rate limit %s unavailable", scope)
        return Verdict(True)
    weight = 1 - elapsed / window
    if previous * weight + current <= limit:
        return Verdict(True, counted=current_key)
    # A refused attempt is not counted: waiting is enough to be let through again.
    current = _uncount(current_key)
    return Verdict(False, max(1, math.ceil(_wait(limit, window, elapsed, previous, current))))


def _uncount(key: str) -> int:
    try:
        return cache.decr(key)
    except Exception:
        logger.exception("Rate limit unavailable")
        return 0


def _wait(limit: int, window: int, elapsed: float, previous: int, current: int) -> float:
    """Seconds until one more attempt fits, if the client waits without trying."""
    if current < limit and previous:
        # Within this window, once enough of the previous window has faded.
        return window * (1 - (limit - current - 1) / previous) - elapsed
    # In the next window, once enough of this one has faded.
    return window - elapsed + window * max(0.0, 1 - (limit - 1) / current)


def check_email_form(request: HttpRequest, scope: str, *targets: str) -> Verdict:
    """Count a submission of a form that sends mail, per client address, then (if the client
    is within its limit) per target; a refused submission counts nowhere, so that a client
    refused for its own volume does not use up a target's allowance. A target's allowance is
    shared by whoever asks: an inbox receives at most ``EMAIL_FORM_LIMIT_PER_TARGET`` such
    e-mails per window, even when someone else asked for them."""
    window = window_seconds()
    verdict = hit(
        f"{scope}:client",
        client_address(request),
        limit=settings.EMAIL_FORM_LIMIT_PER_CLIENT,
        window=window,
    )
    if not verdict.allowed:
        return verdict
    verdicts = [
        verdict,
        *(
            hit(f"{scope}:target", target, limit=settings.EMAIL_FORM_LIMIT_PER_TARGET,
                window=window)
            for target in targets
        ),
    ]
    refused = [verdict for verdict in verdicts if not verdict.allowed]
    if not refused:
        return Verdict(True)
    # Nothing is sent: the counts this submission made are taken back.
    for verdict in verdicts:
        if verdict.counted:
            _uncount(verdict.counted)
    return max(refused, key=lambda v: v.retry_after)


def too_many_requests(request: HttpRequest, verdict: Verdict) -> HttpResponse:
    """The 429 page: what happened and when to come back, in the visitor's language."""
    minutes = max(1, math.ceil(verdict.retry_after / 60))
    response = render(request, "429.html", {"minutes": minutes}, status=429)
    response["Retry-After"] = str(verdict.retry_after)
    response["Cache-Control"] = "private, no-store"
    return response


def first_in_window(scope: str, subject: str) -> bool:
    """True once per window for ``subject`` (e.g. one staff e-mail per pole per window)."""
    try:
        return cache.add(_bucket_key(scope, subject, 0), 1, timeout=window_seconds())
    except Exception:
        logger.exception("Rate limit %s unavailable", scope)
        return True
