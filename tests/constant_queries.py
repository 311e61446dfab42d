"""Pages that must run as many queries for a few rows as for many, checked for several URLs on
the same rows: the rows are written once for the group (``tests/shared_rows.py``) instead of
once per URL, which cost most of each case."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.core.cache import cache
from django.test import Client
from django.test.utils import override_settings

from tests.admin_helpers import count_queries
from tests.factories import CuratorFactory
from tests.shared_rows import rows_for_the_group


def _key(url: str, params: dict | None) -> str:
    return f"{url} {sorted((params or {}).items())}"


@dataclass
class GrownRegistry:
    """The client the pages were asked with, and each page's number of queries before the
    registry grew."""

    client: Client
    few: dict[str, int]

    def count(self, url: str, params: dict | None = None) -> int:
        """The queries of the page now (``count_queries``: a 200, rendered plainly)."""
        return count_queries(self.client, url, params)

    def before(self, url: str, params: dict | None = None) -> int:
        """The queries of the page before the registry grew."""
        return self.few[_key(url, params)]


@contextmanager
def counted_then_grown(
    django_db_blocker,
    pages: list[str | tuple[str, dict | None]],
    grow: Callable[[], None],
    grow_more: Callable[[], None],
    *,
    curator: bool = True,
) -> Iterator[GrownRegistry]:
    """``grow()``, the queries of each page (a URL, or a URL and its parameters) counted, then
    ``grow_more()``: the tests compare each page's ``count()`` now with its ``before()``. As
    ``curator_client`` (staff in the Curators group), or as an anonymous visitor with
    ``curator=False``; as in the tests, with the page cache off and emptied before each page
    (``_empty_cache``: a new generation, so the process reads the directory's sets again)."""

    def write() -> GrownRegistry:
        client = Client()
        if curator:
            client.force_login(CuratorFactory(username="claire"))
        grow()
        with override_settings(PAGE_CACHE_SECONDS=0, PAGE_CACHE_REFRESH_IN_BACKGROUND=False):
            few = {}
            for page in pages:
                url, params = (page, None) if isinstance(page, str) else page
                cache.clear()  # each counted as the tests count it, after ``_empty_cache``
                few[_key(url, params)] = count_queries(client, url, params)
        grow_more()
        return GrownRegistry(client, few)

    with rows_for_the_group(django_db_blocker, write) as grown:
        yield grown
