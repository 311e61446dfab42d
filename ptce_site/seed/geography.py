"""The reference geography of the seed (``ptce_site/seed``): regions and former regions, their
outlines with their label points, and the communes, kept in step with ``fixtures/`` on every
run. A mixin of ``seed.Loader``, which gives it ``sync()`` and the report."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from poles.models import Commune, FormerRegion, FormerRegionOutline, Region, RegionOutline
from poles.territories.outlines import label_point, rounded


class SeedError(Exception):
    """The fixtures hold data the registry refuses; the message says which and why."""


def read_fixture(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SeedError(f"Fichier introuvable : {path}") from None
    except json.JSONDecodeError as error:
        raise SeedError(f"{path} n'est pas un JSON valide : {error}") from None


class GeographyLoader:
    """Regions, former regions, outlines and communes (for ``seed.Loader``)."""

    def load_regions(self, data: dict) -> None:
        for item in data["regions"]:
            self.sync(
                Region,
                {"code": item["code"]},
                {"name": item["name"], "slug": item["slug"]},
                reference=True,
            )
        regions = {region.code: region for region in Region.objects.all()}
        for item in data["former_regions"]:
            self.sync(
                FormerRegion,
                {"code": item["code"]},
                {
                    "name": item["name"],
                    "slug": item["slug"],
                    "region": regions[item["region"]],
                    "departments": item["departments"],
                },
                reference=True,
            )

    def load_shapes(self, geo_dir: Path) -> None:
        """Region outlines where the maps read them (RegionOutline, FormerRegionOutline):
        rounded for the maps and with their label points, computed here once rather than on
        every request (poles/territories/outlines.py)."""
        for model, outline_model, key, name in (
            (Region, RegionOutline, "region", "regions-current.geojson"),
            (FormerRegion, FormerRegionOutline, "former_region", "regions-former.geojson"),
        ):
            path = geo_dir / name
            if not path.exists():
                continue
            regions = {region.code: region for region in model.objects.all()}
            for feature in read_fixture(path)["features"]:
                region = regions.get(feature["properties"]["code"])
                if region is None:
                    raise SeedError(f"{path.name} : code de région inconnu {feature['properties']}")
                longitude, latitude = label_point(feature["geometry"]) or (None, None)
                values = {
                    "geometry": rounded(feature["geometry"]),
                    "label_longitude": longitude,
                    "label_latitude": latitude,
                }
                self.sync(outline_model, {key: region}, values, reference=True)

    def load_communes(self, path: Path) -> None:
        """The communes table, synchronised in bulk (35,000 rows): only differences written."""
        if not path.exists():
            return
        regions = dict(Region.objects.values_list("code", "pk"))
        wanted = {}
        with path.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                wanted[row["code"]] = (
                    row["name"],
                    row["postal_codes"],
                    row["department"],
                    regions[row["region"]],
                    float(row["latitude"]),
                    float(row["longitude"]),
                )
        fields = ["name", "postal_codes", "department", "region_id", "latitude", "longitude"]
        existing = {
            code: (pk, rest)
            for pk, code, *rest in Commune.objects.values_list("pk", "code", *fields)
        }
        new = [
            Commune(code=code, **dict(zip(fields, values, strict=True)))
            for code, values in wanted.items()
            if code not in existing
        ]
        changed = [
            Commune(pk=existing[code][0], code=code, **dict(zip(fields, values, strict=True)))
            for code, values in wanted.items()
            if code in existing and tuple(existing[code][1]) != values
        ]
        gone = [pk for code, (pk, _values) in existing.items() if code not in wanted]
        Commune.objects.bulk_create(new, batch_size=2000)
        Commune.objects.bulk_update(changed, fields, batch_size=2000)
        Commune.objects.filter(pk__in=gone).delete()
        for status, rows in (("créé(s)", new), ("mis à jour", changed), ("supprimé(s)", gone)):
            if rows:
                self.report.counts[(Commune._meta.verbose_name_plural, status)] += len(rows)
