"""Geometry helpers of the build (shapely is imported where needed: the site never needs it)."""

from __future__ import annotations

import math


def distance_km(point, geometry) -> float:
    """Distance from a point to a geometry, in km, on a local equirectangular projection."""
    import shapely

    if geometry.covers(point):
        return 0.0
    nearest = shapely.shortest_line(point, geometry).coords[1]
    dx = (point.x - nearest[0]) * 111.32 * math.cos(math.radians(point.y))
    dy = (point.y - nearest[1]) * 110.57
    return math.hypot(dx, dy)


def area_km2(polygon) -> float:
    return polygon.area * 111.32 * 110.57 * math.cos(math.radians(polygon.centroid.y))


def polygons(geometry) -> list:
    """The polygons of a geometry (dropping the lines and points an overlay may leave)."""
    if geometry.geom_type == "Polygon":
        return [] if geometry.is_empty else [geometry]
    return [part for g in getattr(geometry, "geoms", []) for part in polygons(g)]


def polygonal(geometry):
    from shapely.geometry import MultiPolygon

    parts = polygons(geometry)
    return parts[0] if len(parts) == 1 else MultiPolygon(parts)


def oriented(geometry):
    """Exterior rings counter-clockwise, holes clockwise (RFC 7946)."""
    from shapely.geometry import MultiPolygon
    from shapely.geometry.polygon import orient

    parts = [orient(polygon, 1.0) for polygon in polygons(geometry)]
    return parts[0] if len(parts) == 1 else MultiPolygon(parts)


def rounded_coordinates(value):
    if value and isinstance(value[0], (int, float)):
        return [round(value[0], 4), round(value[1], 4)]
    return [rounded_coordinates(item) for item in value]


def feature(geometry, properties: dict) -> dict:
    from shapely.geometry import mapping

    shape = mapping(oriented(geometry))
    return {
        "type": "Feature",
        "properties": properties,
        "geometry": {
            "type": shape["type"],
            "coordinates": rounded_coordinates(shape["coordinates"]),
        },
    }
