"""The poles app's models: the registry itself (regions, sectors, poles…) and who leads a pole."""

from .leadership import ClaimRequest, Invitation, hash_token
from .registry import (
    CHARTER_DATE,
    EARLIEST_FOUNDING_YEAR,
    Commune,
    FormerRegion,
    Objective,
    Pole,
    PoleQuerySet,
    Region,
    Sector,
    SourceDocument,
)

__all__ = [
    "CHARTER_DATE",
    "EARLIEST_FOUNDING_YEAR",
    "ClaimRequest",
    "Commune",
    "FormerRegion",
    "Invitation",
    "Objective",
    "Pole",
    "PoleQuerySet",
    "Region",
    "Sector",
    "SourceDocument",
    "hash_token",
]
