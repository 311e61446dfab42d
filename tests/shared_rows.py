"""Rows written once for a group of tests that only read them (the cases of a parametrised test
in a class): written in a transaction of their own, which each test's transaction nests in (a
savepoint), and rolled back after the last test of the group. Writing the same poles again for
every case cost more than some of the cases' requests."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.db import transaction


@contextmanager
def rows_for_the_group(django_db_blocker, write: Callable[[], Any]) -> Iterator[Any]:
    """``write()``'s rows, seen by the tests run inside the block, gone after it; gives what
    ``write()`` returns. The tests must not change those rows: each test's own writes are
    rolled back with it, but a test that counted on rows written by another would pass alone
    and fail in the group (or the other way round)."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            written = write()
        except BaseException:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            raise
    try:
        yield written
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
