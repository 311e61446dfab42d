"""What every endpoint of the JSON API shares (Django REST framework, configured in
``api_settings.py``): the throttle per client address, the pagination with absolute links,
the bilingual 429, and ``api_endpoint``, which gives each view its ETag and gzip.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import math

from django.conf import settings
from django.http import Http404, JsonResponse
from django.utils import translation
from django.utils.cache import quote_etag
from django.utils.translation import gettext, gettext_lazy, gettext_noop
from django.views.decorators.gzip import gzip_page
from rest_framework import exceptions
from rest_framework.pagination import PageNumberPagination
from rest_framework.throttling import AnonRateThrottle

from .links import absolute_url
from .ratelimit import client_address

logger = logging.getLogger(__name__)


class ClientAddressThrottle(AnonRateThrottle):
    """DRF's anonymous throttle (a sliding log of the client's requests in the site's cache,
    Redis when ``REDIS_URL`` is set), counting per client address as the site's other limits
    do (``ratelimit.client_address``: behind the proxy, the address it appended), at
    ``API_THROTTLE_RATE``, read at each request. A cache that fails lets the request through."""

    scope = "anon"

    def get_rate(self) -> str:
        return settings.API_THROTTLE_RATE

    def get_cache_key(self, request, view) -> str:
        return self.cache_format % {"scope": self.scope, "ident": client_address(request)}

    def allow_request(self, request, view) -> bool:
        try:
            return super().allow_request(request, view)
        except Exception:  # the cache down must not stop the API
            logger.exception("API throttle unavailable")
            return True


class SitePagination(PageNumberPagination):
    """Pages of 20 (``page_size`` up to 100), with ``next`` and ``previous`` on ``SITE_URL``,
    never on the request's Host header (``ptce_site/links.py``)."""

    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100
    # DRF's own messages are English only here (rest_framework is not an installed app, its
    # catalogue would replace Django's wording elsewhere): the site says it in its languages.
    invalid_page_message = gettext_noop("Cette page de résultats n'existe pas.")
    page_query_description = gettext_lazy("Un numéro de page dans les résultats paginés.")
    page_size_query_description = gettext_lazy(
        "Le nombre de résultats par page (20 par défaut, jusqu'à 100)."
    )

    def get_page_size(self, request) -> int:
        """The ``page_size`` asked, up to 100; a value that is not a whole number from 1 is a
        400 naming it (DRF gives 20 instead: a program asking ``page_size=0`` or ``=abc``
        would read pages of 20 thinking it had chosen)."""
        asked = request.query_params.get(self.page_size_query_param)
        if asked is None or asked == "":
            return self.page_size
        if not asked.isascii() or not asked.isdigit() or int(asked) < 1:
            message = gettext("« page_size » vaut un nombre entier de 1 à %(most)d.") % {
                "most": self.max_page_size
            }
            raise exceptions.ValidationError({self.page_size_query_param: [message]})
        return min(int(asked), self.max_page_size)

    def _link(self, number: int) -> str:
        query = self.request.GET.copy()
        if number == 1:
            query.pop(self.page_query_param, None)
        else:
            query[self.page_query_param] = str(number)
        encoded = query.urlencode()
        return absolute_url(self.request.path) + (f"?{encoded}" if encoded else "")

    def get_next_link(self) -> str | None:
        if not self.page.has_next():
            return None
        return self._link(self.page.next_page_number())

    def get_previous_link(self) -> str | None:
        if not self.page.has_previous():
            return None
        return self._link(self.page.previous_page_number())


TOO_MANY = gettext_noop(
    "Trop de requêtes depuis votre adresse : réessayez dans %(seconds)d secondes."
)
NOT_FOUND = gettext_noop("Rien de public à cette adresse de l'API.")
NOT_ALLOWED = gettext_noop("L'API se lit seulement : la méthode %(method)s n'y est pas permise.")
NOT_ACCEPTABLE = gettext_noop(
    "L'API ne répond pas dans les formats que demande l'en-tête Accept : demandez "
    "application/json."
)


def _in(language: str, text: str, **values) -> str:
    with translation.override(language):
        return gettext(text) % values


def _said(text: str, **values) -> dict:
    """A message in the request's language, and in French and English beside it."""
    return {
        "detail": gettext(text) % values,
        "messages": {"fr": _in("fr", text, **values), "en": _in("en", text, **values)},
    }


def _explained(exc, request) -> tuple[str, dict] | None:
    """The site's own message for DRF's errors that carry one of DRF's English texts."""
    if isinstance(exc, Http404 | exceptions.NotFound):  # DRF answers both with a 404
        own = str(getattr(exc, "detail", "")) == SitePagination.invalid_page_message
        return (SitePagination.invalid_page_message if own else NOT_FOUND), {}
    if isinstance(exc, exceptions.MethodNotAllowed):
        return NOT_ALLOWED, {"method": getattr(request, "method", "")}
    if isinstance(exc, exceptions.NotAcceptable):
        return NOT_ACCEPTABLE, {}
    return None


def exception_handler(exc, context):
    """DRF's errors in the site's languages, and a 429 that says in French and English when
    to come back (DRF sets ``Retry-After``)."""
    # Imported here: DRF's views read this module's classes from the settings when imported.
    from rest_framework.views import exception_handler as drf_exception_handler

    response = drf_exception_handler(exc, context)
    if response is None:
        return response
    if isinstance(exc, exceptions.Throttled):
        wait = max(1, math.ceil(exc.wait or 1))
        response.data = {**_said(TOO_MANY, seconds=wait), "retry_after": wait}
        response["Retry-After"] = str(wait)
        response["Cache-Control"] = "no-store"
    elif explained := _explained(exc, context.get("request")):
        text, values = explained
        response.data = _said(text, **values)
    return response


def api_endpoint(view):
    """``view`` with what every API response carries: an ETag computed from the body before
    it is gzipped (the gzip of Django is salted against BREACH, so a hash of the gzipped body
    would change at each request; ``ConditionalGetMiddleware`` then answers 304), and gzip for
    the clients that take it. The CORS headers are django-cors-headers' (``cors_settings``)."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if callable(getattr(response, "render", None)):
            response.render()
        if request.method in {"GET", "HEAD"} and response.status_code == 200:
            digest = hashlib.sha256(response.content).hexdigest()[:32]
            response["ETag"] = quote_etag(digest)
            response.setdefault("Cache-Control", "public, max-age=60")
        return response

    return gzip_page(wrapped)


@api_endpoint
def not_found(request) -> JsonResponse:
    """The API's 404 for an address under ``/api/v1/`` that no endpoint answers (the site's
    error page is HTML, which a program reading JSON cannot use), with what every API
    response carries."""
    return JsonResponse(_said(NOT_FOUND), status=404)
