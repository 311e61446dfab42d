"""Print the pinned versions of the project's dependencies, as installed in this venv.

``make lock`` writes them to ``ptce_site/constraints.txt``, which ``make install`` passes to
pip with ``-c``. Only what the project needs (its dependencies and the ``dev``, ``geodata`` and
``s3`` extras, recursively, when installed) is pinned: tools installed by hand in the venv
(pip-audit…) are not. A package pyproject.toml names but the venv lacks is left unpinned: run
``make install`` (or install the extra) first.
"""

from __future__ import annotations

import sys
import tomllib
from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

PYPROJECT = Path(__file__).resolve().parent.parent / "pyproject.toml"
PINNED_EXTRAS = ("dev", "geodata", "s3")


def top_level() -> list[str]:
    """The requirements pyproject.toml names (not the installed metadata, maybe older)."""
    project = tomllib.loads(PYPROJECT.read_text())["project"]
    requirements = list(project["dependencies"])
    for extra in PINNED_EXTRAS:
        requirements += project.get("optional-dependencies", {}).get(extra, [])
    return requirements


def pinned() -> dict[str, str]:
    found: dict[str, str] = {}
    seen: set[tuple[str, tuple[str, ...]]] = set()
    todo: list[tuple[str, tuple[str, ...]]] = []
    for line in top_level():
        requirement = Requirement(line)
        todo.append((requirement.name, tuple(sorted(requirement.extras))))
    while todo:
        name, extras = todo.pop()
        try:
            dist = distribution(name)
        except PackageNotFoundError:
            continue  # a dependency for another platform or Python
        key = canonicalize_name(dist.metadata["Name"])
        if (key, extras) in seen:
            continue
        seen.add((key, extras))
        found[key] = dist.version
        for line in dist.requires or []:
            requirement = Requirement(line)
            environments = [{"extra": extra} for extra in ("", *extras)]
            if requirement.marker and not any(
                requirement.marker.evaluate(environment) for environment in environments
            ):
                continue
            todo.append((requirement.name, tuple(sorted(requirement.extras))))
    return found


def main() -> None:
    lines = [
        "# Pinned versions of the registry's dependencies (make lock; used by make install).",
        f"# Python {sys.version_info.major}.{sys.version_info.minor}. Regenerate after changing "
        "pyproject.toml: make lock.",
    ]
    lines += [f"{name}=={version}" for name, version in sorted(pinned().items())]
    print("\n".join(lines))


if __name__ == "__main__":
    main()
