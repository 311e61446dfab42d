"""Public pages of the member organisations: the list (filterable) and one organisation."""

from __future__ import annotations

from itertools import groupby

from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from ptce_site.cache import cache_public_page
from ptce_site.collation import french
from ptce_site.pagination import paginate

from .filters import OrganisationFilterSet
from .models import Membership, Organisation

PER_PAGE = 20


@require_safe
@cache_public_page(OrganisationFilterSet, "page")
def organisation_list(request: HttpRequest) -> HttpResponse:
    organisations = (
        Organisation.objects.public().select_related("region")
        .with_pole_count(published_only=True)
        .with_call_count()
    ).order_by(french("name"), "pk")
    filterset = OrganisationFilterSet(request.GET or None, queryset=organisations)
    pagination = paginate(request, filterset.qs, PER_PAGE)
    context = {
        "filter": filterset,
        "chips": filterset.active_filters(),
        "ignored": filterset.ignored_filters(),
        **pagination.context(),
    }
    return render(request, "members/organisation_list.html", context)


def _poles_with_roles(memberships: list[Membership]) -> tuple[list[dict], list[dict]]:
    """The memberships grouped per pole: (current poles, former poles), by pole name.

    A pole is current while one of the organisation's roles in it has no end date.
    """
    role_order = {role: position for position, role in enumerate(Membership.Role.values)}
    current, former = [], []
    for pole, of_pole in groupby(memberships, key=lambda m: m.pole):
        roles = sorted(of_pole, key=lambda m: role_order.get(m.role, len(role_order)))
        entry = {"pole": pole, "memberships": roles}
        (current if any(m.is_current for m in roles) else former).append(entry)
    return current, former


@require_safe
@cache_public_page()
def organisation_detail(request: HttpRequest, slug: str) -> HttpResponse:
    public_memberships = (
        Membership.objects.filter(pole__is_published=True)
        .select_related("pole", "pole__region")
        .order_by(french("pole__name"), "pole_id", "joined_on", "pk")
    )
    organisation = get_object_or_404(
        Organisation.objects.public().with_changed_by_a_person()
        .select_related("region").prefetch_related(
            Prefetch("memberships", queryset=public_memberships, to_attr="public_memberships"),
            # Calls come in their own order (newest first, then by title): Call.Meta.
            Prefetch("organised_calls", to_attr="calls_organised"),
        ),
        slug=slug,
    )
    current, former = _poles_with_roles(organisation.public_memberships)
    context = {
        "organisation": organisation,
        "current_poles": current,
        "former_poles": former,
        "calls": organisation.calls_organised,
        # The chronology's events it organised (poles.Event, through the relation: members
        # sits below the registry and does not import it).
        "events": organisation.organised_events.in_date_order(),
        # Its signature of the charter (poles.CharterSignature, through the relation too).
        "charter_signatures": organisation.charter_signatures.select_related(
            "charter"
        ).prefetch_related("sources"),
    }
    return render(request, "members/organisation_detail.html", context)
