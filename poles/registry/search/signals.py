"""Every save and delete that changes what a pole's search document holds reindexes that pole:
the pole itself, its sectors, its memberships, the name or kind of a member organisation (the
kind: ``MemberKind``), the name of a sector. Connected once from ``poles/apps.py``. Bulk writes
send no signal: those paths call ``reindex_poles`` themselves (``PoleQuerySet.bump_version``,
the seed, the bench's generator) or wrap their work in ``deferred_indexing()`` (imports, through
``ptce_site.resources``)."""

from __future__ import annotations

from django.db import connection as default_connection
from django.db.backends.signals import connection_created
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete

from members.models import Membership, Organisation
from ptce_site import resources

from ..models import Pole, Sector
from .indexer import deferred_indexing, reindex_poles
from .words import stemmed_text

# The function SQLite's triggers call to fill the FTS5 table (migration 0017).
SQLITE_STEMS_FUNCTION = "ptce_search_stems"

# The pole's fields its document is made of; a save of other fields only changes nothing.
INDEXED_FIELDS = frozenset(
    {"name", "summary", "territory", "commune_name", "description", "is_published"}
)


def pole_saved(sender, instance: Pole, update_fields=None, raw=False, **kwargs) -> None:
    if raw or (update_fields is not None and not INDEXED_FIELDS & set(update_fields)):
        return
    reindex_poles([instance.pk])


def pole_deleted(sender, instance: Pole, **kwargs) -> None:
    reindex_poles([instance.pk])  # its document and its words go


def sectors_changed(sender, instance, action: str, reverse: bool, pk_set=None, **kwargs) -> None:
    if not reverse:  # pole.sectors.add(...)
        if action in ("post_add", "post_remove", "post_clear"):
            reindex_poles([instance.pk])
        return
    # sector.poles.add(...): the poles are in pk_set, or, for a clear, read before it.
    if action == "pre_clear":
        instance._search_poles = list(instance.poles.values_list("pk", flat=True))
    elif action == "post_clear":
        reindex_poles(instance.__dict__.pop("_search_poles", []))
    elif action in ("post_add", "post_remove"):
        reindex_poles(pk_set or [])


def membership_changed(sender, instance: Membership, raw=False, **kwargs) -> None:
    if not raw:
        reindex_poles([instance.pole_id])


def organisation_saved(sender, instance: Organisation, created=False, raw=False, **kwargs):
    if raw or created:
        return  # a new organisation is nobody's member yet
    update_fields = kwargs.get("update_fields")
    # Its name is in its poles' documents, its kind in their kinds of members.
    if update_fields is not None and not {"name", "kind"} & set(update_fields):
        return
    reindex_poles(instance.memberships.values_list("pole_id", flat=True))


def sector_saved(sender, instance: Sector, created=False, raw=False, **kwargs) -> None:
    if not (raw or created):
        reindex_poles(instance.poles.values_list("pk", flat=True))


def sector_deleting(sender, instance: Sector, **kwargs) -> None:
    # Its rows in the poles' sector lists go without a signal: read them before.
    instance._search_poles = list(instance.poles.values_list("pk", flat=True))


def sector_deleted(sender, instance: Sector, **kwargs) -> None:
    reindex_poles(instance.__dict__.pop("_search_poles", []))


def register_sqlite_function(sender=None, connection=None, **kwargs) -> None:
    if connection.vendor == "sqlite":
        connection.connection.create_function(
            SQLITE_STEMS_FUNCTION, 1, stemmed_text, deterministic=True
        )


def connect() -> None:
    uid = "search_index_"
    connection_created.connect(register_sqlite_function, dispatch_uid=uid + "sqlite")
    if default_connection.connection is not None:  # opened before the app was ready
        register_sqlite_function(connection=default_connection)
    post_save.connect(pole_saved, sender=Pole, dispatch_uid=uid + "pole_saved")
    post_delete.connect(pole_deleted, sender=Pole, dispatch_uid=uid + "pole_deleted")
    m2m_changed.connect(
        sectors_changed, sender=Pole.sectors.through, dispatch_uid=uid + "sectors"
    )
    post_save.connect(membership_changed, sender=Membership, dispatch_uid=uid + "member_saved")
    post_delete.connect(
        membership_changed, sender=Membership, dispatch_uid=uid + "member_deleted"
    )
    post_save.connect(organisation_saved, sender=Organisation, dispatch_uid=uid + "org_saved")
    post_save.connect(sector_saved, sender=Sector, dispatch_uid=uid + "sector_saved")
    pre_delete.connect(sector_deleting, sender=Sector, dispatch_uid=uid + "sector_deleting")
    post_delete.connect(sector_deleted, sender=Sector, dispatch_uid=uid + "sector_deleted")
    # Imports index the poles they wrote once, at their end.
    if deferred_indexing not in resources.IMPORT_BATCHES:
        resources.IMPORT_BATCHES.append(deferred_indexing)
