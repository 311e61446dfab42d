"""Accounts: logging in and out, password reset, lockout after repeated failures."""

import re

import pytest
from axes.models import AccessAttempt
from django.core import mail
from django.test import Client
from django.urls import reverse

from tests.answers import page_text
from tests.conftest import PASSWORD
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LOGIN = reverse("login")


@pytest.fixture
def alice(db):
    return UserFactory(username="alice", email="alice@example.org")


def post_login(client: Client, username: str, password: str, **extra):
    return client.post(LOGIN, {"username": username, "password": password, **extra})


def test_login_page_is_french_and_labelled(client):
    html = client.get(LOGIN).content.decode()
    assert "Se connecter" in html and "Mot de passe oublié" in html
    assert re.search(r'<label for="id_username">', html)
    assert re.search(r'<label for="id_password">', html)


def test_leader_logs_in_and_lands_in_their_space_then_logs_out(alice):
    client = Client()
    response = post_login(client, "alice", PASSWORD)
    assert response.status_code == 302 and response["Location"] == reverse("space:my-poles")
    assert client.get(reverse("space:my-poles")).status_code == 200
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get(reverse("space:my-poles")).status_code == 302


def test_wrong_password_says_so_in_french(alice):
    response = post_login(Client(), "alice", "pas-le-bon")
    assert response.status_code == 200
    assert "Adresse e-mail ou mot de passe incorrect." in response.content.decode()


def test_login_never_redirects_to_another_site(alice):
    client = Client()
    response = post_login(client, "alice", PASSWORD, next="https://pirate.example/")
    assert response.status_code == 302
    assert response["Location"] == reverse("space:my-poles")
    response = post_login(Client(), "alice", PASSWORD, next="//pirate.example/espace/")
    assert response["Location"] == reverse("space:my-poles")
    response = post_login(Client(), "alice", PASSWORD, next="/poles/")
    assert response["Location"] == "/poles/"


def test_login_form_is_protected_by_csrf(alice):
    client = Client(enforce_csrf_checks=True)
    assert post_login(client, "alice", PASSWORD).status_code == 403
    assert "_auth_user_id" not in client.session


def test_repeated_failures_lock_the_account_with_a_clear_message(alice, settings):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert post_login(client, "alice", "mauvais").status_code == 200
    response = post_login(client, "alice", "mauvais")
    assert response.status_code == 429
    html = response.content.decode()
    assert "Connexion temporairement bloquée" in html
    assert "réessayez plus tard" in html
    # Even the right password is refused while the lock lasts.
    response = post_login(client, "alice", PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    # Another account from the same address is not locked by alice's failures.
    UserFactory(username="bob")
    assert post_login(Client(), "bob", PASSWORD).status_code == 302


def test_staff_unlock_a_locked_account_in_the_admin(alice, curator_client, settings):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        post_login(client, "alice", "mauvais")
    attempt = AccessAttempt.objects.get(username="alice")
    changelist = reverse("admin:axes_accessattempt_changelist")
    assert "alice" in curator_client.get(changelist).content.decode()
    response = curator_client.post(
        changelist,
        {"action": "delete_selected", "_selected_action": [attempt.pk], "post": "yes"},
    )
    assert response.status_code == 302
    assert not AccessAttempt.objects.exists()
    assert post_login(client, "alice", PASSWORD).status_code == 302


def test_password_reset_by_email_then_login_with_the_new_password(alice):
    client = Client()
    response = client.post(reverse("password_reset"), {"email": "ALICE@example.org"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["alice@example.org"]
    assert "compte « alice »" in message.body  # which account, when several share the address
    link = re.search(r"https?://[^/\s]+(/compte/reset/\S+/)", message.body).group(1)
    response = client.get(link)
    assert response.status_code == 302  # to the link without the token in the address
    set_password_url = response["Location"]
    new_password = "un-nouveau-mot-de-passe-2026"
    response = client.post(
        set_password_url, {"new_password1": new_password, "new_password2": new_password}
    )
    assert response.status_code == 302
    assert post_login(Client(), "alice", new_password).status_code == 302
    # The link works once.
    assert "Ce lien n'est plus valable" in Client().get(link, follow=True).content.decode()


def test_password_reset_does_not_tell_whether_an_address_has_an_account(alice):
    """Django's answer, kept: the same pages for an account's address and for an unknown one
    (only the account's owner gets an e-mail)."""
    answers = []
    for address in ("ALICE@example.org", "inconnu@example.org"):
        response = Client().post(reverse("password_reset"), {"email": address}, follow=True)
        answers.append((response.redirect_chain, response.status_code, page_text(response)))
    assert answers[0] == answers[1]
    assert answers[0][0] == [(reverse("password_reset_done"), 302)]
    assert [message.to for message in mail.outbox] == [["alice@example.org"]]


@pytest.mark.parametrize(
    ("url", "heading", "button"),
    [
        (reverse("password_change"), "Changer de mot de passe", "Valider"),
        (reverse("password_reset"), "Mot de passe oublié", "Recevoir le lien"),
    ],
)
def test_password_pages_share_one_form_layout(alice, url, heading, button):
    client = Client()
    client.force_login(alice)
    html = client.get(url).content.decode()
    assert f"<title>{heading}" in html and f"<h1>{heading}</h1>" in html
    assert f'<button class="button" type="submit">{button}</button>' in html


def test_the_forgotten_password_page_says_what_to_give_and_what_follows(db):
    """It read « Mot de passe oublié / Courriel / Valider »: Django's label, not the login
    page's « Adresse e-mail », and nothing of what the button does."""
    for language, words in [
        ("fr", ("Adresse e-mail", "vous recevrez un lien", "Recevoir le lien")),
        ("en", ("E-mail address", "you will receive a link", "Send me the link")),
    ]:
        page = Client().get(reverse("password_reset"), {"lang": language}).content.decode()
        assert all(word in page for word in words), language
        assert "Courriel" not in page and ">Valider<" not in page
