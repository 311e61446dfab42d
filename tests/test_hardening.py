"""Smaller holes of issue #10 (item 9): cookies, caching of private pages, the health check
behind a load balancer, error pages, clearing a commune, user links in the history."""

from html import unescape

import pytest
from django.test import Client
from django.urls import reverse

from tests import production
from tests.factories import CommuneFactory, PoleFactory, RegionFactory, UserFactory
from tests.poles.test_space import form_data, login

pytestmark = pytest.mark.django_db


def production_python(code: str, tmp_path) -> str:
    """What ``code`` printed (and what went wrong) under the production settings, on a fresh
    SQLite file and without Redis."""
    result = production.run_python(
        code, DATABASE_URL=f"sqlite:///{tmp_path}/production.sqlite3", REDIS_URL=""
    )
    return result.stdout + result.stderr


def test_in_production_the_language_cookie_is_secure_and_lax_and_healthz_skips_https(tmp_path):
    output = production_python(
        """
from django.test import Client
client = Client(HTTP_HOST="ptce.example.org")
response = client.post("/i18n/setlang/", {"language": "en", "next": "/"}, secure=True)
cookie = response.cookies["django_language"]
print("cookie", bool(cookie["secure"]), cookie["samesite"])
health = client.get("/healthz")  # plain HTTP, as a load balancer asks
print("healthz", health.status_code)
print("robots", client.get("/robots.txt").status_code)
""",
        tmp_path,
    )
    assert "cookie True Lax" in output, output
    assert "healthz 200" in output, output
    assert "robots 301" in output, output  # every other page still goes to HTTPS


@pytest.fixture
def private_urls(pole, alice):
    return {
        "leader": [
            reverse("space:my-poles"),
            reverse("space:edit-pole", args=[pole.slug]),
            reverse("space:pole-history", args=[pole.slug]),
            reverse("password_change"),
        ],
        "anonymous": [reverse("login"), reverse("password_reset"), reverse("admin:login")],
    }


def test_private_pages_are_never_stored_by_a_browser_or_proxy(private_urls, alice, curator):
    clients = {"leader": login(alice), "anonymous": Client()}
    for who, urls in private_urls.items():
        for url in urls:
            response = clients[who].get(url)
            assert response.status_code == 200, url
            control = response["Cache-Control"]
            assert "private" in control and "no-store" in control, (url, control)
    staff = login(curator)
    response = staff.get(reverse("admin:poles_pole_changelist"))
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]


def test_public_pages_stay_cacheable(client, pole):
    response = client.get(pole.get_absolute_url())
    assert "no-store" not in response.get("Cache-Control", "")


@pytest.mark.parametrize(
    ("lang", "title"),
    [
        ("fr", "Cette demande n'a pas pu être comprise"),
        ("en", "This request could not be understood"),
    ],
)
def test_a_bad_request_gets_the_sites_400_page_in_its_language(lang, title):
    response = Client(raise_request_exception=False, HTTP_HOST="evil.example").get(
        f"/poles/?lang={lang}"
    )
    assert response.status_code == 400
    html = unescape(response.content.decode())
    assert title in html and f'<html lang="{lang}">' in html
    assert "site.css" in html and 'class="site-header"' in html


def test_a_forbidden_admin_page_gets_the_sites_403_page(curator):
    response = login(curator).get(reverse("admin:auth_user_changelist"))
    assert response.status_code == 403
    html = unescape(response.content.decode())
    assert "Accès refusé" in html and "Votre compte ne permet pas d'ouvrir cette page" in html
    assert 'class="site-header' in html


def test_a_csrf_failure_says_what_to_do(pole):
    visitor = Client(enforce_csrf_checks=True)
    response = visitor.post(reverse("poles:pole-claim", args=[pole.slug]), {"name": "x"})
    assert response.status_code == 403
    html = unescape(response.content.decode())
    assert "Le formulaire n'a pas pu être envoyé" in html
    assert "rechargez-la, puis envoyez le formulaire à nouveau" in html
    response = visitor.post(
        reverse("poles:pole-claim", args=[pole.slug]) + "?lang=en", {"name": "x"}
    )
    assert "The form could not be sent" in unescape(response.content.decode())


# Clearing a commune ------------------------------------------------------------------------


@pytest.fixture
def bordeaux():
    return CommuneFactory(
        code="33063", name="Bordeaux", region=RegionFactory(code="75", name="Nouvelle-Aquitaine"),
        latitude=44.8378, longitude=-0.5792,
    )


def edit(client, pole, **changes):
    pole.refresh_from_db()
    response = client.post(
        reverse("space:edit-pole", args=[pole.slug]), form_data(pole, **changes)
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    pole.refresh_from_db()


def test_clearing_the_commune_clears_what_came_from_it(pole, alice, bordeaux):
    region_from_source = pole.region
    leader = login(alice)
    edit(leader, pole, commune_code="33063", commune_name="")
    assert (pole.commune_name, pole.region, pole.latitude) == ("Bordeaux", bordeaux.region, 44.8378)

    edit(leader, pole, commune_code="", latitude="", longitude="")
    edit(leader, pole, commune_code="33063", commune_name="")
    edit(leader, pole, commune_code="")
    assert pole.commune_name == ""
    assert pole.latitude is None and pole.longitude is None  # no "Bordeaux coordinates"
    assert pole.region == region_from_source  # what the pole had before the commune


def test_a_point_placed_by_hand_stays_when_the_commune_is_cleared(pole, alice, bordeaux):
    leader = login(alice)
    edit(leader, pole, commune_code="33063", commune_name="")
    edit(leader, pole, latitude="44.9", longitude="-0.6")
    edit(leader, pole, commune_code="")
    assert (pole.latitude, pole.longitude) == (44.9, -0.6)
    assert pole.commune_name == ""


def test_a_region_chosen_while_clearing_the_commune_is_kept(bordeaux):
    pole = PoleFactory(commune_code="33063")
    pole.full_clean()
    pole.save()
    pole = type(pole).objects.get(pk=pole.pk)
    corse = RegionFactory(code="94", name="Corse")
    pole.commune_code, pole.region = "", corse
    pole.full_clean()
    assert (pole.region, pole.commune_name, pole.latitude) == (corse, "", None)


# History -----------------------------------------------------------------------------------


def test_a_curator_sees_who_changed_a_pole_without_a_link_to_a_forbidden_page(
    curator, pole
):
    pole.summary = "Nouveau résumé"
    pole._history_user = curator
    pole.save()
    client = login(curator)
    page = client.get(reverse("admin:poles_pole_history", args=[pole.pk]))
    html = page.content.decode()
    assert "claire" in html
    user_url = reverse("admin:auth_user_change", args=[curator.pk])
    assert user_url not in html
    assert client.get(user_url).status_code == 403  # what the link would have led to


def test_an_administrator_gets_the_link(pole, admin_user):
    pole.summary = "Nouveau résumé"
    pole._history_user = admin_user
    pole.save()
    client = login(admin_user)
    html = client.get(reverse("admin:poles_pole_history", args=[pole.pk])).content.decode()
    assert reverse("admin:auth_user_change", args=[admin_user.pk]) in html


# Links come from SITE_URL, never from the Host header ------------------------------------


def test_a_forged_host_changes_no_link(pole, curator, settings):
    from django.core import mail

    settings.SITE_URL = "https://ptce.example.org"
    settings.ALLOWED_HOSTS = ["ptce.example.org", "localhost"]
    UserFactory(username="nadia", email="nadia@example.org")
    visitor = Client(HTTP_HOST="localhost:31337")
    visitor.post(reverse("password_reset"), {"email": "nadia@example.org"})
    visitor.post(
        reverse("poles:pole-claim", args=[pole.slug]),
        {"name": "N", "role": "R", "email": "n@example.org", "message": "", "website": ""},
    )
    page = visitor.get(pole.get_absolute_url()).content.decode()
    geojson = visitor.get("/api/poles.geojson").content.decode()
    robots = visitor.get("/robots.txt").content.decode()
    sitemap = visitor.get("/sitemap.xml").content.decode()
    assert len(mail.outbox) >= 2
    for text in [*(m.body for m in mail.outbox), page, geojson, robots, sitemap]:
        assert "31337" not in text and "localhost" not in text
    assert f'href="https://ptce.example.org{pole.get_absolute_url()}"' in page
    assert "https://ptce.example.org/compte/reset/" in mail.outbox[0].body


def test_clearing_after_two_communes_brings_back_the_region_from_before_both(pole, alice, bordeaux):
    CommuneFactory(code="2A004", name="Ajaccio", region=RegionFactory(code="94", name="Corse"))
    region_from_source = pole.region
    leader = login(alice)
    edit(leader, pole, commune_code="2A004", commune_name="")
    edit(leader, pole, commune_code="33063", commune_name="")
    edit(leader, pole, commune_code="")
    assert (pole.region, pole.commune_name, pole.latitude) == (region_from_source, "", None)


def test_a_bad_host_refused_before_the_language_is_chosen_gets_the_asked_language(settings):
    """With the HTTPS redirect, the Host header is checked before the language middleware."""
    settings.SECURE_SSL_REDIRECT = True
    for lang, title in [("en", "Bad request"), ("fr", "Requête incorrecte"), ("en", "Bad request")]:
        response = Client(raise_request_exception=False, HTTP_HOST="evil.example").get(
            f"/?lang={lang}"
        )
        assert response.status_code == 400
        assert f"<title>{title}" in unescape(response.content.decode())
