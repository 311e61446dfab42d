"""Horizontal bar charts as accessible SVG, drawn on the server.

Written here rather than with a chart library: the maintained Python ones either write SVG
with inline ``<style>`` and ``<script>`` (pygal), which the site's Content-Security-Policy
refuses, or bring a plotting stack (matplotlib) to draw a few rectangles whose SVG carries no
title, description nor text a screen reader could use. These charts need neither: presentation
attributes only, ``role="img"`` with ``<title>`` and ``<desc>``, every bar labelled with its
value, each series with its own pattern (hatching, dots) as well as its colour, so that they
read in black and white and when printed. The table under each chart holds the same figures.
"""

from __future__ import annotations

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from ptce_site.typography import with_label

WIDTH = 640
LABEL_WIDTH = 220
BAR_HEIGHT = 14
GAP = 10
TOP = 8
# Per series: a colour and a pattern drawn over it (the second and third read without colour).
STYLES = (
    ("#000091", None),
    ("#6a6af4", "hatch"),
    ("#c9191e", "dots"),
    ("#18753c", "cross"),
)


def _patterns(prefix: str, count: int) -> str:
    defs = []
    for index, (colour, pattern) in enumerate(STYLES[:count]):
        if pattern is None:
            continue
        marks = {
            "hatch": '<path d="M0,6 L6,0" stroke="#fff" stroke-width="1.5"/>',
            "dots": '<circle cx="3" cy="3" r="1.3" fill="#fff"/>',
            "cross": '<path d="M0,0 L6,6 M6,0 L0,6" stroke="#fff" stroke-width="1"/>',
        }[pattern]
        defs.append(
            f'<pattern id="{prefix}-p{index}" width="6" height="6" '
            f'patternUnits="userSpaceOnUse"><rect width="6" height="6" fill="{colour}"/>'
            f"{marks}</pattern>"
        )
    return f"<defs>{''.join(defs)}</defs>" if defs else ""


def _fill(prefix: str, index: int) -> str:
    colour, pattern = STYLES[index % len(STYLES)]
    return f"url(#{prefix}-p{index})" if pattern else colour


def _short(label: str, limit: int = 30) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def bar_chart(
    prefix: str, title: str, description: str, series: list[str],
    rows: list[tuple[str, list[int]]], value_label=str, label_width: int = LABEL_WIDTH,
    width: int = WIDTH,
) -> SafeString:
    """Grouped horizontal bars: one group per row, one bar per series, a legend when there
    are several series. ``prefix`` makes the ids of the patterns unique in the page;
    ``value_label`` writes each value beside its bar (« 1 200 000 € »); ``label_width``
    is the room of the rows' labels (less for years), ``width`` the drawing's."""
    count = len(series)
    top = TOP + (22 if count > 1 else 0)
    group = count * BAR_HEIGHT + GAP
    height = top + max(len(rows), 1) * group + 4
    largest = float(max([max(values, default=0) for _label, values in rows] or [0])) or 1
    # Room after the longest bar for its value's label (about 7 units a character).
    widest = max([len(value_label(v)) for _label, values in rows for v in values] or [0])
    scale = (width - label_width - max(50, 7 * widest + 8)) / largest
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'viewBox="0 0 {width} {height}" aria-labelledby="{prefix}-title {prefix}-desc" '
        f'font-family="system-ui, sans-serif" font-size="12">',
        f'<title id="{prefix}-title">{escape(title)}</title>',
        f'<desc id="{prefix}-desc">{escape(description)}</desc>',
        _patterns(prefix, count),
    ]
    if count > 1:
        x = label_width
        for index, name in enumerate(series):
            parts.append(
                f'<rect x="{x}" y="{TOP}" width="12" height="12" fill="{_fill(prefix, index)}" '
                f'stroke="#1e1e1e" stroke-width=".5"/>'
                f'<text x="{x + 16}" y="{TOP + 10}" fill="#1e1e1e">{escape(name)}</text>'
            )
            x += 22 + 7 * len(name)
    for position, (label, values) in enumerate(rows):
        y = top + position * group
        middle = y + count * BAR_HEIGHT / 2 + 4
        parts.append(
            f'<g><title>{escape(with_label(label, " · ".join(map(value_label, values))))}</title>'
            f'<text x="{label_width - 8}" y="{middle}" text-anchor="end" fill="#1e1e1e">'
            f"{escape(_short(label))}</text>"
        )
        for index, value in enumerate(values):
            bar_y = y + index * BAR_HEIGHT
            bar_width = round(float(value) * scale, 1)
            parts.append(
                f'<rect x="{label_width}" y="{bar_y}" width="{bar_width}" '
                f'height="{BAR_HEIGHT - 2}" fill="{_fill(prefix, index)}" stroke="#1e1e1e" '
                f'stroke-width=".5"/><text x="{label_width + bar_width + 4}" y="{bar_y + 10}" '
                f'fill="#1e1e1e">{escape(value_label(value))}</text>'
            )
        parts.append("</g>")
    parts.append(
        f'<line x1="{label_width}" y1="{top - 4}" x2="{label_width}" y2="{height - 4}" '
        f'stroke="#555"/></svg>'
    )
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped
