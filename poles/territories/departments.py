"""The department of a commune, read from its INSEE code: one rule for the pole's page, the
map's counts by former region (``poles.registry.api``) and the directory's former-region
filter (which asks the same in SQL: a commune's code starts with its department's)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.db.models import Case, When
from django.db.models.functions import Left

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


def department_expression(field: str) -> Case:
    """``department_of`` in SQL, for the commune code in ``field`` (across relations too):
    the map's and the directory's counts group poles by it."""
    return Case(
        When(**{f"{field}__startswith": OVERSEAS_PREFIX}, then=Left(field, 3)),
        default=Left(field, 2),
    )


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
