"""Public pages of the calls for projects and candidates: the list and one call."""

from __future__ import annotations

from django.db.models import F, Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from members.models import Organisation
from poles.territories.models import Region
from ptce_site.cache import cache_public_page
from ptce_site.collation import french, french_key
from ptce_site.structured_data import json_ld

from .models import Application, Call, Milestone
from .structured_data import call_events


@require_safe
@cache_public_page()
def call_list(request: HttpRequest) -> HttpResponse:
    calls = Call.objects.with_laureate_count().order_by(
        "-year", F("results_on").desc(nulls_last=True), french("title"), "pk"
    )
    return render(request, "calls/call_list.html", {"calls": calls})


def funnel(call: Call) -> list[dict]:
    """The known figures of a call, received -> eligible -> selected, for the funnel chart.

    ``width`` is the bar's length in percent of the largest figure, by steps of 5 (the site's
    Content-Security-Policy forbids inline styles: the CSS has one class per step).
    """
    steps = [
        ("received", call.applications_received),
        ("eligible", call.applications_eligible),
        ("selected", call.applications_selected),
    ]
    known = [(key, number) for key, number in steps if number is not None]
    largest = max((number for _key, number in known), default=0)
    result = []
    for key, number in known:
        width = round(number / largest * 20) * 5 if largest else 0
        result.append(
            {
                "key": key,
                "number": number,
                "width": max(width, 5) if number else 0,
                "lower_bound": key == "received" and call.received_is_lower_bound,
                "answers": key == "received" and call.received_unit == call.ReceivedUnit.ANSWERS,
            }
        )
    return result


def laureates_by_region(applications: list[Application]) -> list[dict]:
    """Laureates grouped by their region as it was named at the time of the call.

    Each group carries today's region: the former region's successor, or else the pole's
    region. Calls after 2016 name today's regions, so both are then the same.
    """
    groups: dict[tuple, dict] = {}
    for application in applications:
        former = application.former_region
        today: Region | None = former.region if former else application.pole.region
        name_then = application.region_name_then or (former.name if former else "")
        if not name_then and today:
            name_then = today.name
        key = (name_then, today.pk if today else None)
        group = groups.setdefault(
            key, {"name_then": name_then, "region": today, "applications": []}
        )
        group["applications"].append(application)
    for group in groups.values():
        group["applications"].sort(key=lambda a: french_key(a.pole.name))
    # Groups without a known region go last.
    return sorted(
        groups.values(),
        key=lambda g: (
            not g["name_then"],
            french_key(g["name_then"]),
            french_key(str(g["region"] or "")),
        ),
    )


@require_safe
@cache_public_page()
def call_detail(request: HttpRequest, slug: str) -> HttpResponse:
    call = get_object_or_404(
        Call.objects.with_laureate_count().prefetch_related(
            Prefetch(
                "organisers",
                queryset=Organisation.objects.order_by(french("name")),
                to_attr="organiser_list",
            ),
            Prefetch(
                "milestones",
                queryset=Milestone.objects.order_by("date", "end_date", "pk"),
                to_attr="timeline",
            ),
            Prefetch("sources", to_attr="source_list"),  # in their model's order
        ),
        slug=slug,
    )
    # Laureates and the poles the call cites as examples, in one query.
    shown = list(
        Application.objects.filter(
            call=call,
            pole__is_published=True,
            outcome__in=[Application.Outcome.LAUREATE, Application.Outcome.CITED_AS_EXAMPLE],
        ).select_related("pole", "pole__region", "former_region", "former_region__region")
    )
    laureates = [application for application in shown if application.is_laureate]
    examples = sorted(
        (application for application in shown if not application.is_laureate),
        key=lambda application: french_key(application.pole.name),
    )
    rate = call.selection_rate
    context = {
        "call": call,
        "funnel": funnel(call),
        "selection_percent": rate * 100 if rate is not None else None,
        "laureate_groups": laureates_by_region(laureates),
        "examples": examples,
        "published_laureate_count": len(laureates),
        "unpublished_laureate_count": max(call.laureate_count - len(laureates), 0),
        "json_ld": json_ld(call_events(call)),
    }
    return render(request, "calls/call_detail.html", context)
