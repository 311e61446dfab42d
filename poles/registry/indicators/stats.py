"""The yearly indicators on ``/statistiques/``: the checked figures of the published poles,
by year, for the whole country and by current region, in one query.

For each indicator, a year's figure counts the poles that gave it (an empty figure is not a
zero), their sum where a sum means something (jobs, people, budgets, volunteers: the poles'
figures add up) and their median (the middle pole, which one large pole does not pull). A
share of public funding does not add up: only its median is given.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from ptce_site.collation import french_key

from ..stats.charts import bar_chart
from .display import FIGURES, as_number, points_text, shown
from .models import YearlyIndicators

NOT_ADDITIVE = {"public_funding_share"}


@dataclass
class Aggregate:
    values: list = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.values)

    @property
    def total(self):
        return sum(self.values) if self.values else None

    @property
    def median(self):
        return statistics.median(self.values) if self.values else None


def _collect():
    """{(year, region or None): {"poles": set, name: Aggregate}}, national rows under None."""
    table = defaultdict(lambda: {"poles": set(), **{n: Aggregate() for n, _l, _u in FIGURES}})
    names = [name for name, _label, _unit in FIGURES]
    rows = YearlyIndicators.objects.public().order_by().values_list(
        "year", "pole_id", "pole__region__name", *names
    )
    for year, pole_id, region, *values in rows.iterator(chunk_size=5000):
        region = region or _("Région non renseignée")
        for key in ((year, None), (year, region)):
            table[key]["poles"].add(pole_id)
            for name, value in zip(names, values, strict=True):
                if value is not None:
                    table[key][name].values.append(value)
    return table


def _ordered_keys(table) -> list:
    """Years newest first; in each, the whole country, then the regions by name."""
    return sorted(
        table, key=lambda key: (-key[0], key[1] is not None, french_key(key[1] or ""))
    )


def indicator_statistics() -> dict:
    table = _collect()
    keys = _ordered_keys(table)
    whole = _("France entière")
    reporting = [
        {"year": year, "region": region or whole, "national": region is None,
         "poles": len(table[(year, region)]["poles"])}
        for year, region in keys
    ]
    sections = []
    for name, label, _unit in FIGURES:
        additive = name not in NOT_ADDITIVE
        rows = []
        for year, region in keys:
            aggregate = table[(year, region)][name]
            if not aggregate.count:
                continue
            rows.append({
                "year": year, "region": region or whole, "national": region is None,
                "count": aggregate.count,
                "total": shown(name, aggregate.total) if additive else "",
                "median": shown(name, aggregate.median),
            })
        national = sorted(
            (year, table[(year, None)][name]) for year, region in keys if region is None
        )
        points = [(str(year), [agg.total if additive else agg.median])
                  for year, agg in national if agg.count]
        kind = _("somme") if additive else _("médiane")
        title = _("%(indicator)s : %(kind)s des pôles, par année") % {
            "indicator": label, "kind": kind,
        }
        chart = bar_chart(
            f"indicator-{name}", title,
            _("%(title)s, France entière, chiffres vérifiés : %(values)s.") % {
                "title": title,
                "values": points_text(name, points),
            },
            [str(label)], points, value_label=lambda value, name=name: shown(name, value),
            label_width=60,
        ) if points else None
        sections.append({
            "name": name, "label": label, "additive": additive, "rows": rows,
            "chart": chart, "title": title,
        })
    return {"reporting": reporting, "sections": sections}


def aggregate_csv_rows():
    """One row per year and region (the whole country first): the poles that reported, then
    for each indicator the number of poles that gave it, their sum and median."""
    table = _collect()
    whole = _("France entière")
    for year, region in _ordered_keys(table):
        cells = [year, region or whole, len(table[(year, region)]["poles"])]
        for name, _label, _unit in FIGURES:
            aggregate = table[(year, region)][name]
            cells.append(aggregate.count)
            if name not in NOT_ADDITIVE:
                cells.append(as_number(aggregate.total))
            cells.append(as_number(aggregate.median))
        yield cells


def aggregate_csv_header() -> list[str]:
    header = [_("année"), _("région"), _("pôles ayant déclaré")]
    for name, label, _unit in FIGURES:
        header.append(_("%(indicator)s : pôles") % {"indicator": label})
        if name not in NOT_ADDITIVE:
            header.append(_("%(indicator)s : somme") % {"indicator": label})
        header.append(_("%(indicator)s : médiane") % {"indicator": label})
    return header
