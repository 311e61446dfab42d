"""The department of a commune, read from its INSEE code: one rule for the pole's page, the
map's counts by former region (``poles.registry.api``) and the directory's former-region
filter (which asks the same in SQL: a commune's code starts with its department's)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .models import FormerRegion

# Overseas departments have three-character codes (971 Guadeloupe … 976 Mayotte), and so do
# their communes' codes start: 97411 is Saint-Denis, in 974 (La Réunion).
OVERSEAS_PREFIX = "97"


def department_of(commune_code: str) -> str:
    """The department of an INSEE commune code: ``97411`` → ``974``, ``08409`` → ``08``,
    ``2A004`` → ``2A``; "" without a code."""
    if not commune_code:
        return ""
    return commune_code[:3] if commune_code.startswith(OVERSEAS_PREFIX) else commune_code[:2]


def former_regions_by_department(
    former_regions: Iterable[FormerRegion],
) -> dict[str, FormerRegion]:
    """Each department code with the former region (before 2016) that held it."""
    return {
        department: former
        for former in former_regions
        for department in former.department_codes
    }


def former_region_of(commune_code: str, former_regions: Iterable[FormerRegion]):
    """The former region, among ``former_regions``, that holds the commune; None if none."""
    return former_regions_by_department(former_regions).get(department_of(commune_code))
