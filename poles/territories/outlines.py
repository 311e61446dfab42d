"""Region outlines as the maps draw them: coordinates rounded to what the maps show, and the
point where a map writes the region's figure, both computed once when the outlines are loaded
(``ptce_site/seed/geography.py``), never per request.

Pure Python on GeoJSON dictionaries: the site runs without shapely (only the geodata build
needs it).
"""

from __future__ import annotations

# Three decimals: a step of 0.001° is 111 m north-south and 70-80 m east-west in metropolitan
# France. The region maps open at zoom 5 and fit a region at zoom 8 at most (static/js/map.js),
# where a screen pixel covers 3.5 km to 400 m; and the outlines were simplified with a
# tolerance of 0.008° (600-900 m, SOURCES.md), which shows long before a rounding of 100 m
# does when one zooms further in. The fourth decimal of the reference files (10 m) drew nothing
# visible: it only cost bytes and parsing. Neighbours share their border vertices and round them
# alike, so borders stay shared. Two decimals (1.1 km) would show steps at zoom 8 and erase
# islands.
MAP_DECIMALS = 3
# Label points keep the precision they were always served with.
LABEL_DECIMALS = 4


def polygons(geometry: dict) -> list:
    """The polygons (lists of rings) of a GeoJSON Polygon or MultiPolygon."""
    return [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]


def signed_area(ring: list) -> float:
    """Twice the shoelace area of a closed ring: positive when it turns counter-clockwise."""
    return sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(ring, ring[1:], strict=False))


def label_point(geometry: dict | None) -> list[float] | None:
    """A point to write a region's figure on: centroid of its largest polygon's outer ring,
    as ``[longitude, latitude]``."""
    if not geometry:
        return None
    best, best_area = None, 0.0
    for polygon in polygons(geometry):
        ring = polygon[0]
        area = cx = cy = 0.0
        for (x0, y0), (x1, y1) in zip(ring, ring[1:], strict=False):
            cross = x0 * y1 - x1 * y0
            area += cross
            cx += (x0 + x1) * cross
            cy += (y0 + y1) * cross
        if abs(area) > best_area and area:
            best_area = abs(area)
            best = [round(cx / (3 * area), LABEL_DECIMALS), round(cy / (3 * area), LABEL_DECIMALS)]
    return best


def _rounded_ring(ring: list, decimals: int) -> list | None:
    """The ring on the coarser grid, without the repeated points rounding makes; None when
    it collapses (fewer than four points, or no area left: an islet of a few hundred metres)."""
    points: list[list[float]] = []
    for x, y in ring:
        point = [round(x, decimals), round(y, decimals)]
        if not points or points[-1] != point:
            points.append(point)
    if len(points) < 4 or points[0] != points[-1] or not signed_area(points):
        return None
    return points


def rounded(geometry: dict | None, decimals: int = MAP_DECIMALS) -> dict | None:
    """The geometry with its coordinates rounded for the maps (a MultiPolygon, or a Polygon
    when one is left). A polygon whose outer ring collapses goes with its holes; a collapsed
    hole goes alone. Should everything collapse, the geometry is kept as it was."""
    if not geometry:
        return geometry
    kept = []
    for polygon in polygons(geometry):
        outer, *holes = (_rounded_ring(ring, decimals) for ring in polygon)
        if outer is not None:
            kept.append([outer, *(hole for hole in holes if hole is not None)])
    if not kept:
        return geometry
    if len(kept) == 1:
        return {"type": "Polygon", "coordinates": kept[0]}
    return {"type": "MultiPolygon", "coordinates": kept}
