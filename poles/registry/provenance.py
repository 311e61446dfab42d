"""Where each fact of a pole's page comes from, and when a person last changed it.

**Derived from the history, not stored.** Every write to a pole, whatever its path (the admin,
the leaders' space, an import, the seed load, code), already records a version with its author
(django-simple-history's ``history_user``). Comparing consecutive versions field by field tells
who last set each fact and when, with nothing else to keep in step: a per-field provenance
column would need every write path (and every future one) to fill it, and would drift from the
history that staff can already read and revert. The cost is bounded: one query for the pole's
versions (with the author's staff flags), one per many-to-many field shown (sectors,
objectives), one for the latest change to its memberships and one to its charter signature,
whatever the number of versions.

The author of a version says where its facts come from:

- no account and no change reason: the seed load (``load_seed_data``), so what the pole's
  source documents say (``Pole.sources``); a pole without a source document then has no known
  provenance, and nothing is shown;
- no account but a change reason (``history_change_reason``): code run by the registry team,
  such as an import from the command line;
- a staff account: the registry team; any other account: the pole (its leaders);
- a change reason starting with ``FROM_PROPOSAL``, whoever saved it: a visitor's proposal that
  a curator turned into the pole (``proposals.services.create_pole``): neither the pole's
  leaders nor the team wrote those facts, and the page says so until someone changes them.

Deleting an account sets its versions' author to NULL (django-simple-history's foreign key),
which would make a leader's text look like the source documents': ``keep_deleted_authors_origin``
writes, just before, the author's side into those versions' change reason.

A fact that is empty now has no provenance: nothing is shown as known that is not.

The date a page shows as « mis à jour » is ``Pole.content_changed_at``, set by
``mark_content_changed()`` on every write made by a person (the admin, the leaders' space,
imports), never by the seed load or by publishing: a stored column, because lists (the home
page, the directory's sort, the sitemap) order by it.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db.models import CharField, OuterRef, Q, StringAgg, Subquery, Value
from django.db.models.fields.files import FieldFile
from django.db.models.functions import Cast
from django.db.models.signals import pre_delete
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from simple_history.models import HistoricalRecords
from simple_history.utils import get_m2m_reverse_field_name

from members.models import Membership
from ptce_site.cache import bump_generation
from ptce_site.content import pole_content_changed

from .charter.models import CharterSignature
from .models import Pole, SourceDocument

SOURCE, POLE, TEAM, PROPOSAL = "source", "pole", "team", "proposal"

# Change reasons stored in the history (data, so never translated).
FROM_PROPOSAL = "Créé d'après la proposition n° "
DELETED_LEADER = "Compte supprimé (porteur)"
DELETED_TEAM = "Compte supprimé (équipe du registre)"

# Fact shown on the pole's page -> the model attributes whose change makes it.
FACTS: dict[str, tuple[str, ...]] = {
    "summary": ("summary",),
    "description": ("description",),
    "status": ("status",),
    "witness": ("is_witness",),
    "region": ("region_id",),
    "territory": ("territory",),
    "commune": ("commune_code", "commune_name"),
    "founded_year": ("founded_year",),
    "website": ("website",),
    "contact": ("contact_email", "contact_phone"),
    "logo": ("logo",),
}
M2M_FACTS = ("sectors", "objectives")
# Form fields whose change is not a change of what the public page says.
NOT_CONTENT = frozenset(
    {"version", "snapshot", "loaded_version", "is_published", "leaders", "slug"}
)


@dataclass(frozen=True)
class Provenance:
    """Where one fact comes from: ``origin`` is SOURCE, POLE or TEAM."""

    origin: str
    when: datetime.datetime | None = None
    sources: tuple[SourceDocument, ...] = ()

    @property
    def date(self) -> str:
        return formats.date_format(timezone.localtime(self.when), "j F Y") if self.when else ""

    def __str__(self) -> str:
        if self.origin == SOURCE:
            return _("source : %(sources)s") % {
                "sources": pgettext("between the items of a list", " ; ").join(
                    describe_source(source) for source in self.sources
                )
            }
        if self.origin == POLE:
            return _("renseigné par le pôle, le %(date)s") % {"date": self.date}
        if self.origin == PROPOSAL:
            return _("proposé par un visiteur, repris par l'équipe du registre le %(date)s") % {
                "date": self.date
            }
        return _("renseigné par l'équipe du registre, le %(date)s") % {"date": self.date}


def describe_source(source: SourceDocument) -> str:
    """« Title, 10 janvier 2014 » (the date when the document gives one)."""
    if source.published_on is None:
        return source.title
    return f"{source.title}, {formats.date_format(source.published_on, 'j F Y')}"


def proposal_change_reason(proposal_pk: int) -> str:
    """The change reason of the versions a curator makes from a visitor's proposal."""
    return f"{FROM_PROPOSAL}{proposal_pk}"


def origin_of(user_id: int | None, by_staff: bool, reason: str | None) -> str:
    """Where a version's facts come from (see the module's docstring): SOURCE, POLE, TEAM or
    PROPOSAL, from its author's id, whether that account is staff, and its change reason."""
    reason = reason or ""
    if reason.startswith(FROM_PROPOSAL):
        return PROPOSAL
    if user_id is None:
        if reason == DELETED_LEADER:
            return POLE
        return TEAM if reason else SOURCE
    return TEAM if by_staff else POLE


def _origin(row: dict) -> str:
    return origin_of(
        row["history_user_id"],
        row["history_user__is_staff"] or row["history_user__is_superuser"],
        row["history_change_reason"],
    )


def _is_empty(value) -> bool:
    return value in (None, "") or value == frozenset()


def _m2m_columns(facts: Iterable[str]) -> dict[str, Subquery]:
    """For each many-to-many fact of ``facts``, a column of each version of the pole: the
    ids it held, as text (``_held``). Read with the versions, in their query."""
    columns = {}
    for m2m in Pole.history.model._history_m2m_fields:
        if m2m.name not in facts:
            continue
        through = HistoricalRecords.m2m_models[m2m]
        target = Cast(f"{get_m2m_reverse_field_name(m2m)}_id", CharField())
        held = (
            through.objects.filter(history_id=OuterRef("history_id"))
            .order_by()
            .values("history_id")
            .annotate(ids=StringAgg(target, Value(",")))
            .values("ids")
        )
        columns[f"held_{m2m.name}"] = Subquery(held)
    return columns


def _held(ids: str | None) -> frozenset:
    return frozenset(int(pk) for pk in ids.split(",")) if ids else frozenset()


def _last_setters(
    pole: Pole, m2m_facts: Iterable[str] = M2M_FACTS
) -> dict[str, tuple[str, datetime.datetime]]:
    """For each fact, the origin and date of the version that last changed it (of the
    many-to-many facts, those of ``m2m_facts`` only)."""
    columns = sorted({name for names in FACTS.values() for name in names})
    held = _m2m_columns(m2m_facts)
    rows = (
        Pole.history.filter(id=pole.pk)
        .annotate(**held)
        .order_by("history_date", "history_id")
        .values(
            "history_id",
            "history_date",
            "history_change_reason",
            "history_user_id",
            "history_user__is_staff",
            "history_user__is_superuser",
            *columns,
            *held,
        )
    )
    previous: dict[str, tuple] = {}
    setters: dict[str, tuple[str, datetime.datetime]] = {}
    for row in rows:
        values = {fact: tuple(row[name] for name in names) for fact, names in FACTS.items()}
        for fact in M2M_FACTS:
            values[fact] = (_held(row.get(f"held_{fact}")),)
        for fact, value in values.items():
            before = previous.get(fact)
            if value != before and (before is not None or not all(map(_is_empty, value))):
                setters[fact] = (_origin(row), row["history_date"])
        previous = values
    return setters


def _member_setter(pole: Pole, history=Membership.history) -> tuple | None:
    """The origin and date of the latest change to the pole's rows in ``history`` (its
    memberships', or its charter signature's)."""
    row = (
        history.filter(pole_id=pole.pk)
        .order_by("-history_date", "-history_id")
        .values(
            "history_date",
            "history_change_reason",
            "history_user_id",
            "history_user__is_staff",
            "history_user__is_superuser",
        )
        .first()
    )
    return (_origin(row), row["history_date"]) if row else None


def _current_is_empty(pole: Pole, fact: str, has_members: bool) -> bool:
    if fact in M2M_FACTS:
        return not getattr(pole, fact).all()
    if fact == "members":
        return not has_members
    if fact == "charter":
        return pole.charter_signed_on is None
    if fact == "status" and pole.status == Pole.Status.NOT_KNOWN:
        return True  # "not known" is no fact to source
    values = [getattr(pole, name) for name in FACTS[fact]]
    return all(not value if isinstance(value, FieldFile) else _is_empty(value) for value in values)


def pole_provenance(pole: Pole, *, has_members: bool) -> dict[str, Provenance]:
    """Where each fact the pole's page shows comes from, by fact name (``FACTS``, sectors,
    objectives, ``members`` and ``charter``, its signature of the charter); facts that are
    empty now or of unknown origin are left out.

    The pole's sources are read through ``pole.sources.all()`` (prefetched by ``for_detail``).
    """
    # A fact empty now shows no origin: its history is not read (a query less for each).
    shown = [fact for fact in M2M_FACTS if not _current_is_empty(pole, fact, has_members)]
    setters = _last_setters(pole, shown)
    histories = {"members": Membership.history, "charter": CharterSignature.history}
    for fact, history in histories.items():
        if _current_is_empty(pole, fact, has_members):
            continue
        if (setter := _member_setter(pole, history)) is not None:
            setters[fact] = setter
    sources = tuple(pole.sources.all())
    provenance = {}
    for fact, (origin, when) in setters.items():
        if _current_is_empty(pole, fact, has_members):
            continue
        if origin == SOURCE:
            # A signature's documents are its own (shown with it), never the pole's.
            if sources and fact != "charter":
                provenance[fact] = Provenance(SOURCE, sources=sources)
        else:
            provenance[fact] = Provenance(origin, when)
    return provenance


def changes_content(changed_fields: Iterable[str]) -> bool:
    """Whether a form's changed fields change what the pole's public page says."""
    return any(name not in NOT_CONTENT for name in changed_fields)


def mark_content_changed(
    poles: Pole | Iterable[int | Pole], *, when: datetime.datetime | None = None
) -> int:
    """Record that a person changed the content of ``poles`` (a pole, or pole ids or poles):
    their « mis à jour » date becomes ``when`` (now by default). Call it after saving, from
    every write a person makes (admin, leaders' space, imports); never from the seed load.

    One ``UPDATE``, without a new version in the history (the save that changed the content
    recorded it) nor a change of the optimistic-locking version. Returns the number of poles.
    """
    when = when or timezone.now()
    if isinstance(poles, Pole):
        poles.content_changed_at = when
        ids = [poles.pk]
    else:
        ids = [pole.pk if isinstance(pole, Pole) else pole for pole in poles]
    count = Pole.objects.filter(pk__in=ids).update(content_changed_at=when)
    bump_generation()
    return count


def keep_deleted_authors_origin(sender, instance, **kwargs) -> None:
    """Before an account is deleted (its versions' author then becomes NULL), record in the
    change reason of the versions it made without one whether it was staff or a leader."""
    reason = DELETED_TEAM if instance.is_staff or instance.is_superuser else DELETED_LEADER
    for history in (Pole.history.model, Membership.history.model, CharterSignature.history.model):
        history.objects.filter(history_user_id=instance.pk).filter(
            Q(history_change_reason__isnull=True) | Q(history_change_reason="")
        ).update(history_change_reason=reason)


pre_delete.connect(
    keep_deleted_authors_origin,
    sender=settings.AUTH_USER_MODEL,
    dispatch_uid="provenance_keep_deleted_authors_origin",
)


def _date_poles_changed_elsewhere(sender, pole_ids, **kwargs) -> None:
    mark_content_changed(pole_ids)


# Memberships and applications saved in the admin, and every import, say so through this.
pole_content_changed.connect(
    _date_poles_changed_elsewhere, dispatch_uid="provenance_date_poles_changed_elsewhere"
)
