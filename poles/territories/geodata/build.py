"""The build, in named steps: the official division, the commune polygons, one point per
commune, the departments and regions, the checks, then the files (see the package's docstring).

Each step takes what the previous ones made and fills the ``BuildReport``; the order of the
steps and of the shapely operations in each is what makes the output byte-identical.
"""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from .geometry import area_km2, distance_km, feature, polygonal, polygons
from .parameters import (
    COMMUNE_POINT_DECIMALS,
    GRID,
    REGION_TOLERANCE_DEG,
    SIMPLIFY_TOLERANCE,
    SLIVER_KM2,
    TOWN_HALL_TOLERANCE_KM,
)
from .report import BuildReport, write_sources
from .sources import (
    EMPTY,
    OFFICIAL,
    SHAPES,
    TOWN_HALLS,
    GeodataError,
    download,
    npm_json,
    wheel_rows,
)


@dataclass
class Reference:
    """``fixtures/regions.json``: the current regions' names and the former regions."""

    current_names: dict[str, str]
    former: dict[str, dict]

    @classmethod
    def read(cls, path: Path) -> Reference:
        reference = json.loads(path.read_text(encoding="utf-8"))
        return cls(
            current_names={r["code"]: r["name"] for r in reference["regions"]},
            former={r["code"]: r for r in reference["former_regions"]},
        )


def build(cache_dir: Path, output_dir: Path, regions_fixture: Path) -> BuildReport:
    shapely = require_shapely()
    report = BuildReport()
    paths = download(cache_dir)
    reference = Reference.read(regions_fixture)
    communes = official_communes(paths[OFFICIAL], reference)
    polygons_of = commune_polygons(paths[SHAPES], communes, report)
    points = commune_points(paths[TOWN_HALLS], communes, polygons_of, report)
    report.communes = len(communes)
    former_out, current_out = region_shapes(communes, polygons_of, reference, report)
    check_points_in_regions(communes, points, current_out, report)
    write_files(output_dir, reference, former_out, current_out, communes, points, report)
    write_sources(output_dir / "SOURCES.md", report, shapely)
    return report


def require_shapely():
    """shapely >= 2.1 on GEOS >= 3.12, checked before anything is downloaded."""
    try:
        import shapely
    except ImportError:
        raise GeodataError(
            "shapely is missing: pip install -e '.[geodata]' (development only)."
        ) from None
    if shapely.geos_version < (3, 12, 0) or not hasattr(shapely, "coverage_simplify"):
        raise GeodataError(
            "shapely >= 2.1 with GEOS >= 3.12 is needed: pip install -e '.[geodata]'."
        )
    return shapely


# -- the official division: departments, regions, communes ------------------------------------


def official_communes(tarball: Path, reference: Reference) -> list[dict]:
    """The current communes of the official code, by code, once the reference regions and
    the former regions' departments are checked against the official ones."""
    current_names = reference.current_names
    official_regions = {r["code"]: r["nom"] for r in npm_json(tarball, "regions")}
    department_region = {
        d["code"]: d["region"]
        for d in npm_json(tarball, "departements")
        if d["region"] in current_names
    }
    check_regions(current_names, official_regions, reference.former, department_region)
    communes = sorted(
        (
            c
            for c in npm_json(tarball, "communes")
            if c["type"] == "commune-actuelle" and c["departement"] in department_region
        ),
        key=lambda c: c["code"],
    )
    for commune in communes:
        if commune["region"] != department_region[commune["departement"]]:
            raise GeodataError(f"commune {commune['code']} is not in its department's region")
    return communes


def check_regions(current_names, official_regions, former, department_region) -> None:
    """The reference regions against the official ones; the former regions' departments."""
    for code, name in current_names.items():
        if official_regions.get(code) != name:
            raise GeodataError(
                f"region {code} is {official_regions.get(code)!r} officially, "
                f"{name!r} in fixtures/regions.json"
            )
    seen = defaultdict(list)
    for code, region in sorted(former.items()):
        for department in region["departments"].split():
            seen[department].append(code)
    problems = []
    if missing := sorted(set(department_region) - set(seen)):
        problems.append(f"departments in no former region: {' '.join(missing)}")
    if unknown := sorted(set(seen) - set(department_region)):
        problems.append(f"unknown departments: {' '.join(unknown)}")
    if doubled := {d: codes for d, codes in sorted(seen.items()) if len(codes) > 1}:
        problems.append(f"departments in several former regions: {doubled}")
    for region in current_names:
        official = {d for d, r in department_region.items() if r == region}
        listed = {
            d for f in former.values() if f["region"] == region for d in f["departments"].split()
        }
        if official != listed:
            problems.append(
                f"region {region} has the departments {' '.join(sorted(official))}, its former "
                f"regions {' '.join(sorted(listed))}"
            )
    if problems:
        raise GeodataError("fixtures/regions.json: " + "; ".join(problems))


# -- commune polygons: the pieces of 0.15.0, gathered into today's communes -------------------


def commune_polygons(wheel: Path, communes: list[dict], report: BuildReport) -> dict:
    """Each current commune's polygon, by code."""
    import shapely

    pieces, delegated = {}, {}
    for row in wheel_rows(wheel, "communes"):
        if row["geometry"] in EMPTY:
            continue
        if row["type"] == "COM":
            pieces[row["code"]] = row["geometry"]
        elif row["type"] in {"COMD", "COMA"}:
            delegated.setdefault(row["code"], row["geometry"])
    parts_of = defaultdict(list)
    for code, commune_code in sorted(piece_owners(communes, pieces).items()):
        parts_of[commune_code].append(shapely.make_valid(shapely.from_wkb(pieces[code])))
    polygons_of = {}
    for commune in communes:
        code = commune["code"]
        if parts := parts_of.get(code):
            report.merged_polygons += len(parts) - 1
            polygons_of[code] = polygonal(parts[0] if len(parts) == 1 else shapely.union_all(parts))
        elif code in delegated:
            polygons_of[code] = polygonal(shapely.make_valid(shapely.from_wkb(delegated[code])))
            report.restored.append(code)
        else:
            raise GeodataError(f"no polygon for commune {code} {commune['nom']}")
    cut_out_restored(communes, polygons_of, report.restored)
    return polygons_of


def piece_owners(communes: list[dict], pieces: dict) -> dict[str, str]:
    """The current commune each polygon belongs to: a polygon whose code is a current
    commune's is that commune's; the others go to the commune that absorbed them."""
    owner = {c["code"]: c["code"] for c in communes if c["code"] in pieces}
    current_codes = {c["code"] for c in communes}
    for commune in communes:
        for code in commune.get("anciensCodes", []):
            if code in current_codes or code not in pieces:
                continue
            if owner.setdefault(code, commune["code"]) != commune["code"]:
                raise GeodataError(
                    f"the polygon of {code} belongs to both {owner[code]} and {commune['code']}"
                )
    if unclaimed := sorted(set(pieces) - set(owner)):
        raise GeodataError(f"polygons of no current commune: {' '.join(unclaimed)}")
    return owner


def cut_out_restored(communes: list[dict], polygons_of: dict, restored: list[str]) -> None:
    """A restored commune was still part of the commune it has left: cut it out of that one."""
    for code in restored:
        department = next(c["departement"] for c in communes if c["code"] == code)
        for other in communes:
            if other["departement"] == department and other["code"] not in restored:
                polygon = polygons_of[other["code"]]
                if polygon.intersection(polygons_of[code]).area > 1e-9:
                    polygons_of[other["code"]] = polygonal(polygon.difference(polygons_of[code]))


# -- one point per commune: its town hall when it is right ------------------------------------


def commune_points(wheel: Path, communes: list[dict], polygons_of: dict, report) -> dict:
    import shapely

    town_halls = {}
    for row in wheel_rows(wheel, "communes"):
        if row["type"] == "COM" and row["mairie_localisation"] not in EMPTY:
            point = shapely.from_wkb(row["mairie_localisation"])
            if not point.is_empty:
                town_halls[row["code"]] = point
    points = {}
    for commune in communes:
        code, polygon = commune["code"], polygons_of[commune["code"]]
        town_hall = town_halls.get(code)
        if town_hall is None:
            points[code] = polygon.point_on_surface()
            report.without_town_hall += 1
        elif (distance := distance_km(town_hall, polygon)) <= TOWN_HALL_TOLERANCE_KM:
            points[code] = town_hall
            report.town_halls_kept += 1
            report.town_halls_inside += int(distance == 0.0)
        else:
            points[code] = polygon.point_on_surface()
            report.town_halls_replaced += 1
    return points


# -- departments, former regions, current regions ---------------------------------------------


def region_shapes(communes, polygons_of, reference: Reference, report) -> tuple[dict, dict]:
    """The former and the current regions' shapes, by code: the former regions simplified as
    one coverage, each current region the union of its former ones."""
    import shapely

    former = reference.former
    by_department = defaultdict(list)
    for commune in communes:
        by_department[commune["departement"]].append(polygons_of[commune["code"]])
    departments = {
        code: polygonal(shapely.union_all(parts)) for code, parts in sorted(by_department.items())
    }
    fill_slivers(departments, report)
    former_shapes = [
        shapely.union_all([departments[d] for d in former[code]["departments"].split()])
        for code in sorted(former)
    ]
    simplified = shapely.coverage_simplify(former_shapes, SIMPLIFY_TOLERANCE)
    former_out = {
        code: polygonal(shapely.set_precision(geometry, GRID))
        for code, geometry in zip(sorted(former), simplified, strict=True)
    }
    current_out = {
        code: polygonal(
            shapely.set_precision(
                shapely.union_all(
                    [g for c, g in former_out.items() if former[c]["region"] == code]
                ),
                GRID,
            )
        )
        for code in sorted(reference.current_names)
    }
    for name, shapes in (("former", former_out), ("current", current_out)):
        check_coverage(name, shapes)
    return former_out, current_out


def fill_slivers(departments: dict, report: BuildReport) -> None:
    """Give each small hole of the national coverage to the department bordering it most."""
    import shapely
    from shapely.geometry import Polygon

    everything = shapely.union_all(list(departments.values()))
    holes = [Polygon(ring) for part in polygons(everything) for ring in part.interiors]
    for hole in sorted(holes, key=lambda h: (h.bounds, h.area)):
        if area_km2(hole) >= SLIVER_KM2:
            point = hole.representative_point()
            report.holes_kept.append(
                f"{area_km2(hole):.1f} km² at lat {point.y:.3f}, lon {point.x:.3f}"
            )
            continue
        best = max(
            sorted(departments),
            key=lambda code: departments[code].boundary.intersection(hole.boundary).length,
        )
        departments[best] = polygonal(shapely.union_all([departments[best], hole]))
        report.slivers_filled += 1


def check_coverage(name: str, shapes: dict) -> None:
    import shapely

    codes = list(shapes)
    geometries = [shapes[code] for code in codes]
    for code, geometry in zip(codes, geometries, strict=True):
        if not geometry.is_valid or geometry.is_empty:
            raise GeodataError(f"{name} region {code}: {shapely.is_valid_reason(geometry)}")
    tree = shapely.STRtree(geometries)
    for index, other in zip(*tree.query(geometries, predicate="intersects"), strict=True):
        if index < other and geometries[index].intersection(geometries[other]).area > 1e-8:
            raise GeodataError(f"{name} regions {codes[index]} and {codes[other]} overlap")


def check_points_in_regions(communes, points: dict, current_out: dict, report) -> None:
    """Every commune point in its region (the report says how many are not, and how far)."""
    import shapely

    for region in current_out.values():
        shapely.prepare(region)
    for commune in communes:
        region = current_out[commune["region"]]
        point = points[commune["code"]]
        if not region.covers(point):
            report.outside_region += 1
            distance = region.distance(point)
            report.max_distance_deg = max(report.max_distance_deg, distance)
            if distance > REGION_TOLERANCE_DEG:
                report.beyond_tolerance.append(commune["code"])


# -- files ------------------------------------------------------------------------------------


def write_files(output_dir, reference, former_out, current_out, communes, points, report):
    """The two GeoJSON collections and the communes table."""
    current_names, former = reference.current_names, reference.former
    output_dir.mkdir(parents=True, exist_ok=True)
    write_collection(
        output_dir / "regions-current.geojson",
        [feature(g, {"code": c, "name": current_names[c]}) for c, g in current_out.items()],
        report,
    )
    write_collection(
        output_dir / "regions-former.geojson",
        [
            feature(g, {"code": c, "current_code": former[c]["region"], "name": former[c]["name"]})
            for c, g in former_out.items()
        ],
        report,
    )
    write_communes(output_dir / "communes.csv", communes, points, report)


def write_collection(path: Path, features: list[dict], report: BuildReport) -> None:
    body = json.dumps(
        {"type": "FeatureCollection", "features": features},
        ensure_ascii=False,
        separators=(",", ":"),
        sort_keys=True,
    )
    path.write_text(body + "\n", encoding="utf-8")
    report.features[path.name] = len(features)
    report.sizes[path.name] = path.stat().st_size


def write_communes(path: Path, communes: list[dict], points: dict, report) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(
            ["code", "name", "postal_codes", "department", "region", "latitude", "longitude"]
        )
        for commune in communes:
            point = points[commune["code"]]
            writer.writerow(
                [
                    commune["code"],
                    commune["nom"],
                    " ".join(sorted(set(commune.get("codesPostaux", [])))),
                    commune["departement"],
                    commune["region"],
                    round(point.y, COMMUNE_POINT_DECIMALS),
                    round(point.x, COMMUNE_POINT_DECIMALS),
                ]
            )
    report.sizes[path.name] = path.stat().st_size
