"""``/reseau/``: the poles linked through their shared member organisations, for the whole
country or one region (``?region=<slug>``), as a drawing and as lists of links."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from members.models import Organisation
from ptce_site.cache import cache_public_page, dont_store_this_page
from ptce_site.collation import french
from ptce_site.pagination import paginate

from ...territories.models import Region
from . import drawing
from .graph import Network, network

LISTS = ("poles", "organisations")
POLES_PER_PAGE = 25
ORGANISATIONS_PER_PAGE = 50
NEIGHBOURS_SHOWN = 8
LINKS_DRAWN = 300


def _pole_entries(net: Network, positions: list[int], among: set[int] | None,
                  regions: dict) -> list[dict]:
    """Each pole of the page with its neighbours, the first ``NEIGHBOURS_SHOWN`` of them."""
    neighbours = net.neighbours(positions, among)
    entries = []
    for position in positions:
        linked = neighbours[position]
        entries.append({
            "pole": _pole(net, position, regions),
            "count": len(linked),
            "neighbours": [
                {**_pole(net, p, regions), "shared": shared}
                for p, shared in linked[:NEIGHBOURS_SHOWN]
            ],
            "more": max(len(linked) - NEIGHBOURS_SHOWN, 0),
        })
    return entries


def _pole(net: Network, position: int, regions: dict) -> dict:
    pole = net.poles[position]
    return {
        "name": pole.name,
        "url": reverse("poles:pole-detail", args=[pole.slug]),
        "region": regions.get(pole.region_id),
    }


def _organisation_entries(net: Network, ids: list[int], poles_of: Callable,
                          regions: dict) -> list[dict]:
    """Each organisation of the page with its poles (``poles_of(pk)``: their positions)."""
    found = Organisation.objects.only("name", "slug").in_bulk(ids)
    return [
        {
            "organisation": found[pk],
            "poles": [_pole(net, p, regions) for p in sorted(poles_of(pk))],
        }
        for pk in ids
        if pk in found
    ]


def _drawing(net: Network, regions: list, region, links: list | None) -> dict:
    if region is None:
        linked_poles = Counter(net.poles[position].region_id for position in net.linked_positions)
        description = _(
            "Chaque disque est une région, d'autant plus grand qu'elle a de pôles liés ; "
            "chaque trait relie deux régions dont des pôles partagent des organisations "
            "membres, d'autant plus épais qu'elles sont nombreuses. Les listes qui suivent "
            "donnent le détail."
        )
        return {"svg": drawing.national(regions, linked_poles, net.region_links, description),
                "shown": None, "total": None}
    located = [
        link for link in links
        if net.poles[link[0]].latitude is not None and net.poles[link[1]].latitude is not None
    ]
    drawn = located[:LINKS_DRAWN]
    description = _(
        "Chaque point est un pôle de la région, placé comme sur la carte ; chaque trait relie "
        "deux pôles qui partagent des organisations membres, d'autant plus épais qu'elles "
        "sont nombreuses. Les listes qui suivent donnent le détail."
    )
    title = _("Réseau des pôles de la région %(region)s") % {"region": region.name}
    svg = drawing.regional("network-region", net.poles, drawn, title, description) if drawn else ""
    return {"svg": svg, "shown": len(drawn), "total": len(links), "located": len(located)}


@require_safe
@cache_public_page("region", "page", list=LISTS)
def network_page(request: HttpRequest) -> HttpResponse:
    net = network()
    regions = list(Region.objects.select_related("outline").order_by(french("name"), "pk"))
    names = {r.pk: r.name for r in regions}
    notices = []
    region = None
    if slug := request.GET.get("region", ""):
        region = next((r for r in regions if r.slug == slug), None)
        if region is None:
            notices.append(_("Cette région n'existe pas : voici le réseau de tout le pays."))
            dont_store_this_page(request)
    shown = request.GET.get("list", "poles")
    if shown not in LISTS:
        shown = "poles"
    if region is None:
        linked, among, links = net.linked_positions, None, None
        poles_count, organisations_count = len(net.poles), net.organisations_count
        # The linked are counted among the poles whose members are known: the others may be too.
        with_members = len(net.with_members())
    else:
        view = net.in_region(region.pk)
        linked, links = view.linked, view.links
        among, poles_count = set(view.positions), len(view.positions)
        organisations_count = len(view.organisations)
        with_members = len(net.with_members() & among)
    context = {
        "region": region,
        "regions": regions,
        "notices": notices,
        "shown": shown,
        "neighbours_shown": NEIGHBOURS_SHOWN,
        "figures": {"poles": poles_count, "linked": len(linked),
                    "with_members": with_members,
                    "organisations": organisations_count,
                    "links": None if links is None else len(links)},
        "drawing": _drawing(net, regions, region, links),
    }
    if shown == "poles":
        pagination = paginate(request, linked, POLES_PER_PAGE)
        context["entries"] = _pole_entries(net, list(pagination.page_obj), among, names)
    else:
        order = net.organisation_order()
        if region is None:
            poles_of = net.positions_of  # only the page's organisations
        else:
            order = [pk for pk in order if pk in view.organisations]
            poles_of = view.organisations.__getitem__
        pagination = paginate(request, order, ORGANISATIONS_PER_PAGE)
        context["entries"] = _organisation_entries(
            net, list(pagination.page_obj), poles_of, names
        )
    context.update(pagination.context())
    return render(request, "poles/network.html", context)
