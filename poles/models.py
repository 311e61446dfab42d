"""Every model of the poles app, wherever its area defines it, under one name: Django loads
them from here, and ``from poles.models import Pole`` works for other apps and migrations.

The models are defined by area and all belong to the ``poles`` app (their tables keep the
``poles_`` prefix): the reference geography in ``territories/models.py``, the registry in
``registry/models.py``, who leads a pole in ``leadership/models.py``.
"""

from .leadership.models import ClaimRequest, Invitation, hash_token
from .leadership.proposals.models import PoleProposal
from .registry.charter.models import Charter, CharterSignature
from .registry.events.models import Event, EventQuerySet
from .registry.indicators.models import IndicatorReminder, YearlyIndicators
from .registry.models import (
    CHARTER_DATE,
    EARLIEST_FOUNDING_YEAR,
    Objective,
    Pole,
    Sector,
    SourceDocument,
)
from .registry.querysets import PoleQuerySet
from .registry.search.models import SearchDocument, SearchWord
from .registry.version import RegistryVersion
from .territories.curators import RegionalCurator
from .territories.models import (
    Commune,
    FormerRegion,
    FormerRegionOutline,
    Region,
    RegionOutline,
)

__all__ = [
    "CHARTER_DATE",
    "EARLIEST_FOUNDING_YEAR",
    "Charter",
    "CharterSignature",
    "ClaimRequest",
    "Commune",
    "Event",
    "EventQuerySet",
    "FormerRegion",
    "FormerRegionOutline",
    "IndicatorReminder",
    "Invitation",
    "Objective",
    "Pole",
    "PoleProposal",
    "PoleQuerySet",
    "Region",
    "RegionOutline",
    "RegionalCurator",
    "RegistryVersion",
    "SearchDocument",
    "SearchWord",
    "Sector",
    "SourceDocument",
    "YearlyIndicators",
    "hash_token",
]
