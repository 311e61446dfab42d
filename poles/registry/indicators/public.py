"""The checked indicators of a published pole as its page shows them: a table of years ×
indicators (with the source of each year and the member organisations as of 31 December),
and one small chart per indicator that has values, drawn like the statistics' charts
(``stats/charts.py``: server-side SVG, its figures repeated in the table). Two queries."""

from __future__ import annotations

from django.utils.translation import gettext as _

from ..stats.charts import bar_chart
from .display import FIGURES, points_text, shown
from .members import labelled, member_counts, total
from .models import YearlyIndicators


def pole_trends(pole) -> dict | None:
    """What the pole's page shows of its indicators; None when no year is checked."""
    rows = list(YearlyIndicators.objects.checked().filter(pole=pole).order_by("year"))
    if not rows:
        return None
    counts = member_counts((pole.pk, row.year) for row in rows)
    known = [(name, label) for name, label, _unit in FIGURES
             if any(getattr(row, name) is not None for row in rows)]
    table = [
        {
            "year": row.year,
            "values": [shown(name, getattr(row, name)) for name, _label in known],
            "members": labelled(counts[(pole.pk, row.year)]),
            "member_total": total(counts[(pole.pk, row.year)]),
            "source": row.get_source_display(),
        }
        for row in rows
    ]
    charts = []
    for name, label in known:
        points = [(str(row.year), [getattr(row, name)]) for row in rows
                  if getattr(row, name) is not None]
        description = _("%(indicator)s de %(pole)s par année (chiffres vérifiés) : %(values)s.") % {
            "indicator": label,
            "pole": pole.name,
            "values": points_text(name, points),
        }
        charts.append({
            "label": label,
            "svg": bar_chart(
                f"trend-{name}", str(label), description, [str(label)], points,
                value_label=lambda value, name=name: shown(name, value),
                label_width=48, width=360,
            ),
        })
    return {"columns": [label for _name, label in known], "table": table, "charts": charts}
