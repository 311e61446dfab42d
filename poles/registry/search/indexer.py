"""Keeping the search index in step with the poles, synchronously.

Every write path calls ``reindex_poles(ids)`` (through ``signals.py`` for saves and deletes,
directly for bulk paths): the documents of those poles are rebuilt from the database as it is
now, in the current transaction, so a rolled-back write leaves no trace in the index and tests
(which run in transactions, where ``on_commit`` never fires) see it at once. Inside
``deferred_indexing()`` the ids are only collected and reindexed once at its end: imports, the
seed load and admin actions write many poles and index them in a few queries.

The kinds of each pole's current members (``MemberKind``) are kept the same way, as rows that
the directory's "kind of member" filter and facet read, each with the day it ends (the latest
departure date of those members, none when one has none): a departure date that comes stops the
kind counting on that day, without any write. The documents need no such date: they hold the
names of past members too (a pole is found by the name of an organisation that left it).

The vocabulary (``SearchWord``) counts, for each word, the published poles whose document holds
it; each reindex applies the difference between the old and the new documents with atomic
``UPDATE``s, so that two writers never lose each other's counts.
"""

from __future__ import annotations

import contextvars
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from django.db import connection, transaction
from django.db.models import Case, Count, DateField, F, Max, QuerySet, When
from django.db.models.lookups import Exact

from members.models import Membership
from ptce_site.cache import bump_generation

from ..models import Pole
from . import backends
from .models import MemberKind, SearchDocument, SearchWord
from .words import searched_words

CHUNK = 1000
_pending: contextvars.ContextVar[set[int] | None] = contextvars.ContextVar(
    "search_pending_poles", default=None
)


def reindex_poles(pole_ids: Iterable[int | None]) -> None:
    """Bring the index of these poles up to date (later, inside ``deferred_indexing()``)."""
    ids = {pk for pk in pole_ids if pk is not None}
    if not ids:
        return
    pending = _pending.get()
    if pending is not None:
        pending.update(ids)
    else:
        _reindex(ids)


@contextmanager
def deferred_indexing() -> Iterator[None]:
    """Collect the poles written inside the block and reindex them once at its end."""
    if _pending.get() is not None:
        yield  # an outer block reindexes
        return
    pending: set[int] = set()
    token = _pending.set(pending)
    finished = False
    try:
        yield
        finished = True
    finally:
        _pending.reset(token)
        # After an error inside a transaction, the transaction is rolled back: nothing to do.
        if finished or not connection.in_atomic_block:
            _reindex(pending)


def _reindex(ids: Iterable[int]) -> None:
    ordered = sorted(ids)
    for start in range(0, len(ordered), CHUNK):
        _reindex_chunk(ordered[start : start + CHUNK])


def build_documents(ids: list[int]) -> dict[int, SearchDocument]:
    """The documents of the poles ``ids`` that exist, as their data say now."""
    related: dict[int, list[str]] = defaultdict(list)
    sectors = Pole.sectors.through.objects.filter(pole_id__in=ids)
    for pole_id, name in sectors.values_list("pole_id", "sector__name").order_by("sector__name"):
        related[pole_id].append(name)
    members = Membership.objects.filter(pole_id__in=ids).order_by("organisation__name")
    for pole_id, name in members.values_list("pole_id", "organisation__name").distinct():
        related[pole_id].append(name)
    poles = Pole.objects.filter(pk__in=ids).values_list(
        "pk", "name", "summary", "territory", "commune_name", "description", "is_published"
    )
    return {
        pk: SearchDocument(
            pole_id=pk,
            name=name,
            about=joined(summary, territory, commune_name),
            related=joined(*related[pk]),
            body=description,
            counted=is_published,
        )
        for pk, name, summary, territory, commune_name, description, is_published in poles
    }


def joined(*parts: str) -> str:
    return " ".join(part for part in parts if part)


def _same(old: SearchDocument | None, new: SearchDocument) -> bool:
    fields = ("name", "about", "related", "body", "counted")
    return old is not None and all(getattr(old, f) == getattr(new, f) for f in fields)


def current_member_kinds(ids: list[int] | None = None) -> QuerySet:
    """(pole, kind, until) for each kind among the current members of the poles ``ids`` (of
    every pole when None): ``until`` the latest departure date of those members, None when one
    of them has none (COUNT(left_on) counts the dated ones)."""
    current = Membership.objects.current()
    if ids is not None:
        current = current.filter(pole_id__in=ids)
    last = Case(
        When(Exact(Count("pk"), Count("left_on")), then=Max("left_on")),
        output_field=DateField(),
    )
    return (
        current.order_by().values("pole_id", "organisation__kind").annotate(until=last)
        .values_list("pole_id", "organisation__kind", "until")
    )


def _sync_member_kinds(ids: list[int]) -> bool:
    """Bring the ``MemberKind`` rows of these poles up to date; whether any changed (a row
    whose day has passed is rewritten too: it goes)."""
    new = set(current_member_kinds(ids))
    rows = MemberKind.objects.filter(pole_id__in=ids)
    old = set(rows.values_list("pole_id", "kind", "left_on"))
    changed = {pole_id for pole_id, _kind, _until in old ^ new}
    if changed:
        with transaction.atomic():
            MemberKind.objects.filter(pole_id__in=changed).delete()
            MemberKind.objects.bulk_create([
                MemberKind(pole_id=pole_id, kind=kind, left_on=until)
                for pole_id, kind, until in new if pole_id in changed
            ])
    return bool(changed)


def _reindex_chunk(ids: list[int]) -> None:
    kinds_changed = _sync_member_kinds(ids)
    if _sync_documents(ids) or kinds_changed:
        # What the processes keep is read from these rows: the directory's "kind of member"
        # (``facet_sets.py``) and the search's words (``memory.py``). A bulk write sends no
        # signal, and an import writes them after its own rows were committed: the
        # registry's generation moves here, once for the chunk.
        bump_generation()


def _sync_documents(ids: list[int]) -> bool:
    """Bring the search documents of these poles (and the vocabulary) up to date; whether any
    changed."""
    new = build_documents(ids)
    old = {document.pk: document for document in SearchDocument.objects.filter(pk__in=ids)}
    changed = [document for pk, document in new.items() if not _same(old.get(pk), document)]
    if not changed and old.keys() <= new.keys():
        return False
    delta: Counter[str] = Counter()
    rewritten = {document.pk for document in changed} | (old.keys() - new.keys())
    for pk in rewritten:
        if pk in old and old[pk].counted:
            delta.subtract(searched_words(old[pk].text))
        if pk in new and new[pk].counted:
            delta.update(searched_words(new[pk].text))
    with transaction.atomic():
        SearchDocument.objects.filter(pk__in=rewritten).delete()
        SearchDocument.objects.bulk_create(changed)
        apply_to_vocabulary(delta)
    return True


def apply_to_vocabulary(delta: Counter[str]) -> None:
    """Add ``delta`` (word -> change in the number of poles) to the vocabulary."""
    by_change: dict[int, list[str]] = defaultdict(list)
    for word, change in delta.items():
        if change:
            by_change[change].append(word)
    if not by_change:
        return
    added = [word for change, words in by_change.items() if change > 0 for word in words]
    SearchWord.objects.bulk_create(
        [SearchWord(word=word, frequency=0) for word in added], ignore_conflicts=True
    )
    for change, words in by_change.items():
        SearchWord.objects.filter(word__in=words).update(frequency=F("frequency") + change)
    removed = [word for change, words in by_change.items() if change < 0 for word in words]
    if removed:
        SearchWord.objects.filter(word__in=removed, frequency__lte=0).delete()


def rebuild_index() -> int:
    """Rebuild every document and the vocabulary from scratch; returns the number of poles."""
    with transaction.atomic():
        backends.current().rebuild_documents(build_documents)
        rebuild_vocabulary()
        rebuild_member_kinds()
        bump_generation()  # written in bulk: the directory's sets follow (``facet_sets.py``)
        return SearchDocument.objects.count()


def rebuild_vocabulary() -> None:
    counts: Counter[str] = Counter()
    texts = SearchDocument.objects.filter(counted=True).values_list(
        "name", "about", "related", "body"
    )
    for parts in texts.iterator(chunk_size=2000):
        counts.update(searched_words(" ".join(parts)))
    SearchWord.objects.all().delete()
    SearchWord.objects.bulk_create(
        [SearchWord(word=word, frequency=count) for word, count in counts.items()],
        batch_size=2000,
    )


def rebuild_member_kinds() -> None:
    """Every pole's kinds of current members, in one statement (the same on both databases)."""
    MemberKind.objects.all().delete()
    select, params = current_member_kinds().query.sql_with_params()
    table = connection.ops.quote_name(MemberKind._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} (pole_id, kind, left_on) {select}", params)
