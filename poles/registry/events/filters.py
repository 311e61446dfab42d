"""The chronology's filters (``/chronologie/``): the kind of event and the year."""

from __future__ import annotations

import django_filters
from django.db.models.functions import ExtractYear
from django.utils.translation import gettext_lazy as _

from calls.models import Milestone
from ptce_site.filters import ExplainedFilterSet

from .models import Event


def years() -> list[tuple[str, str]]:
    """The years that hold an event or a milestone, newest first."""
    event_years = Event.objects.filter(start_date__isnull=False).annotate(
        y=ExtractYear("start_date")
    )
    milestone_years = Milestone.objects.annotate(y=ExtractYear("date"))
    found = set(event_years.values_list("y", flat=True).distinct())
    found |= set(milestone_years.values_list("y", flat=True).distinct())
    return [(str(year), str(year)) for year in sorted(found, reverse=True)]


class ChronologyFilterSet(ExplainedFilterSet):
    """Kind and year of the events; ``milestones()`` applies the same to the calls'
    milestones, which are all of the kind « Étape d'un appel ». A value not understood (an
    unknown kind, a year without events) is ignored and said so."""

    kind = django_filters.ChoiceFilter(
        label=_("Type d'événement"),
        choices=Event.Kind.choices,
        empty_label=_("Tous les types"),
    )
    year = django_filters.ChoiceFilter(
        label=_("Année"),
        field_name="start_date__year",
        choices=years,
        empty_label=_("Toutes les années"),
    )

    class Meta:
        model = Event
        fields = ["kind", "year"]

    def milestones(self, queryset):
        """The milestones the same filters keep."""
        kind, year = self.cleaned("kind"), self.cleaned("year")
        if kind and kind != Event.Kind.CALL_MILESTONE:
            return queryset.none()
        return queryset.filter(date__year=int(year)) if year else queryset
