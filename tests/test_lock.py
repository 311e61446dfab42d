"""The dependency lock: uv.lock and its exports, read by ``make install`` (see README,
"Dependencies").

These tests need neither uv nor the network: they read the files. They fail when
pyproject.toml changed without ``make lock``, when an export was edited by hand or is stale,
when the venv runs a version the lock does not pin (run ``make install``), or when a locked
package has no file for one of the machines the registry runs on.
"""

from __future__ import annotations

import re
import tomllib
from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name, parse_wheel_filename
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
LOCK = tomllib.loads((ROOT / "uv.lock").read_text())
PROJECT = canonicalize_name(PYPROJECT["project"]["name"])
# Each export: what it holds (pyproject's extras, and the build group for both).
EXPORTS = {
    "requirements-dev.txt": tuple(PYPROJECT["project"]["optional-dependencies"]),
    "requirements.txt": ("s3",),
}
# The machines the registry runs on (pyproject's tool.uv.required-environments).
MACHINES = [
    (python, machine) for python in ("3.12", "3.13") for machine in ("x86_64", "aarch64")
]


def locked_packages() -> dict[str, dict]:
    return {
        canonicalize_name(package["name"]): package
        for package in LOCK["package"]
        if canonicalize_name(package["name"]) != PROJECT
    }


def locked_hashes(package: dict) -> set[str]:
    files = [package["sdist"]] if "sdist" in package else []
    files += package.get("wheels", [])
    return {file["hash"] for file in files}


def read_export(name: str) -> dict[str, tuple[Requirement, set[str]]]:
    """``{name: (requirement, hashes)}`` of one exported requirements file."""
    text = (ROOT / name).read_text()
    entries: dict[str, tuple[Requirement, set[str]]] = {}
    for block in re.sub(r"\\\n\s*", " ", text).splitlines():
        line = block.split("#", 1)[0].strip()  # "# via …" comments; hashes hold no "#"
        if not line:
            continue
        hashes = set(re.findall(r"--hash=(sha256:[0-9a-f]{64})", line))
        requirement = Requirement(re.sub(r"\s*--hash=\S+", "", line).strip())
        key = canonicalize_name(requirement.name)
        assert key not in entries, f"{name}: {key} listed twice"
        entries[key] = (requirement, hashes)
    return entries


def pinned_version(requirement: Requirement) -> Version:
    (specifier,) = requirement.specifier
    assert specifier.operator == "==", f"{requirement} is not pinned with =="
    return Version(specifier.version)


def project_requirements(extras) -> list[Requirement]:
    project = PYPROJECT["project"]
    lines = list(project["dependencies"])
    for extra in extras:
        lines += project["optional-dependencies"][extra]
    lines += PYPROJECT["dependency-groups"]["build"]
    return [Requirement(line) for line in lines]


def requirement_key(name, extras, specifier, marker) -> tuple:
    specifiers = ",".join(sorted(str(specifier).split(",")))
    return canonicalize_name(name), tuple(sorted(extras)), specifiers, marker


def test_uv_lock_is_up_to_date_with_pyproject():
    """What ``uv lock --check`` looks at: the requirements the lock was made from."""
    (project,) = [p for p in LOCK["package"] if canonicalize_name(p["name"]) == PROJECT]
    metadata = project["metadata"]
    recorded = {
        requirement_key(r["name"], r.get("extras", []), r.get("specifier", ""), r.get("marker", ""))
        for r in metadata["requires-dist"]
    }
    lines = [(line, "") for line in PYPROJECT["project"]["dependencies"]]
    for extra, requirements in PYPROJECT["project"]["optional-dependencies"].items():
        lines += [(line, f"extra == '{extra}'") for line in requirements]
    wanted = set()
    for line, marker in lines:
        requirement = Requirement(line)
        wanted.add(requirement_key(requirement.name, requirement.extras, requirement.specifier,
                                   marker))
    assert recorded == wanted, "pyproject.toml changed since uv.lock was made: run make lock"
    assert sorted(metadata["provides-extras"]) == sorted(
        PYPROJECT["project"]["optional-dependencies"]
    )
    recorded_build = {requirement_key(r["name"], [], r.get("specifier", ""), "")
                      for r in metadata["requires-dev"]["build"]}
    wanted_build = set()
    for line in PYPROJECT["dependency-groups"]["build"]:
        requirement = Requirement(line)
        wanted_build.add(requirement_key(requirement.name, [], requirement.specifier, ""))
    assert recorded_build == wanted_build, "the build group changed: run make lock"


@pytest.mark.parametrize("export", EXPORTS)
def test_every_export_pins_the_locked_versions_with_their_hashes(export):
    locked = locked_packages()
    entries = read_export(export)
    assert entries, f"{export} is empty"
    assert (ROOT / export).read_text().startswith("# Generated from uv.lock by make lock")
    for name, (requirement, hashes) in entries.items():
        assert name in locked, f"{export} pins {name}, which uv.lock does not hold"
        assert pinned_version(requirement) == Version(locked[name]["version"]), (
            f"{export} and uv.lock disagree on {name}: run make lock"
        )
        assert hashes, f"{export}: {name} has no hash"
        assert hashes == locked_hashes(locked[name]), f"{export}: {name}'s hashes are not uv.lock's"


@pytest.mark.parametrize("export", EXPORTS)
def test_pyproject_requirements_are_satisfied_by_each_export(export):
    entries = read_export(export)
    for requirement in project_requirements(EXPORTS[export]):
        name = canonicalize_name(requirement.name)
        assert name in entries, f"{export} lacks {requirement}: run make lock"
        version = pinned_version(entries[name][0])
        assert requirement.specifier.contains(version, prereleases=True), (
            f"{export} pins {name}=={version}, outside pyproject's {requirement}"
        )


def test_the_export_for_servers_leaves_the_dev_tools_out():
    server = read_export("requirements.txt")
    for line in PYPROJECT["project"]["optional-dependencies"]["dev"]:
        name = canonicalize_name(Requirement(line).name)
        if name not in {canonicalize_name(r.name) for r in project_requirements(("s3",))}:
            assert name not in server, f"requirements.txt should not install {name}"


def needed_in_this_venv() -> dict[str, str]:
    """``{name: installed version}`` of what the project and all its extras need, walked from
    pyproject.toml through the installed packages' own requirements (for this Python)."""
    found: dict[str, str] = {}
    todo = [
        (requirement.name, tuple(sorted(requirement.extras)))
        for requirement in project_requirements(EXPORTS["requirements-dev.txt"])
    ]
    seen: set[tuple[str, tuple[str, ...]]] = set()
    while todo:
        name, extras = todo.pop()
        key = (canonicalize_name(name), extras)
        if key in seen:
            continue
        seen.add(key)
        try:
            dist = distribution(name)
        except PackageNotFoundError:
            continue  # an extra not installed here: the first test checks the lock holds it
        found[key[0]] = dist.version
        for line in dist.requires or []:
            requirement = Requirement(line)
            environments = [{"extra": extra} for extra in ("", *extras)]
            if requirement.marker and not any(
                requirement.marker.evaluate(environment) for environment in environments
            ):
                continue
            todo.append((requirement.name, tuple(sorted(requirement.extras))))
    return found


def test_every_package_the_project_needs_in_this_venv_is_the_locked_one():
    entries = read_export("requirements-dev.txt")
    installed = needed_in_this_venv()
    assert "django" in installed
    for name, version in sorted(installed.items()):
        assert name in entries, f"{name} is installed for the project but not locked: make lock"
        requirement, hashes = entries[name]
        assert hashes
        assert Version(version) == pinned_version(requirement), (
            f"the venv has {name} {version}, the lock pins {requirement.specifier}: make install"
        )


def installable_on(package: dict, python: str, machine: str) -> bool:
    if "sdist" in package:
        return True
    major, minor = (int(part) for part in python.split("."))
    for wheel in package.get("wheels", []):
        *_, tags = parse_wheel_filename(wheel["url"].rsplit("/", 1)[1])
        for tag in tags:
            interpreter_ok = tag.interpreter in {"py3", f"py{major}{minor}", f"cp{major}{minor}"}
            if tag.abi == "abi3" and tag.interpreter.startswith("cp3"):
                interpreter_ok = int(tag.interpreter[3:]) <= minor
            platform_ok = tag.platform == "any" or (
                tag.platform.startswith("manylinux") and tag.platform.endswith(f"_{machine}")
            )
            if interpreter_ok and platform_ok:
                return True
    return False


@pytest.mark.parametrize(("python", "machine"), MACHINES)
def test_every_locked_package_installs_on_each_machine_the_registry_runs_on(python, machine):
    environment = {"python_version": python, "python_full_version": f"{python}.0",
                   "sys_platform": "linux", "platform_machine": machine,
                   "implementation_name": "cpython", "platform_system": "Linux"}
    missing = []
    for name, (requirement, _) in read_export("requirements-dev.txt").items():
        if requirement.marker and not requirement.marker.evaluate(environment):
            continue
        if not installable_on(locked_packages()[name], python, machine):
            missing.append(name)
    assert not missing, f"no file for Python {python} on Linux {machine}: {missing}"
