"""The network's drawings, as SVG written on the server (no script, no style attribute: the
site's Content-Security-Policy allows neither inline; presentation attributes only, as the
statistics' charts, ``stats/charts.py``).

Positions are projected as the site's maps project them (Web Mercator, Leaflet's default),
fitted to the drawing. The whole country has too many poles to draw readably (10,000 dots and
hundreds of thousands of links on a phone): its drawing shows the regions, at the points where
the map writes their figures, each sized by its linked poles, and the links between regions
weighted by the organisations that make them; the five overseas regions sit in a row under
metropolitan France, as on printed maps. A region's drawing shows its poles at their
coordinates and its strongest links. The lists under each drawing say the same in text.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

WIDTH = 640
NATIONAL_HEIGHT = 640
INK, NODE, LINK, PAPER = "#1e1e1e", "#000091", "#6a6af4", "#f6f6f6"
OVERSEAS_BAND = 90  # the row of the overseas regions, at the bottom
NAMED_POLES = 30  # a region's drawing names its poles up to this many
LABELS_ABOVE = {"24"}  # Centre-Val de Loire's name would run into Pays de la Loire's


def mercator(latitude: float, longitude: float) -> tuple[float, float]:
    """Web Mercator, y downwards (as on screen), in radians."""
    latitude = max(min(latitude, 85.0), -85.0)
    return math.radians(longitude), -math.log(math.tan(math.pi / 4 + math.radians(latitude) / 2))


class Frame:
    """Fits projected points into a box (x, y, width, height), keeping their proportions."""

    def __init__(self, points: Iterable[tuple[float, float]], box: tuple[float, ...]):
        points = list(points) or [(0.0, 0.0)]
        xs, ys = [p[0] for p in points], [p[1] for p in points]
        self.left, self.top = min(xs), min(ys)
        used_x, used_y = max(xs) - self.left, max(ys) - self.top
        x, y, width, height = box
        # At least about 30 km across: one pole, or poles of one town, sit in the middle.
        self.scale = min(width / max(used_x, 0.005), height / max(used_y, 0.005))
        self.x = x + (width - used_x * self.scale) / 2
        self.y = y + (height - used_y * self.scale) / 2

    def __call__(self, point: tuple[float, float]) -> tuple[float, float]:
        return (round(self.x + (point[0] - self.left) * self.scale, 1),
                round(self.y + (point[1] - self.top) * self.scale, 1))


def _open(prefix: str, height: float, title: str, description: str) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="network-drawing" role="img" '
        f'viewBox="0 0 {WIDTH} {round(height)}" aria-labelledby="{prefix}-title {prefix}-desc" '
        f'font-family="system-ui, sans-serif" font-size="13">',
        f'<title id="{prefix}-title">{escape(title)}</title>',
        f'<desc id="{prefix}-desc">{escape(description)}</desc>',
        f'<rect width="{WIDTH}" height="{round(height)}" fill="{PAPER}"/>',
    ]


def _width(weight: int, largest: int, thinnest: float, thickest: float) -> float:
    if largest <= 1:
        return thinnest
    return round(thinnest + (thickest - thinnest) * (weight - 1) / (largest - 1), 2)


def national(regions: list, linked_poles: dict, links: dict, description: str) -> SafeString:
    """``regions``: Region objects (with ``outline``); ``linked_poles[region id]``: its linked
    poles; ``links[(region id, region id)]``: organisations linking them."""
    metropolitan = [r for r in regions if r.code >= "10" and _label_point(r)]
    overseas = [r for r in regions if r.code < "10"]
    frame = Frame((mercator(*_label_point(r)) for r in metropolitan),
                  (70, 40, WIDTH - 140, NATIONAL_HEIGHT - OVERSEAS_BAND - 90))
    where = {r.pk: frame(mercator(*_label_point(r))) for r in metropolitan}
    step = WIDTH / (len(overseas) + 1)
    for index, region in enumerate(overseas, start=1):
        where[region.pk] = (round(step * index, 1), NATIONAL_HEIGHT - OVERSEAS_BAND / 2 - 10)
    names = {r.pk: r.name for r in regions}
    parts = _open("network-country", NATIONAL_HEIGHT, _("Réseau des pôles par région"),
                  description)
    parts.append(
        f'<line x1="20" y1="{NATIONAL_HEIGHT - OVERSEAS_BAND}" x2="{WIDTH - 20}" '
        f'y2="{NATIONAL_HEIGHT - OVERSEAS_BAND}" stroke="#929292" stroke-dasharray="4 4"/>'
    )
    between = [(a, b, w) for (a, b), w in links.items() if a != b and a in where and b in where]
    largest = max((w for *_ends, w in between), default=1)
    for a, b, weight in sorted(between, key=lambda link: link[2]):
        (x1, y1), (x2, y2) = where[a], where[b]
        label = ngettext(
            "%(a)s — %(b)s : %(count)s organisation les relie",
            "%(a)s — %(b)s : %(count)s organisations les relient", weight,
        ) % {"a": names[a], "b": names[b], "count": weight}
        parts.append(
            f'<line x1="{x1}" y1="{y1}" x2="{x2}" y2="{y2}" stroke="{LINK}" '
            f'stroke-opacity=".7" stroke-width="{_width(weight, largest, 1, 12)}">'
            f"<title>{escape(label)}</title></line>"
        )
    most = max(linked_poles.values(), default=0) or 1
    for region in regions:
        if region.pk not in where:
            continue
        x, y = where[region.pk]
        count = linked_poles.get(region.pk, 0)
        radius = round(5 + 17 * math.sqrt(count / most), 1)
        below = region.code not in LABELS_ABOVE
        label = ngettext("%(region)s : %(count)s pôle lié", "%(region)s : %(count)s pôles liés",
                         count) % {"region": region.name, "count": count}
        parts.append(
            f'<g><title>{escape(label)}</title>'
            f'<circle cx="{x}" cy="{y}" r="{radius}" fill="{NODE}" stroke="#fff" '
            f'stroke-width="1.5"/>'
            f'<text x="{x}" y="{round(y + radius + 14 if below else y - radius - 6, 1)}" '
            f'text-anchor="middle" fill="{INK}" '
            f'stroke="{PAPER}" stroke-width="3" paint-order="stroke">'
            f"{escape(_short(region.name))} ({count})</text></g>"
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped


def regional(prefix: str, poles: list, links: list[tuple[int, int, int]], title: str,
             description: str) -> SafeString:
    """``poles[position]``: NetworkPole; ``links``: (position, position, weight), the ones
    to draw (both ends with coordinates)."""
    ends = sorted({p for a, b, _w in links for p in (a, b)})
    projected = {p: mercator(poles[p].latitude, poles[p].longitude) for p in ends}
    height = 560
    frame = Frame(projected.values(), (30, 30, WIDTH - 60, height - 60))
    where = {p: frame(point) for p, point in projected.items()}
    parts = _open(prefix, height, title, description)
    largest = max((w for *_ends, w in links), default=1)
    for a, b, weight in reversed(links):  # the strongest drawn last, on top
        (x1, y1), (x2, y2) = where[a], where[b]
        label = ngettext(
            "%(a)s — %(b)s : %(count)s organisation en commun",
            "%(a)s — %(b)s : %(count)s organisations en commun", weight,
        ) % {"a": poles[a].name, "b": poles[b].name, "count": weight}
        parts.append(
            f'<line x1="{x1}" y1="{y1}" x2="{x2}" y2="{y2}" stroke="{LINK}" '
            f'stroke-opacity=".75" stroke-width="{_width(weight, largest, 1, 6)}">'
            f"<title>{escape(label)}</title></line>"
        )
    named = len(ends) <= NAMED_POLES
    for position in ends:
        x, y = where[position]
        parts.append(
            f'<circle cx="{x}" cy="{y}" r="4" fill="{NODE}" stroke="#fff" stroke-width="1">'
            f"<title>{escape(poles[position].name)}</title></circle>"
        )
        if named:  # few poles: their names beside them (the right ones to their left)
            left = x > WIDTH * 0.65
            parts.append(
                f'<text x="{x - 7 if left else x + 7}" y="{y + 4}" fill="{INK}" '
                f'text-anchor="{"end" if left else "start"}" stroke="{PAPER}" '
                f'stroke-width="3" paint-order="stroke" aria-hidden="true">'
                f"{escape(_short(poles[position].name, 28))}</text>"
            )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped


def _label_point(region) -> tuple[float, float] | None:
    """(latitude, longitude) where the map writes the region's figure."""
    outline = getattr(region, "outline", None)
    point = outline.label_point if outline else None
    return (point[1], point[0]) if point else None


def _short(text: str, limit: int = 22) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
