"""What a page built behind a visitor's back (``PAGE_CACHE_REFRESH_IN_BACKGROUND``,
ptce_site/cache_flight.py) must never do: keep serving a page that is gone, store another page
than the request would have (its visitor's own values, links without the script prefix), leave
a connection open, or stop this process's next background builds."""

import gc
import os
import re

import pytest
from django.core.cache import cache
from django.middleware.csrf import _unmask_cipher_token
from django.test import Client
from django.urls import clear_script_prefix, set_script_prefix
from django.utils.csp import LazyNonce

from ptce_site import cache as page_cache
from ptce_site import cache_flight
from tests.factories import PoleFactory
from tests.test_cache_flight import ControlledPage, state
from tests.test_cache_refresh import changed, refreshed_in_background, wait_for_the_refresh

pytestmark = pytest.mark.django_db
__all__ = ["refreshed_in_background"]  # its fixture (autouse) applies here too


@pytest.mark.django_db(transaction=True)
def test_an_unpublished_poles_page_is_not_served_once_the_thread_found_it_gone(caplog):
    pole = PoleFactory(name="Pôle Retiré")
    visitor = Client()
    url = pole.get_absolute_url()
    assert state(visitor.get(url)) == "miss"
    pole.is_published = False
    pole.save()
    assert state(visitor.get(url)) == "stale"  # the thread alone knows the page is gone
    wait_for_the_refresh()
    # Not the last copy until it expires (10 minutes), each request building it again.
    assert visitor.get(url).status_code == 404
    assert "Page could not be built in the background" not in caplog.text  # no error


def test_a_page_no_longer_to_store_is_served_as_built_once_the_thread_built_it(settings):
    page = ControlledPage()
    page.get()
    changed(page, "version 2, now bigger than the cache takes")
    settings.PAGE_CACHE_MAX_BYTES = 10
    assert state(page.get()) == "stale"
    wait_for_the_refresh()
    response = page.get()
    assert state(response) is None and response.content == page.text.encode()


def test_a_copy_of_the_request_that_fails_leaves_the_next_builds_to_threads(monkeypatch):
    page = ControlledPage()
    page.get()
    with monkeypatch.context() as patched:
        patched.setattr(page_cache, "_detached", lambda *args: 1 / 0)
        changed(page, "version 2")
        assert page.get().content == b"version 2"  # built by the request, as without a cache
    changed(page, "version 3")
    assert state(page.get()) == "stale"
    wait_for_the_refresh()
    assert page.get().content == b"version 3" and page.builds == 3


@pytest.mark.django_db(transaction=True)
def test_the_thread_stores_the_page_the_request_would_have_stored(settings, monkeypatch):
    """Not the CSRF token of the visitor whose request started the thread in the page then
    served to everyone (no page uses the CSP nonce: tests/test_cache_flight.py checks it with
    a page of its own), and the same bytes and headers as a page built in the request, junk
    in the query string and English included."""
    pole = PoleFactory(name="Pôle Copie")
    url = f"{pole.get_absolute_url()}?utm_source=lettre&lang=en"
    stored = []
    to_entry = cache_flight.to_entry
    monkeypatch.setattr(
        cache_flight, "to_entry", lambda *args: stored.append(to_entry(*args)) or stored[-1]
    )
    settings.PAGE_CACHE_REFRESH_IN_BACKGROUND = False
    assert state(Client().get(url)) == "miss"
    changed(ControlledPage(), "")  # a new generation
    settings.PAGE_CACHE_REFRESH_IN_BACKGROUND = True
    visitor = Client()
    visitor.cookies[settings.CSRF_COOKIE_NAME] = secret = "S" * 32
    served = visitor.get(url)
    assert state(served) == "stale"
    wait_for_the_refresh()
    in_request, in_thread = stored
    assert {**in_thread, "generation": None} == {**in_request, "generation": None}
    page = served.content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="(\w{64})"', page).group(1)
    assert _unmask_cipher_token(token) == secret
    assert token.encode() not in in_thread["content"]
    assert cache_flight.CSRF_PLACEHOLDER in in_thread["content"]


def test_the_nonce_of_the_visitor_who_started_the_thread_is_nobody_elses():
    page = ControlledPage()
    page.get(nonce=LazyNonce())
    changed(page, "version 2")
    starter = LazyNonce()
    assert state(page.get(nonce=starter)) == "stale"
    wait_for_the_refresh()
    nonce = LazyNonce()
    response = page.get(nonce=nonce)
    assert response.content == f'version 2<script nonce="{nonce}"></script>'.encode()
    assert str(starter) not in response.content.decode()


@pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")
def test_a_thread_whose_connections_fail_to_close_leaves_the_next_builds_to_threads(
    monkeypatch,
):
    page = ControlledPage()
    page.get()
    close_all = cache_flight.connections.close_all

    def failing_close_all():
        close_all()
        raise ConnectionError("the database went away")

    with monkeypatch.context() as patched:
        patched.setattr(cache_flight.connections, "close_all", failing_close_all)
        changed(page, "version 2")
        assert state(page.get()) == "stale"
        wait_for_the_refresh()
    changed(page, "version 3")
    assert state(page.get()) == "stale"
    wait_for_the_refresh()
    assert page.get().content == b"version 3"


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="REDIS_URL is not set")
def test_each_background_build_closes_its_own_connection_to_redis():
    def connected() -> int:
        db = str(cache._cache._pools[0].connection_kwargs.get("db", 0))
        clients = cache._cache.get_client(write=True).client_list()
        return sum(client.get("db") == db for client in clients)

    page = ControlledPage()
    page.get()
    before = connected()
    gc.disable()  # the collector would close them sooner or later
    try:
        for version in range(5):
            changed(page, f"version {version}")
            assert state(page.get()) == "stale"
            wait_for_the_refresh()
        assert connected() == before
    finally:
        gc.enable()


@pytest.mark.django_db(transaction=True)
def test_a_site_under_a_script_prefix_keeps_it_in_the_links_of_the_threads_pages():
    pole = PoleFactory(name="Pôle Préfixé")
    url = pole.get_absolute_url()
    visitor = Client()
    set_script_prefix("/registre/")  # what the handler does for SCRIPT_NAME=/registre
    try:
        built_in_request = visitor.get(url).content.decode()
        changed(ControlledPage(), "")  # a new generation
        assert state(visitor.get(url)) == "stale"
        wait_for_the_refresh()
        built_by_thread = visitor.get(url)
    finally:
        clear_script_prefix()
    assert state(built_by_thread) == "hit"
    links = re.findall(r'(?:href|action)="([^"]*)"', built_in_request)
    assert "/registre/poles/" in links
    assert re.findall(r'(?:href|action)="([^"]*)"', built_by_thread.content.decode()) == links
