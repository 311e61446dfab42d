"""The house stays in order: modules and functions of a readable size, and packages that import
each other in one direction only (issue #11).

Read from the source with ``ast``: every ``import`` counts, also those inside functions, since
a deferred import hides a cycle rather than removing it.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from ptce_site.settings import BASE_DIR

APPLICATION_PACKAGES = ("ptce_site", "poles", "members", "calls")
# Held to the same sizes, outside the areas: the bench and the fault drill (``make bench``),
# and the tests themselves.
TOOL_PACKAGES = ("bench", "tests")
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60

# The areas, bottom first: a module may import its own area and those below it, never one above.
# ``ptce_site``'s helpers know nothing of the apps; the reference geography knows only them;
# organisations, then calls (organised by organisations), refer to poles by name only (string
# foreign keys); the registry's pages gather poles with their members and calls; the leaders'
# space works on all of them; the glue on top assembles the site: the ``poles`` package's root
# (models re-exported, admin composed, URLs, commands) and ``ptce_site``'s URLs, sitemaps, seed
# orchestration and views.
PTCE_SITE_GLUE = {"ptce_site.urls", "ptce_site.sitemaps", "ptce_site.seed", "ptce_site.views"}
AREAS = (
    "ptce_site",
    "poles.territories",
    "members",
    "calls",
    "poles.registry",
    "poles.leadership",
    "glue",
)


def area(name: str) -> str | None:
    """The area of a module of ours (``None`` for Django and third-party modules)."""
    if any(within(name, glue) for glue in PTCE_SITE_GLUE):
        return "glue"
    for candidate in reversed(AREAS[:-1]):
        if within(name, candidate):
            return candidate
    if within(name, "poles"):
        return "glue"
    return None


def application_modules(packages=APPLICATION_PACKAGES) -> list[Path]:
    modules = []
    for package in packages:
        for path in sorted((BASE_DIR / package).rglob("*.py")):
            if "migrations" in path.parts:
                continue  # generated
            modules.append(path)
    return modules


def module_name(path: Path) -> str:
    parts = list(path.relative_to(BASE_DIR).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = (
        module_name(path) if path.name == "__init__.py" else module_name(path).rpartition(".")[0]
    )
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)] if node.level > 1 else base
                prefix = ".".join(base)
                target = f"{prefix}.{node.module}" if node.module else prefix
            else:
                target = node.module or ""
            names.add(target)
            names.update(f"{target}.{alias.name}" for alias in node.names)
    return names


def within(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


@pytest.mark.parametrize(
    "path", application_modules(APPLICATION_PACKAGES + TOOL_PACKAGES), ids=module_name
)
def test_no_module_is_longer_than_400_lines(path):
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_MODULE_LINES, f"{module_name(path)}: {lines} lines"


def test_no_function_is_longer_than_60_lines():
    too_long = []
    for path in application_modules(APPLICATION_PACKAGES + TOOL_PACKAGES):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = node.end_lineno - node.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    too_long.append(f"{module_name(path)}.{node.name}: {length} lines")
    assert too_long == []


def test_ptce_sites_helpers_import_no_app():
    apps = ("poles", "members", "calls")
    wrong = []
    for path in application_modules():
        name = module_name(path)
        if not within(name, "ptce_site") or any(within(name, glue) for glue in PTCE_SITE_GLUE):
            continue
        if within(name, "ptce_site.management"):
            continue
        for target in imported_modules(path):
            if any(within(target, app) for app in apps):
                wrong.append(f"{name} imports {target}")
    assert wrong == []


def test_the_areas_import_downwards_only():
    """No cycle between the areas: each import points down the list (or within an area)."""
    rank = {name: position for position, name in enumerate(AREAS)}
    wrong = []
    for path in application_modules():
        name = module_name(path)
        source = area(name)
        for target in sorted(imported_modules(path)):
            destination = area(target)
            if destination and rank[destination] > rank[source]:
                wrong.append(f"{name} ({source}) imports {target} ({destination})")
    assert wrong == []


def test_the_areas_exist():
    for package in ("poles/territories", "poles/registry", "poles/leadership"):
        assert (BASE_DIR / package / "__init__.py").exists(), package
