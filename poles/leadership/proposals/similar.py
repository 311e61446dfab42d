"""Poles whose name looks like a proposal's, for the curator to compare before creating one.

Accent- and case-insensitive on every database: a pole matches if its name holds one of the
proposal name's distinctive words (``ptce_site.search``'s ``unaccented`` lookup), or, on
PostgreSQL, if ``pg_trgm`` finds the names similar (a typo, a word cut differently). The
candidates are then ranked in Python by how close the folded names are (``difflib``), which
needs no database function and behaves the same on SQLite. ``compare`` sets a proposal's facts
beside a pole's, for the curator who merges them.
"""

from __future__ import annotations

import difflib
import operator
import re
from dataclasses import dataclass
from functools import reduce

from django.db import connection
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ptce_site.collation import french_key
from ptce_site.search import unaccent

from ...registry.models import Pole

# Words every pole's name may hold: matching on them would list the whole registry.
COMMON_WORDS = {
    "pole",
    "poles",
    "ptce",
    "territorial",
    "territoriale",
    "territoire",
    "cooperation",
    "economique",
    "economie",
    "sociale",
    "solidaire",
    "des",
    "les",
    "pour",
    "avec",
    "dans",
    "une",
    "sur",
    "aux",
    "du",
    "de",
    "la",
    "le",
    "et",
    "en",
}
MAX_WORDS = 6  # a pasted paragraph as a name must not make a query of hundreds of clauses


def fold(text: str) -> str:
    return " ".join(re.findall(r"\w+", (unaccent(text) or "").lower()))


def distinctive_words(name: str) -> list[str]:
    words = [word for word in fold(name).split() if len(word) >= 3 and word not in COMMON_WORDS]
    return sorted(set(words), key=len, reverse=True)[:MAX_WORDS]


def similar_poles(name: str, *, limit: int = 5, poles=None) -> list[Pole]:
    """Up to ``limit`` poles (published or not; among ``poles``, a queryset, when given: those
    a curator sees) whose name resembles ``name``, the closest first, each with ``similarity``
    (0 to 1, and ``similarity_percent``); one query."""
    conditions = [Q(name__unaccented__icontains=word) for word in distinctive_words(name)]
    if connection.vendor == "postgresql":
        conditions.append(Q(name__unaccented__trigram_similar=name))
    if not conditions:
        return []
    candidates = list(
        (Pole.objects.all() if poles is None else poles)
        .filter(reduce(operator.or_, conditions))
        .select_related("region")
        .only("pk", "name", "slug", "is_published", "region__name")[:200]
    )
    target = fold(name)
    for pole in candidates:
        pole.similarity = difflib.SequenceMatcher(None, target, fold(pole.name)).ratio()
        pole.similarity_percent = round(100 * pole.similarity)
    candidates.sort(key=lambda pole: (-pole.similarity, french_key(pole.name)))
    return candidates[:limit]


@dataclass(frozen=True)
class Comparison:
    label: str
    proposed: str
    current: str

    @property
    def differs(self) -> bool:
        return bool(self.proposed) and self.proposed != self.current


def compare(proposal, pole: Pole) -> list[Comparison]:
    """The proposal's facts beside the pole's, for a curator who merges one into the other
    and copies by hand what they have checked (merging overwrites nothing)."""

    def region(place) -> str:
        return place.region.name if place.region_id else ""

    def sectors(place) -> str:
        return ", ".join(sorted((sector.name for sector in place.sectors.all()), key=french_key))

    rows = [
        (_("nom"), proposal.name, pole.name),
        (_("région"), region(proposal), region(pole)),
        (_("commune"), proposal.commune_name, pole.commune_name),
        (_("résumé"), proposal.summary, pole.summary),
        (_("site web"), proposal.website, pole.website),
        (_("secteurs d'activité"), sectors(proposal), sectors(pole)),
    ]
    return [Comparison(str(label), proposed, current) for label, proposed, current in rows]
