"""Region outlines leave the region rows for one-to-one tables of their own.

The outlines are moved, not reloaded: a database migrated without ``load_seed_data`` keeps the
outlines it had, rounded for the maps and with their label points, as the loader would store
them. The two functions that do it are copies of ``poles/territories/outlines.py`` as it was
when this was written: a migration keeps what it ran, whatever the live code becomes.
Going back copies the (rounded) outlines into the region rows again.
"""

import django.db.models.deletion
from django.db import migrations, models

MAP_DECIMALS = 3
LABEL_DECIMALS = 4


def _polygons(geometry):
    return [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]


def _label_point(geometry):
    best, best_area = None, 0.0
    for polygon in _polygons(geometry):
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
    return best or [None, None]


def _rounded_ring(ring):
    points = []
    for x, y in ring:
        point = [round(x, MAP_DECIMALS), round(y, MAP_DECIMALS)]
        if not points or points[-1] != point:
            points.append(point)
    area = sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(points, points[1:], strict=False))
    if len(points) < 4 or points[0] != points[-1] or not area:
        return None
    return points


def _rounded(geometry):
    kept = []
    for polygon in _polygons(geometry):
        outer, *holes = (_rounded_ring(ring) for ring in polygon)
        if outer is not None:
            kept.append([outer, *(hole for hole in holes if hole is not None)])
    if not kept:
        return geometry
    if len(kept) == 1:
        return {"type": "Polygon", "coordinates": kept[0]}
    return {"type": "MultiPolygon", "coordinates": kept}


PAIRS = (
    ("Region", "RegionOutline", "region"),
    ("FormerRegion", "FormerRegionOutline", "former_region"),
)


def move_outlines(apps, schema_editor):
    for region_name, outline_name, key in PAIRS:
        Region = apps.get_model("poles", region_name)
        Outline = apps.get_model("poles", outline_name)
        outlines = []
        for pk, geometry in Region.objects.filter(geometry__isnull=False).values_list(
            "pk", "geometry"
        ):
            longitude, latitude = _label_point(geometry)
            outlines.append(
                Outline(
                    **{f"{key}_id": pk},
                    geometry=_rounded(geometry),
                    label_longitude=longitude,
                    label_latitude=latitude,
                )
            )
        Outline.objects.bulk_create(outlines)


def move_outlines_back(apps, schema_editor):
    for region_name, outline_name, key in PAIRS:
        Region = apps.get_model("poles", region_name)
        Outline = apps.get_model("poles", outline_name)
        for pk, geometry in Outline.objects.values_list(f"{key}_id", "geometry"):
            Region.objects.filter(pk=pk).update(geometry=geometry)


class Migration(migrations.Migration):
    dependencies = [
        ("poles", "0012_single_line_names"),
    ]

    operations = [
        migrations.CreateModel(
            name="RegionOutline",
            fields=[
                (
                    "geometry",
                    models.JSONField(
                        help_text="Géométrie GeoJSON simplifiée, aux coordonnées arrondies pour les cartes, chargée depuis les données de référence.",
                        verbose_name="contour",
                    ),
                ),
                (
                    "label_longitude",
                    models.FloatField(
                        blank=True, null=True, verbose_name="longitude de l'étiquette"
                    ),
                ),
                (
                    "label_latitude",
                    models.FloatField(
                        blank=True, null=True, verbose_name="latitude de l'étiquette"
                    ),
                ),
                (
                    "region",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="outline",
                        serialize=False,
                        to="poles.region",
                        verbose_name="région",
                    ),
                ),
            ],
            options={
                "verbose_name": "contour de région",
                "verbose_name_plural": "contours de régions",
            },
        ),
        migrations.CreateModel(
            name="FormerRegionOutline",
            fields=[
                (
                    "geometry",
                    models.JSONField(
                        help_text="Géométrie GeoJSON simplifiée, aux coordonnées arrondies pour les cartes, chargée depuis les données de référence.",
                        verbose_name="contour",
                    ),
                ),
                (
                    "label_longitude",
                    models.FloatField(
                        blank=True, null=True, verbose_name="longitude de l'étiquette"
                    ),
                ),
                (
                    "label_latitude",
                    models.FloatField(
                        blank=True, null=True, verbose_name="latitude de l'étiquette"
                    ),
                ),
                (
                    "former_region",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="outline",
                        serialize=False,
                        to="poles.formerregion",
                        verbose_name="ancienne région",
                    ),
                ),
            ],
            options={
                "verbose_name": "contour d'ancienne région",
                "verbose_name_plural": "contours d'anciennes régions",
            },
        ),
        migrations.RunPython(move_outlines, move_outlines_back),
        migrations.RemoveField(
            model_name="formerregion",
            name="geometry",
        ),
        migrations.RemoveField(
            model_name="region",
            name="geometry",
        ),
    ]
