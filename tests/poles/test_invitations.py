"""Invitations of pole leaders: staff invite from the pole's admin page, the invitee sets a
password through a one-time link and lands on the pole's edit page."""

import re
from datetime import timedelta
from html import unescape

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import formats, timezone, translation

from poles.leadership import services
from poles.models import Invitation
from tests.factories import PoleFactory, UserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "un-porteur-bien-decide-42"
LINK = re.compile(r"https?://[^\s]+/compte/invitation/([\w-]+)/")


def invite_url(pole) -> str:
    return reverse("admin:poles_pole_invite", args=[pole.pk])


def invitation_link(message) -> str:
    match = LINK.search(message.body)
    assert match, message.body
    return match.group(0)


def path_of(url: str) -> str:
    return re.sub(r"^https?://[^/]+", "", url)


def accept(client: Client, link: str, password: str = NEW_PASSWORD, **extra):
    data = {"new_password1": password, "new_password2": password, **extra}
    return client.post(path_of(link), data)


def invite(curator_client, pole, email: str):
    return curator_client.post(invite_url(pole), {"email": email})


# The whole flow ---------------------------------------------------------------------------------


def test_staff_invites_and_the_invitee_lands_on_the_edit_page_as_a_leader(curator_client, pole):
    page = curator_client.get(reverse("admin:poles_pole_change", args=[pole.pk]))
    assert "Inviter un porteur" in page.content.decode()
    assert invite_url(pole) in page.content.decode()

    response = invite(curator_client, pole, "Nadia@Example.org")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:poles_pole_change", args=[pole.pk]))

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["nadia@example.org"]
    assert message.from_email == "Registre des PTCE <ne-pas-repondre@localhost>"
    assert "Pôle Sud Archer" in message.subject
    assert "choisissez votre mot de passe" in message.body
    link = invitation_link(message)
    assert link.startswith("http://testserver/compte/invitation/")

    visitor = Client()
    page = visitor.get(path_of(link))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Nouveau mot de passe" in html and 'name="new_password1"' in html
    assert "nadia@example.org" in html  # the username to log in with
    # Whoever is invited, as the e-mail says it (« Vous êtes invité à tenir à jour la fiche de
    # « Pôle Sud Archer » » assumed a man, and « de « Les … » » read badly).
    assert "vous invite à tenir à jour la fiche du pôle «\xa0Pôle Sud Archer\xa0»" in unescape(html)

    response = accept(visitor, link)
    edit_url = reverse("space:edit-pole", args=[pole.slug])
    assert response.status_code == 302 and response["Location"] == edit_url
    page = visitor.get(edit_url)
    assert page.status_code == 200
    assert "vous portez désormais le pôle" in page.content.decode()

    user = get_user_model().objects.get(email="nadia@example.org")
    assert user.is_active and user.check_password(NEW_PASSWORD)
    assert pole.leaders.filter(pk=user.pk).exists()
    invitation = Invitation.objects.get()
    assert invitation.accepted_at is not None and invitation.state == "acceptée"
    # The leader logs in later with the username from the e-mail.
    response = Client().post(
        reverse("login"), {"username": "nadia@example.org", "password": NEW_PASSWORD}
    )
    assert response.status_code == 302


def test_the_invitation_shows_on_the_pole_page_in_the_admin(curator_client, pole):
    services.invite_leader(pole=pole, email="lea@example.org", invited_by=None)
    html = curator_client.get(reverse("admin:poles_pole_change", args=[pole.pk])).content.decode()
    assert "lea@example.org" in html and "en attente" in html


def test_a_new_account_is_inactive_without_usable_password_until_accepted(pole, curator):
    invitation = services.invite_leader(pole=pole, email="  Paul@Exemple.FR ", invited_by=curator)
    user = invitation.user
    assert user.username == "paul@exemple.fr" and user.email == "paul@exemple.fr"
    assert not user.has_usable_password() and not user.is_active
    assert invitation.invited_by == curator and invitation.send_count == 1
    assert not pole.leaders.exists()


def test_a_taken_username_gets_a_suffix(pole):
    UserFactory(username="paul@exemple.fr", email="autre@example.org")
    invitation = services.invite_leader(pole=pole, email="paul@exemple.fr", invited_by=None)
    assert invitation.user.username == "paul@exemple.fr-2"


def test_the_link_lasts_the_configured_number_of_days(pole, settings):
    settings.INVITATION_MAX_AGE_DAYS = 3
    before = timezone.now()
    invitation = services.invite_leader(pole=pole, email="a@example.org", invited_by=None)
    assert before + timedelta(days=3) <= invitation.expires_at <= timezone.now() + timedelta(days=3)
    assert "3 jours" in mail.outbox[0].body


def test_emails_are_french_even_when_staff_use_the_admin_in_english(curator_client, pole):
    curator_client.cookies["django_language"] = "en"
    response = curator_client.get(reverse("admin:poles_pole_change", args=[pole.pk]))
    assert "Save and continue editing" in response.content.decode()  # the admin is in English
    invite(curator_client, pole, "nadia@example.org")
    expires_at = timezone.localtime(Invitation.objects.get().expires_at)
    with translation.override("fr"):
        french_date = formats.date_format(expires_at, "j F Y")
    assert "choisissez votre mot de passe" in mail.outbox[0].body
    assert french_date in mail.outbox[0].body  # the month's name in French


def test_links_outside_a_request_use_site_url(pole, settings):
    settings.SITE_URL = "https://ptce.example.org"
    services.invite_leader(pole=pole, email="a@example.org", invited_by=None)
    assert invitation_link(mail.outbox[0]).startswith("https://ptce.example.org/compte/invitation/")


# Existing accounts and repeated invitations -----------------------------------------------------


def test_an_existing_account_is_reused_whatever_the_case_of_the_address(curator_client, pole):
    existing = UserFactory(username="alice", email="Alice@Example.org")
    users_before = get_user_model().objects.count()
    invite(curator_client, pole, "alice@example.ORG")
    assert get_user_model().objects.count() == users_before
    assert Invitation.objects.get().user == existing

    response = accept(Client(), invitation_link(mail.outbox[0]))
    assert response.status_code == 302
    existing.refresh_from_db()
    assert existing.check_password(NEW_PASSWORD)
    assert pole.leaders.filter(pk=existing.pk).exists()


def test_inviting_a_current_leader_says_so_and_sends_nothing(curator_client, pole):
    leader = UserFactory(username="alice", email="alice@example.org")
    pole.leaders.add(leader)
    response = invite(curator_client, pole, "ALICE@example.org")
    assert response.status_code == 200
    assert "porte déjà le pôle" in response.content.decode()
    assert mail.outbox == [] and not Invitation.objects.exists()


def test_a_second_invitation_resends_the_pending_one(curator_client, pole):
    invite(curator_client, pole, "nadia@example.org")
    first_link = invitation_link(mail.outbox[0])
    response = invite(curator_client, pole, "nadia@example.org")
    assert response.status_code == 302
    assert Invitation.objects.count() == 1
    assert Invitation.objects.get().send_count == 2
    assert len(mail.outbox) == 2
    second_link = invitation_link(mail.outbox[1])
    assert second_link != first_link
    assert Client().get(path_of(first_link)).status_code == 404
    assert Client().get(path_of(second_link)).status_code == 200
    messages = [str(m) for m in curator_client.get(response["Location"]).context["messages"]]
    assert any("déjà en attente" in m for m in messages)


def test_an_expired_invitation_is_replaced_by_a_new_one(pole):
    old = services.invite_leader(pole=pole, email="a@example.org", invited_by=None)
    Invitation.objects.filter(pk=old.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    new = services.invite_leader(pole=pole, email="a@example.org", invited_by=None)
    assert new.pk != old.pk and new.is_usable


def test_the_same_person_may_be_invited_to_two_poles(pole):
    other = PoleFactory()
    first = services.invite_leader(pole=pole, email="a@example.org", invited_by=None)
    second = services.invite_leader(pole=other, email="a@example.org", invited_by=None)
    assert first.user == second.user and first.pk != second.pk


# The link: one-time, expiry, revocation, resending ----------------------------------------------
