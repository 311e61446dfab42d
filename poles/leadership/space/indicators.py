"""« Indicateurs annuels » in the leaders' space: the years of their pole and one form per year.

Only the leaders' own poles (another pole is a 404, as everywhere in the space). A year is a
finished year from 2009 (``indicators.models.is_reportable``); another year in the address is
a 404. Each save is guarded by the row's version (``poles.leadership.locking``): a save made
on a page opened before someone else's is refused with what is saved now, and the input kept.
Submitting sends the year for review and e-mails staff. A year staff have checked is shown
read-only: the leaders ask staff to correct it (so the public figures stay checked ones).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import IntegrityError, transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_safe

from ...registry.indicators.display import figures_of
from ...registry.indicators.members import labelled, member_counts, members_of, total
from ...registry.indicators.models import (
    FIRST_YEAR,
    YearlyIndicators,
    is_reportable,
    last_reportable_year,
)
from .. import locking
from ..indicator_mail import notify_submitted
from .indicator_forms import YearlyIndicatorsForm, figures_now
from .views import get_pole_for_leader

HISTORY_LENGTH = 10
STALE_MESSAGE = gettext_lazy(
    "Quelqu'un d'autre a enregistré les indicateurs de cette année pendant que vous les "
    "modifiiez. Vos saisies sont conservées ci-dessous ; comparez-les aux valeurs "
    "enregistrées entre-temps, puis enregistrez à nouveau pour les remplacer."
)
CHECKED_MESSAGE = gettext_lazy(
    "L'équipe du registre a vérifié les indicateurs de cette année : ils ne se modifient "
    "plus ici. Pour les corriger, écrivez-lui depuis la page de contact."
)


def _years(pole) -> range:
    """The years the pole may report, newest first: from its founding year (not before 2009)
    to the last finished year."""
    first = max(FIRST_YEAR, pole.founded_year or FIRST_YEAR)
    return range(last_reportable_year(), first - 1, -1)


@require_safe
@login_required
def pole_indicators(request: HttpRequest, slug: str) -> HttpResponse:
    pole = get_pole_for_leader(request, slug)
    rows = {row.year: row for row in YearlyIndicators.objects.filter(pole=pole)}
    years = sorted(set(_years(pole)) | set(rows), reverse=True)
    counts = member_counts((pole.pk, year) for year in years)
    context = {
        "pole": pole,
        "section": "indicators",
        "years": [
            {
                "year": year,
                "row": rows.get(year),
                "members": total(counts[(pole.pk, year)]),
            }
            for year in years
        ],
    }
    return render(request, "space/indicators.html", context)


def _history(row: YearlyIndicators | None) -> list:
    if row is None or row.pk is None:
        return []
    return list(row.history.select_related("history_user")[:HISTORY_LENGTH])


def _render(request, context, status=200) -> HttpResponse:
    row = context["row"]
    context.update(
        checked_values=figures_of(row) if row is not None else [],
        history=_history(row),
        members=labelled(members_of(context["pole"].pk, context["year"])),
        section="indicators",
    )
    return render(request, "space/indicator_form.html", context, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def pole_indicator(request: HttpRequest, slug: str, year: int) -> HttpResponse:
    pole = get_pole_for_leader(request, slug)
    if not is_reportable(year):
        raise Http404(_("Aucune année de ce pôle ne correspond."))
    row = YearlyIndicators.objects.filter(pole=pole, year=year).first()
    # The years its list offers: those since its founding, and those it already reported.
    if row is None and year not in _years(pole):
        raise Http404(_("Aucune année de ce pôle ne correspond."))
    context = {"pole": pole, "year": year, "row": row}
    if row is None:
        row = YearlyIndicators(pole=pole, year=year)
    if row.is_checked:
        if request.method == "POST":
            messages.error(request, CHECKED_MESSAGE)
            return _render(request, context, status=409)
        return _render(request, context)
    if request.method != "POST":
        return _render(request, {**context, "form": YearlyIndicatorsForm(instance=row)})

    form = YearlyIndicatorsForm(request.POST, instance=row)
    if not form.is_valid():
        return _render(request, {**context, "form": form}, status=400)
    saved, current = _save_if_current(request, pole.slug, year, form)
    if saved:
        if current.status == YearlyIndicators.Status.SUBMITTED:
            text = _("Les indicateurs %(year)s sont transmis à l'équipe du registre, qui va "
                     "les vérifier avant de les publier.")
        else:
            text = _("Le brouillon des indicateurs %(year)s est enregistré ; il n'est pas "
                     "encore transmis.")
        messages.success(request, text % {"year": year})
        return redirect("space:pole-indicators", slug=pole.slug)
    if current is not None and current.is_checked:
        messages.error(request, CHECKED_MESSAGE)
        return _render(request, {**context, "row": current}, status=409)
    messages.error(request, STALE_MESSAGE)
    version = current.version if current else 0
    data = locking.reopened(request.POST, "version", version)
    form = YearlyIndicatorsForm(data, instance=current or YearlyIndicators(pole=pole, year=year))
    form.is_valid()
    context.update(row=current, form=form, conflict=figures_now(current))
    return _render(request, context, status=409)


def _save_if_current(request, slug: str, year: int, form: YearlyIndicatorsForm):
    """Save the form's figures if nobody saved the year since the form's version (the pole's
    row locked meanwhile, so that two first saves of a year do not cross). Returns whether
    it saved, and the year's row as it is now (None if there is none)."""
    opened = form.cleaned_data["version"]
    try:
        with transaction.atomic():
            pole = get_pole_for_leader(request, slug, for_update=True)
            rows = YearlyIndicators.objects.filter(pole=pole, year=year)
            current = locking.locked(rows).first()
            if locking.is_stale(opened, current.version if current else 0) or (
                current is not None and current.is_checked
            ):
                return False, current
            row = form.save(commit=False)
            if form.submits:
                row.submit(request.user)
            else:
                row.status = YearlyIndicators.Status.DRAFT
            row.save()
            if form.submits:
                notify_submitted(row, request.user)
            return True, row
    except IntegrityError:  # a first save of the year by someone else at the same moment
        return False, YearlyIndicators.objects.filter(pole__slug=slug, year=year).first()
