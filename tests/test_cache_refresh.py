"""After a change, a page with a last copy is built by a thread of the process while that copy
is served, to its builder's visitor too (``PAGE_CACHE_REFRESH_IN_BACKGROUND``,
ptce_site/cache_flight.py): nobody waits for a rebuild, and the new page follows as soon as
the thread has stored it."""

import threading
import time

import pytest
from django.core.cache import cache
from django.test import Client

from ptce_site import cache_flight
from ptce_site.cache import bump_generation
from tests.factories import PoleFactory
from tests.test_cache_flight import ControlledPage, state

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def refreshed_in_background(settings):
    settings.PAGE_CACHE_SECONDS = 600
    settings.PAGE_CACHE_REFRESH_IN_BACKGROUND = True


def wait_for_the_refresh() -> None:
    deadline = time.monotonic() + 10
    for thread in threading.enumerate():
        if thread.name == cache_flight.REFRESH_THREAD:
            thread.join(max(deadline - time.monotonic(), 0))
            assert not thread.is_alive()


def changed(page: ControlledPage, text: str, *, slow: bool = False) -> None:
    page.text = text
    bump_generation()  # what any change to the registry does
    page.building.clear()
    if slow:
        page.finish.clear()


def test_the_first_visitor_after_a_change_gets_the_last_copy_and_the_next_the_new_page():
    page = ControlledPage()
    assert state(page.get()) == "miss"
    changed(page, "version 2", slow=True)
    first = page.get()  # returns at once: the page is built behind it
    assert state(first) == "stale" and first.content == b"version 1"
    assert page.building.wait(5)
    meanwhile = page.get()
    assert state(meanwhile) == "stale" and meanwhile.content == b"version 1"
    page.finish.set()
    wait_for_the_refresh()
    after = page.get()
    assert state(after) == "hit" and after.content == b"version 2"
    assert page.builds == 2  # one build for the change, whoever asked


def test_a_page_never_built_is_built_by_its_request():
    page = ControlledPage()
    response = page.get()
    assert state(response) == "miss" and response.content == b"version 1"
    assert not any(t.name == cache_flight.REFRESH_THREAD for t in threading.enumerate())


def test_one_thread_per_process_a_second_page_is_left_to_the_next_request():
    busy, other = ControlledPage(), ControlledPage(path="/autre-page/")
    busy.get()
    other.get()
    changed(busy, "busy 2", slow=True)
    assert state(busy.get()) == "stale"
    assert busy.building.wait(5)
    other.text = "version 2"
    served = other.get()  # this process's thread is busy: the lock is given back
    assert state(served) == "stale" and served.content == b"version 1"
    assert other.builds == 1 and cache.get(other.lock()) is None
    busy.finish.set()
    wait_for_the_refresh()
    assert state(other.get()) == "stale"  # this request's thread builds it now
    wait_for_the_refresh()
    assert other.get().content == b"version 2" and other.builds == 2


def test_a_failed_build_in_the_background_gives_the_lock_back(caplog):
    page = ControlledPage()
    page.get()
    working, page.finish = page.finish, None  # the view then fails (None.wait)
    changed(page, "version 2")
    assert state(page.get()) == "stale"
    wait_for_the_refresh()
    assert "Page could not be built in the background" in caplog.text
    assert cache.get(page.lock()) is None
    page.finish, page.text = working, "version 3"
    assert state(page.get()) == "stale"  # built again, behind this one
    wait_for_the_refresh()
    assert page.get().content == b"version 3"


@pytest.mark.django_db(transaction=True)
def test_a_real_pages_change_shows_once_the_thread_has_built_it():
    """The thread reads the database with a connection of its own: the change committed by
    the admin or the leaders' space is what it shows."""
    pole = PoleFactory(name="Pôle Sud Archer")
    visitor = Client()
    url = pole.get_absolute_url()
    assert state(visitor.get(url)) == "miss"
    pole.name = "Pôle Nord Archer"
    pole.save()
    served = visitor.get(url)
    assert state(served) == "stale" and "Pôle Sud Archer" in served.content.decode()
    wait_for_the_refresh()
    fresh = visitor.get(url)
    assert state(fresh) == "hit" and "Pôle Nord Archer" in fresh.content.decode()
