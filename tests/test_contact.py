"""The "Contact" page: the team's address from CONTACT_EMAIL and a form that writes to it, with
the protections of the other public forms."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core import mail
from django.template.loader import render_to_string
from django.test import Client

pytestmark = pytest.mark.django_db

URL = "/contact/"


def contact_data(**changes) -> dict:
    data = {
        "name": "Paul Durand",
        "email": "paul@example.org",
        "subject": "Une correction",
        "message": "Le site web du pôle a changé d'adresse.\nMerci !",
        "homepage": "",
    }
    data.update(changes)
    return data


@pytest.fixture
def team(settings):
    settings.CONTACT_EMAIL = "equipe@registre.example.org"
    return settings.CONTACT_EMAIL


def test_the_footer_links_to_the_page_which_shows_the_teams_address(client, team):
    assert f'href="{URL}"' in client.get("/").content.decode()
    html = client.get(URL).content.decode()
    assert "mailto:equipe@registre.example.org" in html
    for label in ("Votre nom", "Votre adresse e-mail", "Objet", "Message"):
        assert label in html
    assert 'aria-hidden="true"' in html and 'name="homepage"' in html


@pytest.mark.parametrize(
    ("template", "context"),
    [
        ("registration/locked_out.html", {}),
        ("registration/invitation_invalid.html", {"problem": "expired"}),
        ("registration/invitation_invalid.html", {"problem": "revoked"}),
        ("registration/invitation_invalid.html", {"problem": "account"}),
    ],
)
def test_pages_that_say_to_write_to_the_team_link_to_the_page(rf, template, context):
    request = rf.get("/")
    request.user = AnonymousUser()
    html = render_to_string(template, context, request=request)
    assert "équipe du registre" in html and f'<a href="{URL}">' in html


def test_a_leader_without_poles_is_shown_the_way_to_the_team(client, stranger):
    client.force_login(stranger)
    assert f'<a href="{URL}">' in client.get("/espace/").content.decode()


def test_a_message_reaches_the_team_with_the_sender_to_reply_to(client, team):
    response = client.post(URL, contact_data())
    assert response.status_code == 302 and response.url == "/contact/merci/"
    assert "votre message est envoyé" in client.get(response.url).content.decode()
    (message,) = mail.outbox
    assert message.to == [team] and message.reply_to == ["paul@example.org"]
    assert message.subject == "[Contact] Une correction — Paul Durand"
    assert "Le site web du pôle a changé d'adresse.\nMerci !" in message.body


def test_without_contact_email_the_staff_receive_it(client, settings, curator):
    settings.CONTACT_EMAIL = ""
    assert "mailto:" not in client.get(URL).content.decode()
    client.post(URL, contact_data())
    assert mail.outbox[0].to == [curator.email]


def test_the_honeypot_sends_nothing(client, team):
    response = client.post(URL, contact_data(homepage="http://spam.example"))
    assert response.status_code == 302 and not mail.outbox


def test_too_many_messages_are_refused(client, team, settings):
    settings.EMAIL_FORM_LIMIT_PER_TARGET = 2
    for _ in range(2):
        assert client.post(URL, contact_data()).status_code == 302
    response = client.post(URL, contact_data())
    assert response.status_code == 429 and "Retry-After" in response.headers
    assert len(mail.outbox) == 2


def test_the_form_is_protected_by_csrf(team):
    client = Client(enforce_csrf_checks=True)
    assert client.post(URL, contact_data()).status_code == 403
    client.get(URL)
    data = contact_data(csrfmiddlewaretoken=client.cookies["csrftoken"].value)
    assert client.post(URL, data).status_code == 302
    assert len(mail.outbox) == 1


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"subject": "Bonjour\r\nBcc: victime@example.org"}, "sur une seule ligne"),
        ({"name": "x" * 10_000}, "au plus 150 caractères"),
        ({"message": "y" * 100_000}, "au plus 5000 caractères"),
        ({"message": "bonjour\x07"}, "caractères de contrôle"),
        ({"message": "bonjour\x00"}, "Le caractère nul n’est pas autorisé"),
        ({"email": "<script>@x"}, "adresse de courriel valide"),
        ({"message": ""}, "Ce champ est obligatoire"),
    ],
)
def test_hostile_input_gets_a_clear_message(client, team, changes, message):
    response = client.post(URL, contact_data(**changes))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not mail.outbox


def test_a_mail_server_down_keeps_the_message_and_says_so(client, team, settings):
    settings.MAILERS = {"default": {"BACKEND": "tests.poles.test_claims.BrokenBackend"}}
    response = client.post(URL, contact_data(message="<b>Un long message</b> à ne pas perdre"))
    html = response.content.decode()
    assert response.status_code == 400 and "n&#x27;a pas pu partir" in html
    assert "&lt;b&gt;Un long message&lt;/b&gt; à ne pas perdre" in html
