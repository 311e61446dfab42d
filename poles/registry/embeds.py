"""The embeddable map and directory (``/integrer/carte/``, ``/integrer/annuaire/``): light
pages for a partner's ``<iframe>``, with the same filters as ``/carte/`` and ``/poles/``.

They are the only pages that may be framed: their Content-Security-Policy says
``frame-ancestors`` from ``EMBED_FRAME_ANCESTORS`` (``*`` by default) and they carry no
``X-Frame-Options``; every other page keeps ``DENY`` and ``frame-ancestors 'none'``. Both
decorators sit outside the page cache, so that a page served from the cache is framable too.
They hold no form: no CSRF token, no cookie set. Their links open the registry in a new tab.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csp import csp_override
from django.views.decorators.http import require_safe

from ptce_site.cache import cache_public_page
from ptce_site.links import absolute_url
from ptce_site.pagination import paginate

from .facets import PoleFacets
from .filters import PoleFilterSet

EMBED_PER_PAGE = 10


def framable(view):
    """Allow ``view``'s pages, and only them, in the frames of ``EMBED_FRAME_ANCESTORS`` (the
    settings are read once, when the URLs are loaded)."""
    policy = {**settings.SECURE_CSP, "frame-ancestors": settings.EMBED_FRAME_ANCESTORS}
    return xframe_options_exempt(csp_override(policy)(view))


def embed_code(request: HttpRequest, embed_name: str, title: str, height: int) -> str:
    """The ``<iframe>`` a partner pastes to show ``embed_name`` with this page's filters."""
    query = request.GET.copy()
    for name in ("page", "lang"):
        query.pop(name, None)
    if request.LANGUAGE_CODE != settings.LANGUAGE_CODE:
        query["lang"] = request.LANGUAGE_CODE
    url = absolute_url(reverse(embed_name)) + (f"?{query.urlencode()}" if query else "")
    return (
        f'<iframe src="{_escape(url)}" title="{_escape(title)}" width="100%" '
        f'height="{height}" loading="lazy" style="border:0"></iframe>'
    )


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")


def _registry_link(request: HttpRequest, name: str) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return absolute_url(reverse(name)) + (f"?{query.urlencode()}" if query else "")


@framable
@require_safe
@cache_public_page(PoleFilterSet, level=("current", "former"), metric=("poles", "laureates"))
def embed_map(request: HttpRequest) -> HttpResponse:
    """The map of ``/carte/`` alone, with its table of figures (what works without JS)."""
    from .views import map_figures  # the views import this module's embed_code

    context, counts = map_figures(request)
    totals = counts.totals()
    context.update({
        "total_poles": totals["poles"],
        "total_laureates": totals["laureates"],
        "registry_url": _registry_link(request, "poles:map"),
    })
    return render(request, "poles/embed/map.html", context)


@framable
@require_safe
@cache_public_page(PoleFilterSet, "page")
def embed_directory(request: HttpRequest) -> HttpResponse:
    """The directory's results for the filters of the URL, ten a page, without the form."""
    filterset = PoleFilterSet.for_request(request)
    facets = PoleFacets(filterset)
    results = facets.results(filterset.queryset.for_cards())
    context = {
        "filter": filterset,
        "chips": filterset.active_filters(),
        "ignored": filterset.ignored_filters(),
        "registry_url": _registry_link(request, "poles:pole-list"),
        "heading": _("Pôles territoriaux de coopération économique"),
        **paginate(request, results, EMBED_PER_PAGE).context(),
    }
    return render(request, "poles/embed/directory.html", context)
