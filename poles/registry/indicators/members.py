"""The member organisations of poles by kind as of 31 December of a year: computed from the
memberships, never typed.

An organisation counts for a pole and a year when one of its memberships had begun by
31 December (its arrival date on or before it, or unknown) and had not ended by then (no
departure date, or one after 31 December: an organisation that left on 31 December is no
longer a member that evening). An organisation with several roles in a pole counts once.
One query, whatever the number of poles and years asked.
"""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from collections.abc import Iterable

from members.models import Membership, Organisation

# Above this many poles, every membership is read rather than a list of ids (a long IN list
# is slower, and SQLite limits the number of parameters).
MAX_LISTED_POLES = 2_000


def member_counts(
    pairs: Iterable[tuple[int, int]],
) -> dict[tuple[int, int], dict[str, int] | None]:
    """For each (pole id, year): the number of member organisations of each kind as of
    31 December of that year (kinds without members left out), in one query; None for a pole
    of which the registry holds no membership at all, of any year: its members are unknown,
    not zero (a page says « non renseigné », never 0)."""
    pairs = set(pairs)
    result: dict[tuple[int, int], dict[str, int]] = {pair: {} for pair in pairs}
    # What no database key nor calendar holds (an admin form's unsaved input) counts nothing.
    pairs = {(p, y) for p, y in pairs if _is_key(p) and isinstance(y, int) and 1 <= y <= 9999}
    poles = {pole_id for pole_id, _year in pairs}
    if not poles:
        return result
    memberships = Membership.objects.order_by()
    if len(poles) <= MAX_LISTED_POLES:
        memberships = memberships.filter(pole_id__in=poles)
    rows = memberships.values_list(
        "pole_id", "organisation_id", "organisation__kind", "joined_on", "left_on"
    )
    years_of = defaultdict(list)
    for pole_id, year in pairs:
        years_of[pole_id].append(year)
    members: dict[tuple[int, int], dict[int, str]] = defaultdict(dict)
    recorded = set()  # the poles with at least one membership
    for pole_id, organisation_id, kind, joined_on, left_on in rows.iterator(chunk_size=5000):
        recorded.add(pole_id)
        for year in years_of.get(pole_id, ()):
            end = datetime.date(year, 12, 31)
            if (joined_on is None or joined_on <= end) and (left_on is None or left_on > end):
                members[(pole_id, year)][organisation_id] = kind
    for pair, organisations in members.items():
        counts = Counter(organisations.values())
        result[pair] = {
            kind: counts[kind] for kind, _label in Organisation.Kind.choices if counts[kind]
        }
    for pole_id, year in pairs:
        if pole_id not in recorded:
            result[(pole_id, year)] = None
    return result


def members_of(pole_id: int, year: int) -> dict[str, int] | None:
    """``member_counts`` of one pole and year (None: unknown)."""
    return member_counts([(pole_id, year)])[(pole_id, year)]


def total(counts: dict[str, int] | None) -> int | None:
    """The number of member organisations of ``member_counts()``'s counts; None: unknown."""
    return None if counts is None else sum(counts.values())


def _is_key(value) -> bool:
    return isinstance(value, int) and 0 < value < 2**63


def labelled(counts: dict[str, int] | None) -> list[tuple[str, int]]:
    """``counts`` as (label, number) in the kinds' order, for pages (none when unknown)."""
    labels = dict(Organisation.Kind.choices)
    return [(str(labels[kind]), number) for kind, number in (counts or {}).items()]
