"""The shared cache (Redis when REDIS_URL is set) and the page cache of the public site.

Anonymous visitors get cached pages; a change to the registry shows on the next request;
logged-in users always see fresh data; per-visitor values (CSRF token, CSP nonce, messages)
are never served to someone else. The keys (junk and tracking parameters, order, the size
cap) are tested in tests/test_cache_keys.py.
"""

import os
import re
import uuid

import pytest
from django.conf import settings
from django.contrib.messages import constants
from django.contrib.messages.storage.base import Message
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.template import engines
from django.test import Client, RequestFactory
from django.utils.csp import LazyNonce

from calls.models import Application
from members.models import Membership
from poles.models import Pole
from ptce_site.cache import GENERATION_KEY, bump_generation, cache_public_page
from ptce_site.cache_flight import CSRF_PLACEHOLDER, NONCE_PLACEHOLDER
from tests.factories import (
    ApplicationFactory,
    CallFactory,
    MembershipFactory,
    MilestoneFactory,
    OrganisationFactory,
    PoleFactory,
    RegionFactory,
    SectorFactory,
)


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="REDIS_URL is not set")
def test_redis_cache_is_shared_through_redis():
    import redis

    assert settings.CACHES["default"]["BACKEND"].endswith("RedisCache")
    key = f"test-{uuid.uuid4()}"
    cache.set(key, {"poles": 23}, timeout=30)
    assert cache.get(key) == {"poles": 23}
    # Another client (another node) sees the value in Redis itself.
    raw = redis.Redis.from_url(os.environ["REDIS_URL"])
    assert any(name.decode().endswith(key) for name in raw.scan_iter(f"*{key}"))
    cache.delete(key)
    assert cache.get(key) is None


def test_cache_works_without_redis_too():
    key = f"test-{uuid.uuid4()}"
    cache.set(key, "ok", timeout=30)
    assert cache.get(key) == "ok"


# The page cache ------------------------------------------------------------------------

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def page_cache_on(settings):
    # On by default with Redis only (see the settings); these tests run with either cache.
    settings.PAGE_CACHE_SECONDS = 600


def get(client, url, **extra):
    response = client.get(url, **extra)
    assert response.status_code == 200, (url, response.status_code)
    return response


def served_from_cache(response) -> bool:
    return response.get("X-Page-Cache") == "hit"


def text(response) -> str:
    return response.content.decode()


@pytest.mark.parametrize(
    "url",
    ["/", "/poles/", "/poles/?q=archer", "/poles/pole-sud-archer/", "/regions/",
     "/appels/", "/organisations/", "/carte/", "/api/poles.geojson", "/api/regions.geojson",
     "/api/poles.json", "/a-propos/"],
)
def test_anonymous_pages_are_served_from_the_cache_the_second_time(client, pole, url):
    first = get(client, url)
    assert not served_from_cache(first)
    second = get(client, url)
    assert served_from_cache(second)
    assert second["Content-Type"] == first["Content-Type"]
    assert "Content-Security-Policy" in second and second["X-Frame-Options"] == "DENY"


def test_region_call_and_organisation_pages_are_cached(client):
    region = RegionFactory(name="Occitanie", slug="occitanie")
    call = CallFactory(title="Appel 2013", slug="appel-2013")
    organisation = OrganisationFactory(name="Coopérative Lumière", slug="cooperative-lumiere")
    for url in [region.get_absolute_url(), call.get_absolute_url(),
                organisation.get_absolute_url()]:
        get(client, url)
        assert served_from_cache(get(client, url)), url


def test_pole_change_shows_on_the_next_request(client, pole):
    assert "Pôle Sud Archer" in text(get(client, "/poles/"))
    assert served_from_cache(get(client, "/poles/"))
    pole.name = "Pôle Nord Archer"
    pole.save()
    directory = get(client, "/poles/")
    assert "Pôle Nord Archer" in text(directory) and not served_from_cache(directory)
    assert "Pôle Nord Archer" in text(get(client, pole.get_absolute_url()))


def test_deleted_pole_disappears_on_the_next_request(client, pole):
    get(client, "/poles/")
    pole.delete()
    assert "Pôle Sud Archer" not in text(get(client, "/poles/"))


def test_membership_and_organisation_changes_show_on_the_pole_page(client, pole):
    url = pole.get_absolute_url()
    get(client, url)
    membership = MembershipFactory(pole=pole, organisation__name="Régie de quartier Est")
    assert "Régie de quartier Est" in text(get(client, url))
    organisation = membership.organisation
    organisation.name = "Régie de quartier Ouest"
    organisation.save()
    assert "Régie de quartier Ouest" in text(get(client, url))
    Membership.objects.filter(pk=membership.pk).delete()
    assert "Régie de quartier Ouest" not in text(get(client, url))


def test_sector_and_region_changes_show_on_the_next_request(client, pole):
    url = pole.get_absolute_url()
    get(client, url)
    sector = SectorFactory(name="Recyclerie")
    pole.sectors.add(sector)  # many-to-many: m2m_changed
    assert "Recyclerie" in text(get(client, url))
    sector.name = "Ressourcerie"
    sector.save()
    assert "Ressourcerie" in text(get(client, url))
    region = pole.region
    get(client, region.get_absolute_url())
    region.name = "Région renommée"
    region.save()
    assert "Région renommée" in text(get(client, region.get_absolute_url()))


def test_call_milestone_and_application_changes_show_on_the_call_page(client, pole):
    call = CallFactory(title="Appel interministériel")
    url = call.get_absolute_url()
    assert "Pôle Sud Archer" not in text(get(client, url))
    assert served_from_cache(get(client, url))
    ApplicationFactory(call=call, pole=pole, outcome=Application.Outcome.LAUREATE)
    assert "Pôle Sud Archer" in text(get(client, url))
    MilestoneFactory(call=call, label="Annonce des lauréats")
    assert "Annonce des lauréats" in text(get(client, url))
    call.title = "Appel interministériel de 2013"
    call.save()
    assert "Appel interministériel de 2013" in text(get(client, url))


def test_geojson_shows_a_change_on_the_next_request_and_keeps_its_etag(client, pole):
    pole.latitude, pole.longitude = 45.0, 4.0
    pole.save()
    first = get(client, "/api/poles.geojson")
    second = get(client, "/api/poles.geojson")
    assert served_from_cache(second) and second["ETag"] == first["ETag"]
    assert client.get("/api/poles.geojson", HTTP_IF_NONE_MATCH=second["ETag"]).status_code == 304
    pole.name = "Pôle Est Archer"
    pole.save()
    assert "Pôle Est Archer" in text(get(client, "/api/poles.geojson"))


def test_gzip_and_plain_clients_get_their_own_cached_copy(client, pole):
    pole.latitude, pole.longitude = 45.0, 4.0
    pole.save()
    # Enough poles that gzip always pays: Django leaves a body uncompressed when its gzip,
    # padded with up to 100 random bytes against BREACH, is not smaller (one pole's was not,
    # once in a while).
    PoleFactory.create_batch(10, latitude=45.0, longitude=4.0)
    get(client, "/api/poles.geojson", HTTP_ACCEPT_ENCODING="gzip")
    zipped = get(client, "/api/poles.geojson", HTTP_ACCEPT_ENCODING="gzip")
    assert served_from_cache(zipped) and zipped["Content-Encoding"] == "gzip"
    plain = get(client, "/api/poles.geojson")
    assert "Content-Encoding" not in plain
    assert '"FeatureCollection"' in text(plain)


def test_publishing_from_the_admin_shows_on_the_next_request(client, curator):
    """The admin's publish/unpublish actions use a bulk update(): no signal is sent."""
    pole = PoleFactory(name="Pôle Ouest Archer")
    assert "Pôle Ouest Archer" in text(get(client, "/poles/"))
    staff = Client()
    staff.force_login(curator)
    response = staff.post(
        "/admin/poles/pole/",
        {"action": "unpublish", "_selected_action": [pole.pk]},
    )
    assert response.status_code == 302
    pole.refresh_from_db()
    assert not pole.is_published
    assert "Pôle Ouest Archer" not in text(get(client, "/poles/"))
    assert client.get(pole.get_absolute_url()).status_code == 404


def test_bump_version_then_bump_generation_shows_on_the_next_request(client, pole):
    get(client, pole.get_absolute_url())
    Pole.objects.filter(pk=pole.pk).bump_version(name="Pôle Sud Archer bis")
    bump_generation()  # what code doing bulk updates outside a staff request must call
    assert "Pôle Sud Archer bis" in text(get(client, pole.get_absolute_url()))


def test_logged_in_users_always_see_fresh_data(client, pole, stranger, curator):
    get(client, "/poles/")
    # A bulk update outside a staff request, without bump_generation(): the cache is stale...
    Pole.objects.filter(pk=pole.pk).update(name="Pôle Sud Archer renommé")
    assert "Pôle Sud Archer renommé" not in text(get(client, "/poles/"))
    # ...but not for logged-in users, leaders or staff.
    for user in (stranger, curator):
        logged_in = Client()
        logged_in.force_login(user)
        response = get(logged_in, "/poles/")
        assert "Pôle Sud Archer renommé" in text(response)
        assert not served_from_cache(response) and "X-Page-Cache" not in response


def test_logged_in_pages_are_never_stored(client, pole, stranger):
    logged_in = Client()
    logged_in.force_login(stranger)
    get(logged_in, "/poles/")
    assert "Se déconnecter" in text(get(logged_in, "/poles/"))
    anonymous = get(client, "/poles/")
    assert not served_from_cache(anonymous)
    assert "Se déconnecter" not in text(anonymous)


def test_each_language_has_its_own_cached_page(client, pole):
    assert '<html lang="fr">' in text(get(client, "/poles/"))
    english = get(client, "/poles/?lang=en")
    assert '<html lang="en">' in text(english) and not served_from_cache(english)
    assert served_from_cache(get(client, "/poles/?lang=en"))
    # The language cookie (the switcher) selects the English copy of the same URL.
    english_visitor = Client()
    english_visitor.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    get(english_visitor, "/poles/")
    response = get(english_visitor, "/poles/")
    assert served_from_cache(response) and '<html lang="en">' in text(response)
    french = get(client, "/poles/")
    assert served_from_cache(french) and '<html lang="fr">' in text(french)


def test_each_query_string_has_its_own_cached_page(client, pole):
    PoleFactory(name="Pôle Maritime")
    found = get(client, "/poles/?q=archer")
    assert "Pôle Sud Archer" in text(found) and "Pôle Maritime" not in text(found)
    other = get(client, "/poles/?q=maritime")
    assert "Pôle Maritime" in text(other) and "Pôle Sud Archer" not in text(other)
    assert not served_from_cache(other)
    assert served_from_cache(get(client, "/poles/?q=archer"))
    assert not served_from_cache(get(client, "/poles/?q=archer&sort=name"))


def test_cached_page_gives_each_visitor_a_working_language_form(client, pole):
    first_page = text(get(client, "/poles/"))
    visitor = Client(enforce_csrf_checks=True)
    response = get(visitor, "/poles/")
    assert served_from_cache(response)
    page = text(response)
    assert CSRF_PLACEHOLDER.decode() not in page
    token = re.search(r'name="csrfmiddlewaretoken" value="([A-Za-z0-9]{64})"', page).group(1)
    first_token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', first_page).group(1)
    assert token != first_token
    assert settings.CSRF_COOKIE_NAME in response.cookies  # this visitor's own cookie
    switch = visitor.post(
        "/i18n/setlang/", {"language": "en", "next": "/poles/", "csrfmiddlewaretoken": token}
    )
    assert switch.status_code == 302 and switch["Location"] == "/poles/"
    assert '<html lang="en">' in text(get(visitor, "/poles/"))


def test_another_visitors_token_is_refused(client, pole):
    """The first visitor's token, had it been cached, would not work for anyone else."""
    page = text(get(client, "/poles/"))
    stolen = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    visitor = Client(enforce_csrf_checks=True)
    get(visitor, "/poles/")
    refused = visitor.post(
        "/i18n/setlang/", {"language": "en", "next": "/", "csrfmiddlewaretoken": stolen}
    )
    assert refused.status_code == 403


def _messages_cookie(text: str) -> str:
    storage = CookieStorage(HttpRequest())
    return storage._encode([Message(constants.SUCCESS, text)])


def test_a_page_with_a_flash_message_is_never_cached_nor_served_from_cache(client, pole):
    get(client, "/poles/")  # cached without message
    with_message = Client()
    with_message.cookies["messages"] = _messages_cookie("Vous êtes déconnecté.")
    response = get(with_message, "/poles/")
    assert "Vous êtes déconnecté." in text(response) and not served_from_cache(response)
    # And the page that showed it was not stored for others.
    cache.clear()
    shown = Client()
    shown.cookies["messages"] = _messages_cookie("Bienvenue.")
    assert "Bienvenue." in text(get(shown, "/"))
    other = get(client, "/")
    assert "Bienvenue." not in text(other) and not served_from_cache(other)


def test_each_response_gets_its_own_csp_nonce():
    template = engines["django"].from_string('<script nonce="{{ nonce }}" src="/a.js"></script>')

    @cache_public_page()
    def view(request):
        return HttpResponse(template.render({"nonce": request._csp_nonce}))

    def request():
        from django.contrib.auth.models import AnonymousUser

        made = RequestFactory().get("/page/")
        made.user = AnonymousUser()
        made._csp_nonce = LazyNonce()
        return made

    first, second = request(), request()
    first_body, second_body = view(first).content.decode(), view(second).content.decode()
    assert f'nonce="{first._csp_nonce}"' in first_body
    assert f'nonce="{second._csp_nonce}"' in second_body
    assert str(first._csp_nonce) != str(second._csp_nonce)
    assert NONCE_PLACEHOLDER.decode() not in second_body


def test_a_new_generation_after_the_cache_lost_it(client, pole):
    get(client, "/poles/")
    cache.delete(GENERATION_KEY)  # evicted, or Redis restarted without its data
    assert not served_from_cache(get(client, "/poles/"))
    assert cache.get(GENERATION_KEY)


def test_page_cache_can_be_switched_off(client, pole, settings):
    settings.PAGE_CACHE_SECONDS = 0
    get(client, "/poles/")
    assert not served_from_cache(get(client, "/poles/"))


def test_only_staff_writes_bump_the_generation(client, stranger):
    cache.set(GENERATION_KEY, "before", timeout=None)
    Client().post("/i18n/setlang/", {"language": "en", "next": "/"})
    logged_in = Client()
    logged_in.force_login(stranger)
    logged_in.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert cache.get(GENERATION_KEY) == "before"

