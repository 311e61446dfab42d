"""``/statistiques/`` and its CSV files (``/statistiques/<figure>.csv``)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from ptce_site.cache import cache_public_page
from ptce_site.exports import csv_response, dated_filename

from ..indicators.schemas import INDICATOR_FILES
from ..indicators.stats import indicator_statistics
from .charts import bar_chart
from .figures import FIGURES, all_figures


@require_safe
@cache_public_page()
def statistics_page(request: HttpRequest) -> HttpResponse:
    figures = [
        {
            "figure": figure,
            "chart": bar_chart(
                f"chart-{figure.key}", figure.title, figure.description, figure.series,
                figure.rows,
            ),
        }
        for figure in all_figures()
    ]
    context = {"figures": figures, "indicators": indicator_statistics()}
    return render(request, "poles/statistics.html", context)


@require_safe
@cache_public_page()
def statistics_csv(request: HttpRequest, figure: str) -> HttpResponse:
    """One figure's table as CSV (cells neutralised like every CSV of the site)."""
    if figure in INDICATOR_FILES:
        return INDICATOR_FILES[figure].response()
    if figure not in FIGURES:
        raise Http404
    table = FIGURES[figure]()
    return csv_response(
        dated_filename(table.key),
        [table.category, *table.series],
        [[label, *values] for label, values in table.rows],
    )
