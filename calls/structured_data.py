"""A call's milestones as schema.org ``Event`` s (JSON-LD, ``ptce_site/structured_data.py``)."""

from __future__ import annotations

from ptce_site.links import absolute_url

from .models import Call


def call_events(call: Call) -> dict:
    """One ``Event`` per milestone of ``call`` (read from its ``timeline`` and
    ``organiser_list``, as ``call_detail`` prefetches them). No place: the sources give none."""
    url = absolute_url(call.get_absolute_url())
    organisers = [
        {"@type": "Organization", "name": organisation.name, "url": organisation.website}
        for organisation in call.organiser_list
    ]
    events = [
        {
            "@type": "Event",
            "name": milestone.label,
            "startDate": milestone.date.isoformat(),
            "endDate": milestone.end_date.isoformat() if milestone.end_date else None,
            "description": call.title,
            "url": url,
            "organizer": organisers,
        }
        for milestone in call.timeline
    ]
    return {"@graph": events}
