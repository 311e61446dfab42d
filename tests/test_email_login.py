"""Leaders log in with their e-mail address, in any case; the lockout still counts per account."""

import re
from html import unescape

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse

from tests.conftest import PASSWORD
from tests.factories import PoleFactory, UserFactory

pytestmark = pytest.mark.django_db

LOGIN = reverse("login")


@pytest.fixture
def leader(db):
    """An account made by an invitation: its username is not what the leader knows."""
    user = UserFactory(username="m.durand-2", email="Marie.Durand@Example.org")
    PoleFactory(name="Pôle du Val").leaders.add(user)
    return user


def post_login(client: Client, identifier: str, password: str):
    return client.post(LOGIN, {"username": identifier, "password": password})


def logged_in_as(client: Client):
    return client.session.get("_auth_user_id")


@pytest.mark.parametrize(
    "identifier",
    ["marie.durand@example.org", "MARIE.DURAND@EXAMPLE.ORG", " Marie.Durand@Example.org "],
)
def test_a_leader_logs_in_with_the_e_mail_address_in_any_case(leader, identifier):
    client = Client()
    response = post_login(client, identifier, PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("space:my-poles")
    assert logged_in_as(client) == str(leader.pk)


def test_the_username_still_works_for_staff(curator):
    client = Client()
    assert post_login(client, "claire", PASSWORD).status_code == 302
    assert logged_in_as(client) == str(curator.pk)


def test_a_wrong_password_is_refused_in_french(leader):
    client = Client()
    response = post_login(client, "marie.durand@example.org", "pas-le-bon")
    assert response.status_code == 200
    assert "Adresse e-mail ou mot de passe incorrect." in response.content.decode()
    assert logged_in_as(client) is None


def test_an_inactive_account_cannot_log_in_by_e_mail(leader):
    leader.is_active = False
    leader.save()
    client = Client()
    assert post_login(client, "marie.durand@example.org", PASSWORD).status_code == 200
    assert logged_in_as(client) is None


def test_the_login_form_asks_for_the_e_mail_address(client):
    html = client.get(LOGIN).content.decode()
    label = re.search(r'<label for="id_username">(.*?)</label>', html, re.S)
    assert label and "Adresse e-mail" in unescape(label.group(1))
    assert "nom d'utilisateur" not in unescape(html).lower()
    assert "nom d’utilisateur" not in unescape(html).lower()


def test_failures_by_address_and_username_lock_the_same_account(leader, settings):
    client = Client()
    identifiers = ["marie.durand@example.org", "MARIE.DURAND@example.org", "m.durand-2"]
    for number in range(settings.AXES_FAILURE_LIMIT):
        post_login(client, identifiers[number % len(identifiers)], "mauvais")
    # One account, one count, whatever was typed.
    assert AccessAttempt.objects.get().username == "m.durand-2"
    response = post_login(client, "Marie.Durand@Example.org", PASSWORD)
    assert response.status_code == 429
    assert logged_in_as(client) is None


def test_a_hostile_identifier_is_a_failed_login_not_an_error(leader):
    for identifier in ["x" * 300 + "@example.org", "marie\x00@example.org", "@", ""]:
        response = post_login(Client(), identifier, PASSWORD)
        assert response.status_code == 200


def test_the_footer_names_the_staff_area_without_curators(client, seeded):
    html = unescape(client.get("/").content.decode())
    assert "Espace de l'équipe" in html
    assert "curateur" not in html.lower()
