"""The charter's page (``/charte/``): its date, place and sources, and its signatories, poles
(published) and organisations in two lists in French order, each with its date."""

from __future__ import annotations

from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from ptce_site.cache import cache_public_page

from .models import Charter, CharterSignature


def charter_with_signatories() -> Charter | None:
    """The charter with ``source_list``, ``pole_signatures`` and ``organisation_signatures``
    (read in constant queries, whatever the number of signatories)."""
    return (
        Charter.objects.select_related("event")
        .prefetch_related(
            Prefetch("sources", to_attr="source_list"),
            Prefetch(
                "signatures",
                queryset=CharterSignature.objects.of_poles(),
                to_attr="pole_signatures",
            ),
            Prefetch(
                "signatures",
                queryset=CharterSignature.objects.of_organisations(),
                to_attr="organisation_signatures",
            ),
        )
        .the_charter()
    )


@require_safe
@cache_public_page()
def charter_detail(request: HttpRequest) -> HttpResponse:
    charter = charter_with_signatories()
    if charter is None:
        raise Http404
    return render(request, "poles/charter.html", {"charter": charter})
