"""A missing page is built once (ptce_site/cache_flight.py): while one request builds it, the
others serve its last copy (``X-Page-Cache: stale``), else wait briefly for the new one, else
build it themselves; a dead builder blocks nobody for long. With Redis (REDIS_URL) the lock and
the copies go through Redis, as between two gunicorn workers; without it, through the
per-process cache, between threads.
"""

import re
import threading
import time

import pytest
from django.conf import settings
from django.contrib.messages import constants
from django.contrib.messages.storage.base import Message
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.db import connections
from django.http import HttpRequest, HttpResponse, QueryDict
from django.test import Client, RequestFactory
from django.utils import translation
from django.utils.csp import LazyNonce

from ptce_site import cache_flight
from ptce_site.cache import (
    bump_generation,
    cache_public_page,
    current_generation,
    dont_store_this_page,
)
from ptce_site.cache_flight import CSRF_PLACEHOLDER, PageKeys

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def page_cache_on(settings):
    settings.PAGE_CACHE_SECONDS = 600


def get(client, url, **extra):
    response = client.get(url, **extra)
    assert response.status_code == 200, (url, response.status_code)
    return response


def text(response) -> str:
    return response.content.decode()


def _messages_cookie(text: str) -> str:
    storage = CookieStorage(HttpRequest())
    return storage._encode([Message(constants.SUCCESS, text)])


class ControlledPage:
    """A cached page whose text and build the test controls: ``building`` is set while a
    request builds it, which then waits for ``finish``, as a slow worker would."""

    def __init__(self, *, storable: bool = True, path: str = "/page/"):
        self.path = path
        self.text = "version 1"
        self.builds = 0
        self.building = threading.Event()
        self.finish = threading.Event()
        self.finish.set()

        @cache_public_page()
        def view(request):
            self.builds += 1
            text = self.text
            self.building.set()
            assert self.finish.wait(10)
            if not storable:
                dont_store_this_page(request)
            if hasattr(request, "_csp_nonce"):
                text += f'<script nonce="{request._csp_nonce}"></script>'
            return HttpResponse(text)

        self.view = view

    def get(self, *, nonce: LazyNonce | None = None) -> HttpResponse:
        from django.contrib.auth.models import AnonymousUser

        request = RequestFactory().get(self.path)
        request.user = AnonymousUser()
        if nonce is not None:
            request._csp_nonce = nonce
        with translation.override("fr"):  # as the pages' LanguageMiddleware does
            return self.view(request)

    def get_in_thread(self) -> dict:
        """Starts a request in another thread; its response lands in the dict's "response"."""
        outcome = {}

        def run():
            try:
                outcome["response"] = self.get()
            finally:
                connections.close_all()

        outcome["thread"] = threading.Thread(target=run)
        outcome["thread"].start()
        return outcome

    def lock(self) -> str:
        request = RequestFactory().get(self.path)
        with translation.override("fr"):
            return PageKeys.of(request, current_generation(), QueryDict()).lock


def state(response) -> str | None:
    return response.get("X-Page-Cache")


def finished(outcome: dict) -> HttpResponse:
    outcome["thread"].join(10)
    assert not outcome["thread"].is_alive()
    return outcome["response"]


def test_the_last_copy_is_served_while_another_request_builds_the_page():
    page = ControlledPage()
    assert page.get().content == b"version 1"
    page.text = "version 2"
    bump_generation()  # what any change to the registry does
    page.finish.clear()
    page.building.clear()
    builder = page.get_in_thread()  # takes the lock, and builds slowly
    assert page.building.wait(5)
    meanwhile = page.get()
    assert state(meanwhile) == "stale" and meanwhile.content == b"version 1"
    assert page.builds == 2  # the stale copy cost no build
    page.finish.set()
    built = finished(builder)
    assert state(built) == "miss" and built.content == b"version 2"
    after = page.get()
    assert state(after) == "hit" and after.content == b"version 2"
    assert page.builds == 2


def test_without_a_copy_requests_wait_for_the_page_being_built(monkeypatch):
    monkeypatch.setattr(cache_flight, "WAIT_SECONDS", 10.0)  # however slow the machine
    page = ControlledPage()
    page.finish.clear()
    builder = page.get_in_thread()
    assert page.building.wait(5)
    waiters = [page.get_in_thread() for _ in range(3)]
    time.sleep(0.2)  # they are waiting, not building
    assert page.builds == 1
    page.finish.set()
    assert state(finished(builder)) == "miss"
    for waiter in waiters:
        response = finished(waiter)
        assert state(response) == "hit" and response.content == b"version 1"
    assert page.builds == 1


def test_a_dead_builder_blocks_nobody(monkeypatch):
    page = ControlledPage()
    # A worker took the lock and died: no page, and nobody will release the lock.
    cache.add(page.lock(), "dead", timeout=60)
    monkeypatch.setattr(cache_flight, "WAIT_SECONDS", 0.3)
    started = time.monotonic()
    response = page.get()
    assert response.status_code == 200 and response.content == b"version 1"
    assert time.monotonic() - started < 5  # not the lock's 60 s
    assert state(page.get()) == "hit"  # and it was stored for the others


def test_the_last_copy_stops_when_the_dead_builders_lock_expires():
    page = ControlledPage()
    page.get()
    page.text = "version 2"
    bump_generation()
    cache.add(page.lock(), "dead", timeout=1)
    assert page.get().content == b"version 1"  # stale while the lock lives
    time.sleep(1.2)
    rebuilt = page.get()
    assert state(rebuilt) == "miss" and rebuilt.content == b"version 2"
    assert state(page.get()) == "hit"


def test_a_page_not_to_store_is_built_by_those_who_waited_for_it():
    page = ControlledPage(storable=False)
    page.finish.clear()
    builder = page.get_in_thread()
    assert page.building.wait(5)
    waiter = page.get_in_thread()
    time.sleep(0.1)
    page.finish.set()
    assert finished(builder).content == b"version 1"
    response = finished(waiter)
    assert response.status_code == 200 and response.content == b"version 1"
    assert state(response) is None and page.builds == 2


def hold_the_lock_of(path: str) -> str:
    """Takes the lock of ``path``'s French page, as a worker building it would."""
    request = RequestFactory().get(path)
    with translation.override("fr"):
        lock = PageKeys.of(request, current_generation(), QueryDict()).lock
    assert cache.add(lock, "another worker", timeout=60)
    return lock


def test_a_stale_page_carries_this_responses_own_nonce():
    page = ControlledPage()
    page.get(nonce=LazyNonce())
    bump_generation()
    cache.add(page.lock(), "another worker", timeout=60)
    nonce = LazyNonce()
    response = page.get(nonce=nonce)
    assert state(response) == "stale"
    assert response.content == f'version 1<script nonce="{nonce}"></script>'.encode()


def test_a_stale_page_gives_each_visitor_a_working_language_form(client, pole):
    url = pole.get_absolute_url()
    first = text(get(client, url))
    pole.name = "Pôle Nord Archer"
    pole.save()
    lock = hold_the_lock_of(url)
    visitor = Client(enforce_csrf_checks=True)
    response = get(visitor, url)
    page = text(response)
    assert state(response) == "stale" and "Pôle Sud Archer" in page
    assert CSRF_PLACEHOLDER.decode() not in page
    token = re.search(r'name="csrfmiddlewaretoken" value="([A-Za-z0-9]{64})"', page).group(1)
    assert token not in first and settings.CSRF_COOKIE_NAME in response.cookies
    switch = visitor.post(
        "/i18n/setlang/", {"language": "en", "next": url, "csrfmiddlewaretoken": token}
    )
    assert switch.status_code == 302
    cache.delete(lock)  # its builder is done
    fresh = get(client, url)
    assert state(fresh) == "miss" and "Pôle Nord Archer" in text(fresh)


def test_no_stale_page_for_visitors_the_cache_does_not_serve(client, pole, stranger):
    url = pole.get_absolute_url()
    get(client, url)
    pole.name = "Pôle Nord Archer"
    pole.save()
    hold_the_lock_of(url)
    assert state(get(client, url)) == "stale"
    with_message = Client()
    with_message.cookies["messages"] = _messages_cookie("Merci pour votre proposition.")
    logged_in = Client()
    logged_in.force_login(stranger)
    for visitor in (with_message, logged_in):
        response = get(visitor, url)
        assert "Pôle Nord Archer" in text(response) and state(response) is None
