"""Invitation links: once only, expired, revoked, resent; and what the invitation pages and the
admin's list say."""

from html import unescape

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from poles.leadership import services
from poles.models import Invitation, hash_token
from tests.factories import UserFactory
from tests.poles.test_invitations import (
    LINK,
    NEW_PASSWORD,
    accept,
    invitation_link,
    invite_url,
    path_of,
)

pytestmark = pytest.mark.django_db


def test_the_link_works_only_once(pole):
    services.invite_leader(pole=pole, email="a@example.org", invited_by=None)
    link = invitation_link(mail.outbox[0])
    assert accept(Client(), link).status_code == 302

    response = Client().get(path_of(link))
    assert response.status_code == 410
    assert "Cette invitation a déjà servi" in response.content.decode()
    response = accept(Client(), link, password="encore-un-autre-mot-2")
    assert response.status_code == 410
    user = get_user_model().objects.get(email="a@example.org")
    assert user.check_password(NEW_PASSWORD)


def test_an_expired_link_is_refused_with_what_to_do(pole):
    invitation = services.invite_leader(pole=pole, email="a@example.org", invited_by=None)
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now())
    link = invitation_link(mail.outbox[0])
    response = Client().get(path_of(link))
    assert response.status_code == 410
    html = response.content.decode()
    assert "Cette invitation a expiré" in html and "renvoyer une invitation" in html
    assert accept(Client(), link).status_code == 410
    assert not pole.leaders.exists()


def test_a_revoked_link_is_refused(curator_client, pole):
    invitation = services.invite_leader(pole=pole, email="a@example.org", invited_by=None)
    response = curator_client.post(
        reverse("admin:poles_invitation_changelist"),
        {"action": "revoke", "_selected_action": [invitation.pk]},
    )
    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None and invitation.state == "révoquée"
    link = invitation_link(mail.outbox[0])
    response = Client().get(path_of(link))
    assert response.status_code == 410
    assert "Cette invitation a été annulée" in response.content.decode()
    assert accept(Client(), link).status_code == 410
    assert not pole.leaders.exists()


def test_resending_from_the_admin_invalidates_the_old_link(curator_client, pole):
    invitation = services.invite_leader(pole=pole, email="a@example.org", invited_by=None)
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now())
    old_link = invitation_link(mail.outbox[0])
    response = curator_client.post(
        reverse("admin:poles_invitation_changelist"),
        {"action": "resend", "_selected_action": [invitation.pk]},
    )
    assert response.status_code == 302
    assert len(mail.outbox) == 2
    new_link = invitation_link(mail.outbox[1])
    assert Client().get(path_of(old_link)).status_code == 404
    invitation.refresh_from_db()
    assert invitation.is_usable and invitation.send_count == 2
    assert accept(Client(), new_link).status_code == 302


def test_accepted_invitations_cannot_be_resent_or_revoked(curator_client, pole):
    invitation = services.invite_leader(pole=pole, email="a@example.org", invited_by=None)
    accept(Client(), invitation_link(mail.outbox[0]))
    with pytest.raises(ValidationError):
        services.resend_invitation(invitation=invitation)
    with pytest.raises(ValidationError):
        services.revoke_invitation(invitation=invitation)
    response = curator_client.post(
        reverse("admin:poles_invitation_changelist"),
        {"action": "resend", "_selected_action": [invitation.pk]},
        follow=True,
    )
    assert "ne peut plus être renvoyée" in response.content.decode()
    assert len(mail.outbox) == 1


def test_revoked_invitations_cannot_be_resent(pole):
    invitation = services.invite_leader(pole=pole, email="a@example.org", invited_by=None)
    services.revoke_invitation(invitation=invitation)
    with pytest.raises(ValidationError) as error:
        services.resend_invitation(invitation=invitation)
    assert error.value.code == "not_pending"


def test_an_unknown_token_is_a_404_in_french(client):
    response = client.get(reverse("accept-invitation", args=["nimporte-quoi"]))
    assert response.status_code == 404
    assert "Lien d'invitation inconnu" in response.content.decode()


def test_only_the_token_hash_is_stored(pole):
    services.invite_leader(pole=pole, email="a@example.org", invited_by=None)
    token = LINK.search(mail.outbox[0].body).group(1)
    invitation = Invitation.objects.get()
    assert invitation.token_hash == hash_token(token) != token
    assert not Invitation.objects.filter(token_hash=token).exists()


def test_a_weak_password_is_refused_in_french_and_the_link_still_works(pole):
    services.invite_leader(pole=pole, email="a@example.org", invited_by=None)
    link = invitation_link(mail.outbox[0])
    response = accept(Client(), link, password="123")
    assert response.status_code == 400
    assert "Ce mot de passe est trop court" in response.content.decode()
    assert Invitation.objects.get().is_usable
    assert accept(Client(), link).status_code == 302


def test_mismatched_passwords_are_refused(pole):
    services.invite_leader(pole=pole, email="a@example.org", invited_by=None)
    link = invitation_link(mail.outbox[0])
    response = Client().post(
        path_of(link), {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD + "x"}
    )
    assert response.status_code == 400
    assert not pole.leaders.exists()


def test_accepting_while_logged_in_as_someone_else_logs_in_the_invitee(stranger, pole):
    services.invite_leader(pole=pole, email="a@example.org", invited_by=None)
    client = Client()
    client.force_login(stranger)
    accept(client, invitation_link(mail.outbox[0]))
    invitee = get_user_model().objects.get(email="a@example.org")
    assert client.session["_auth_user_id"] == str(invitee.pk)


# Security ---------------------------------------------------------------------------------------


def test_the_accept_view_is_protected_by_csrf(pole):
    services.invite_leader(pole=pole, email="a@example.org", invited_by=None)
    link = invitation_link(mail.outbox[0])
    client = Client(enforce_csrf_checks=True)
    assert accept(client, link).status_code == 403
    assert not pole.leaders.exists() and Invitation.objects.get().is_usable
    # With the token from the page, it works.
    client.get(path_of(link))
    response = accept(client, link, csrfmiddlewaretoken=client.cookies["csrftoken"].value)
    assert response.status_code == 302


def test_the_invite_view_is_protected_by_csrf(curator, pole):
    client = Client(enforce_csrf_checks=True)
    client.force_login(curator)
    assert client.post(invite_url(pole), {"email": "a@example.org"}).status_code == 403
    assert mail.outbox == []


def test_no_next_parameter_can_redirect_elsewhere(pole):
    services.invite_leader(pole=pole, email="a@example.org", invited_by=None)
    link = invitation_link(mail.outbox[0])
    response = accept(Client(), f"{link}?next=https://pirate.example/", next="//pirate.example/")
    assert response.status_code == 302
    assert response["Location"] == reverse("space:edit-pole", args=[pole.slug])


def test_the_accept_page_is_not_cached(pole):
    services.invite_leader(pole=pole, email="a@example.org", invited_by=None)
    response = Client().get(path_of(invitation_link(mail.outbox[0])))
    assert "no-store" in response["Cache-Control"]


def test_non_staff_cannot_reach_the_invite_view(stranger, pole):
    leader = UserFactory(username="alice")
    pole.leaders.add(leader)
    for user in (None, stranger, leader):
        client = Client()
        if user:
            client.force_login(user)
        for method in (client.get, client.post):
            response = method(invite_url(pole), {"email": "pirate@example.org"})
            assert response.status_code == 302
            assert response["Location"].startswith(reverse("admin:login"))
    assert mail.outbox == [] and not Invitation.objects.exists()


def test_staff_without_the_permissions_are_refused(pole):
    staff = UserFactory(username="stagiaire", is_staff=True)
    client = Client()
    client.force_login(staff)
    assert client.post(invite_url(pole), {"email": "a@example.org"}).status_code == 403
    assert mail.outbox == []


def test_an_unknown_pole_is_a_404(curator_client):
    assert curator_client.get("/admin/poles/pole/999999/inviter/").status_code == 404
    assert curator_client.get("/admin/poles/pole/abc/inviter/").status_code == 404


# The invitations' admin -------------------------------------------------------------------------


def test_curators_list_and_filter_invitations_by_state(curator_client, pole):
    pending = services.invite_leader(pole=pole, email="pending@example.org", invited_by=None)
    revoked = services.invite_leader(pole=pole, email="revoked@example.org", invited_by=None)
    services.revoke_invitation(invitation=revoked)
    expired = services.invite_leader(pole=pole, email="expired@example.org", invited_by=None)
    Invitation.objects.filter(pk=expired.pk).update(expires_at=timezone.now())
    url = reverse("admin:poles_invitation_changelist")
    for state, expected in [
        ("pending", pending),
        ("revoked", revoked),
        ("expired", expired),
    ]:
        response = curator_client.get(url, {"state": state})
        assert response.status_code == 200
        assert [i.pk for i in response.context["cl"].result_list] == [expected.pk]
    response = curator_client.get(url, {"q": "revoked@"})
    assert [i.pk for i in response.context["cl"].result_list] == [revoked.pk]
    response = curator_client.get(reverse("admin:poles_invitation_change", args=[pending.pk]))
    assert response.status_code == 200
    assert pending.token_hash not in response.content.decode()


class BrokenMailer:
    def __init__(self, **kwargs):
        pass

    def send_messages(self, messages):
        raise OSError("mail server down")


def test_when_the_mail_cannot_leave_nothing_is_recorded_and_staff_are_told(
    curator_client, pole, settings
):
    settings.MAILERS = {"default": {"BACKEND": "tests.poles.test_invitation_links.BrokenMailer"}}
    response = curator_client.post(invite_url(pole), {"email": "a@example.org"}, follow=True)
    assert "n'a pas pu partir" in unescape(response.content.decode())
    assert not Invitation.objects.exists()
    assert not get_user_model().objects.filter(email="a@example.org").exists()


def test_a_failed_resend_keeps_the_previous_link_working(pole, settings):
    invitation = services.invite_leader(pole=pole, email="a@example.org", invited_by=None)
    link = invitation_link(mail.outbox[0])
    settings.MAILERS = {"default": {"BACKEND": "tests.poles.test_invitation_links.BrokenMailer"}}
    with pytest.raises(OSError):
        services.resend_invitation(invitation=invitation)
    assert Client().get(path_of(link)).status_code == 200
