"""The chronology (``/chronologie/``): the events and the calls' milestones in date order, and
one event's page."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from calls.models import Call, Milestone
from members.models import Organisation
from ptce_site.cache import cache_public_page
from ptce_site.collation import french

from ..models import Pole
from .filters import ChronologyFilterSet
from .models import Event, machine_date, shown_date


@dataclass
class Entry:
    """One line of the timeline: an event, or a milestone of a call."""

    date: datetime.date | None
    precision: str
    end_date: datetime.date | None
    title: str
    url: str
    kind_label: str
    sources: list = field(default_factory=list)
    place: str = ""
    call: Call | None = None
    to_be_confirmed: bool = False
    charters: list = field(default_factory=list)  # signed at this event (``/charte/``)

    @property
    def date_label(self) -> str:
        return shown_date(self.date, self.precision)

    @property
    def end_label(self) -> str:
        return shown_date(self.end_date, self.precision)

    @property
    def datetime_attribute(self) -> str:
        return machine_date(self.date, self.precision)

    @property
    def end_datetime_attribute(self) -> str:
        return machine_date(self.end_date, self.precision)

    @property
    def sort_key(self) -> tuple:
        # Unknown dates last; on one day, a date known to the day after one known to the
        # month or year only (which is stored as its first day).
        return (self.date is None, self.date or datetime.date.max, self.precision == "day")


def event_entry(event: Event) -> Entry:
    return Entry(
        date=event.start_date,
        precision=event.date_precision,
        end_date=event.end_date,
        title=event.title,
        url=event.get_absolute_url(),
        kind_label=event.get_kind_display(),
        sources=event.source_list,
        place=event.place,
        charters=list(event.charters.all()),
    )


def milestone_entry(milestone: Milestone) -> Entry:
    return Entry(
        date=milestone.date,
        precision=Event.Precision.DAY,
        end_date=milestone.end_date,
        title=milestone.label,
        url=milestone.call.get_absolute_url(),
        kind_label=str(Event.Kind.CALL_MILESTONE.label),
        sources=milestone.call.source_list,
        call=milestone.call,
        to_be_confirmed=milestone.date_to_be_confirmed,
    )


def timeline(events, milestones) -> list[Entry]:
    entries = [event_entry(e) for e in events] + [milestone_entry(m) for m in milestones]
    return sorted(entries, key=lambda entry: entry.sort_key)


@require_safe
@cache_public_page(ChronologyFilterSet)
def chronology(request: HttpRequest) -> HttpResponse:
    events = Event.objects.in_date_order().prefetch_related(
        Prefetch("sources", to_attr="source_list"), "charters"
    )
    filterset = ChronologyFilterSet(request.GET or None, queryset=events)
    calls = Call.objects.prefetch_related(
        Prefetch("sources", to_attr="source_list")
    )
    milestones = filterset.milestones(
        Milestone.objects.prefetch_related(Prefetch("call", queryset=calls)).order_by(
            "date", "pk"
        )
    )
    context = {
        "filter": filterset,
        "chips": filterset.active_filters(),
        "ignored": filterset.ignored_filters(),
        "entries": timeline(filterset.qs, milestones),
    }
    return render(request, "poles/chronology.html", context)


@require_safe
@cache_public_page()
def event_detail(request: HttpRequest, slug: str) -> HttpResponse:
    event = get_object_or_404(
        Event.objects.prefetch_related(
            Prefetch("sources", to_attr="source_list"),
            Prefetch(
                "organisers",
                queryset=Organisation.objects.order_by(french("name")),
                to_attr="organiser_list",
            ),
            Prefetch(
                "poles",
                queryset=Pole.objects.published().order_by(french("name")),
                to_attr="pole_list",
            ),
            "charters",
        ),
        slug=slug,
    )
    return render(request, "poles/event_detail.html", {"event": event})
