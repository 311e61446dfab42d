"""Changelists that must run as many queries for a few rows as for many, checked for several
URLs on the same rows: the rows are written once for the group (``tests/shared_rows.py``)
instead of once per URL, which cost most of each case."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.contrib.auth.models import Group
from django.test import Client
from django.test.utils import override_settings

from ptce_site.curators import CURATORS_GROUP
from tests.admin_helpers import count_queries
from tests.factories import UserFactory
from tests.shared_rows import rows_for_the_group


@dataclass
class GrownRegistry:
    """A curator's client, and each URL's number of queries before the registry grew."""

    client: Client
    few: dict[str, int]


@contextmanager
def counted_then_grown(
    django_db_blocker, urls: list[str], grow: Callable[[], None], grow_more: Callable[[], None]
) -> Iterator[GrownRegistry]:
    """``grow()``, the queries of each of ``urls`` counted as ``curator_client`` (a curator:
    staff in the Curators group), then ``grow_more()``: the tests compare each URL's count
    now with ``few``. As in the tests, with the page cache off (``_empty_cache``)."""

    def write() -> GrownRegistry:
        curator = UserFactory(username="claire", is_staff=True)
        curator.groups.add(Group.objects.get(name=CURATORS_GROUP))
        client = Client()
        client.force_login(curator)
        grow()
        with override_settings(PAGE_CACHE_SECONDS=0, PAGE_CACHE_REFRESH_IN_BACKGROUND=False):
            few = {url: count_queries(client, url) for url in urls}
        grow_more()
        return GrownRegistry(client, few)

    with rows_for_the_group(django_db_blocker, write) as grown:
        yield grown
