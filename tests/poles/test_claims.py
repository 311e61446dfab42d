"""Claim requests ("Je porte ce pôle"): a visitor asks to manage a pole; staff are told,
approve (an invitation leaves) or refuse (a polite e-mail leaves)."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.cache import cache
from django.db import IntegrityError
from django.test import Client
from django.urls import reverse

from poles.leadership import services
from poles.models import ClaimRequest, Invitation
from tests.answers import page_text
from tests.factories import PoleFactory, UserFactory

pytestmark = pytest.mark.django_db

LINK = re.compile(r"https?://[^\s]+/compte/invitation/[\w-]+/")
PASSWORD = "un-porteur-bien-decide-42"


def claim_url(pole) -> str:
    return reverse("poles:pole-claim", args=[pole.slug])


def claim_data(**changes) -> dict:
    data = {
        "name": "Nadia Benali",
        "role": "Coordinatrice",
        "email": "Nadia@Example.org",
        "message": "Je coordonne le pôle depuis 2019.",
        "website": "",
    }
    data.update(changes)
    return data


def changelist() -> str:
    return reverse("admin:poles_claimrequest_changelist")


def action(client, name: str, *claims):
    return client.post(
        changelist(), {"action": name, "_selected_action": [c.pk for c in claims]}, follow=True
    )


def new_claim(pole, **changes) -> ClaimRequest:
    data = claim_data(**changes)
    data.pop("website")
    return services.create_claim_request(pole=pole, **data)


# The public side --------------------------------------------------------------------------------


def test_the_pole_page_links_to_the_claim_form_for_everyone(client, pole, stranger):
    html = client.get(pole.get_absolute_url()).content.decode()
    assert "Je porte ce pôle" in html and claim_url(pole) in html
    client.force_login(stranger)
    assert claim_url(pole) in client.get(pole.get_absolute_url()).content.decode()


def test_the_poles_own_leader_is_sent_to_its_profile_not_to_the_request_form(
    client, pole, alice, bob, curator
):
    client.force_login(alice)
    for method in (client.get, client.post):
        response = method(claim_url(pole), follow=True)
        assert response.redirect_chain[-1][0] == reverse("space:edit-pole", args=[pole.slug])
        assert "Vous portez déjà ce pôle" in response.content.decode()
    assert not ClaimRequest.objects.exists()
    client.force_login(bob)  # the leader of another pole may ask for this one
    assert client.get(claim_url(pole)).status_code == 200


def test_the_form_is_french_and_labelled(client, pole):
    response = client.get(claim_url(pole))
    assert response.status_code == 200
    html = response.content.decode()
    for label in ("Nom et prénom", "Rôle dans le pôle", "E-mail", "Message"):
        assert label in html
    assert 'aria-hidden="true"' in html and 'name="website"' in html


def test_a_visitor_sends_a_request_and_the_staff_are_told(client, pole, curator):
    admin = UserFactory(username="root", is_staff=True, is_superuser=True)
    UserFactory(username="stagiaire", is_staff=True)  # staff without the curators' rights
    UserFactory(username="ancien", is_staff=True, is_superuser=True, is_active=False)
    UserFactory(username="sansmail", is_staff=True, is_superuser=True, email="")

    response = client.post(claim_url(pole), claim_data())
    done_url = reverse("poles:pole-claim-done", args=[pole.slug])
    assert response.status_code == 302 and response["Location"] == done_url
    html = client.get(done_url).content.decode()
    assert "vous répondra par e-mail" in html

    claim = ClaimRequest.objects.get()
    assert (claim.pole, claim.name, claim.role) == (pole, "Nadia Benali", "Coordinatrice")
    assert claim.email == "nadia@example.org" and claim.is_pending

    assert sorted(address for m in mail.outbox for address in m.to) == sorted(
        [curator.email, admin.email]
    )
    message = mail.outbox[0]
    assert len(message.to) == 1  # staff addresses are not shown to each other
    assert "Pôle Sud Archer" in message.subject and "Nadia Benali" in message.subject
    assert "Coordinatrice" in message.body and "Je coordonne le pôle" in message.body
    admin_link = f"http://testserver{reverse('admin:poles_claimrequest_change', args=[claim.pk])}"
    assert admin_link in message.body


def test_the_pole_page_never_shows_requests(client, pole):
    new_claim(pole, name="Zoé Secrète", email="zoe@example.org")
    html = client.get(pole.get_absolute_url()).content.decode()
    assert "Zoé Secrète" not in html and "zoe@example.org" not in html


def test_the_honeypot_silently_drops_bots(client, pole, curator):
    response = client.post(claim_url(pole), claim_data(website="https://spam.example/"))
    assert response.status_code == 302
    assert response["Location"] == reverse("poles:pole-claim-done", args=[pole.slug])
    assert not ClaimRequest.objects.exists()
    assert mail.outbox == []


def claim_answer(pole, email: str):
    """What a stranger sees on claiming ``pole`` with ``email`` (every page, in order), and the
    e-mails it made the site send."""
    mail.outbox.clear()
    cache.clear()  # each probe with the limits as they are an hour after the last request
    response = Client().post(claim_url(pole), claim_data(email=email), follow=True)
    sent = sorted(address for message in mail.outbox for address in message.to)
    return response.redirect_chain, response.status_code, page_text(response), sent


def test_a_claim_does_not_tell_whether_an_address_has_one_pending(pole, curator):
    """Anyone may type anyone's address: claiming a pole with an address that has a request
    pending for it is answered as with a new address (the same pages, status and e-mails:
    none to that address, the staff's as for a new request), or the form would tell who has
    asked to manage which pole. Staff still see one request, in its first words."""
    first = new_claim(pole, name="Nadia Benali", email="nadia@example.org")
    again = claim_answer(pole, "NADIA@example.ORG")
    fresh = claim_answer(pole, "quelquun@example.org")
    assert again == fresh
    assert again[0][-1][0] == reverse("poles:pole-claim-done", args=[pole.slug])
    assert again[3] == [curator.email]  # the staff's e-mail, never one to the typed address
    assert ClaimRequest.objects.filter(email="nadia@example.org").get() == first
    first.refresh_from_db()
    assert (first.name, first.message) == ("Nadia Benali", "Je coordonne le pôle depuis 2019.")
    # Another pole, or another person, may still ask.
    assert Client().post(claim_url(PoleFactory()), claim_data()).status_code == 302
    assert ClaimRequest.objects.count() == 3


def test_the_database_refuses_two_pending_requests_too(pole):
    ClaimRequest.objects.create(pole=pole, name="A", role="B", email="a@example.org")
    with pytest.raises(IntegrityError):
        ClaimRequest.objects.create(pole=pole, name="A", role="B", email="A@example.org")


def test_after_a_refusal_the_person_may_ask_again(pole, curator):
    claim = new_claim(pole)
    services.refuse_claim(claim=claim, decided_by=curator)
    assert new_claim(pole).pk != claim.pk


def test_missing_fields_are_reported(client, pole):
    response = client.post(claim_url(pole), claim_data(name="", email="pas-une-adresse"))
    assert response.status_code == 400
    html = response.content.decode()
    assert "Ce champ est obligatoire" in html
    assert "Saisissez une adresse de courriel valide" in html
    assert not ClaimRequest.objects.exists()


def test_only_published_poles_can_be_claimed(client):
    hidden = PoleFactory(is_published=False)
    assert client.get(claim_url(hidden)).status_code == 404
    assert client.post(claim_url(hidden), claim_data()).status_code == 404
    assert client.get(reverse("poles:pole-claim-done", args=[hidden.slug])).status_code == 404
    assert client.get(reverse("poles:pole-claim", args=["nexiste-pas"])).status_code == 404
    assert not ClaimRequest.objects.exists()


def test_the_claim_form_is_protected_by_csrf(pole):
    client = Client(enforce_csrf_checks=True)
    assert client.post(claim_url(pole), claim_data()).status_code == 403
    assert not ClaimRequest.objects.exists()
    client.get(claim_url(pole))
    data = claim_data(csrfmiddlewaretoken=client.cookies["csrftoken"].value)
    assert client.post(claim_url(pole), data).status_code == 302


def test_the_request_is_kept_when_staff_mail_fails(pole, curator, settings):
    settings.MAILERS = {"default": {"BACKEND": "tests.poles.test_claims.BrokenBackend"}}
    claim = new_claim(pole)
    assert ClaimRequest.objects.filter(pk=claim.pk).exists()


class BrokenBackend:
    def __init__(self, **kwargs):
        pass

    def send_messages(self, messages):
        raise OSError("mail server down")


# Staff decide in the admin ----------------------------------------------------------------------


def test_approval_in_the_admin_invites_the_claimant_who_becomes_a_leader(
    client, curator_client, curator, pole
):
    client.post(claim_url(pole), claim_data())
    claim = ClaimRequest.objects.get()
    mail.outbox.clear()

    response = action(curator_client, "approve", claim)
    assert "1 demande acceptée" in response.content.decode()
    claim.refresh_from_db()
    assert claim.status == ClaimRequest.Status.APPROVED
    assert claim.decided_by == curator and claim.decided_at is not None
    assert claim.invitation == Invitation.objects.get()
    assert claim.invitation.invited_by == curator

    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["nadia@example.org"]
    link = LINK.search(mail.outbox[0].body).group(0)
    visitor = Client()
    path = re.sub(r"^https?://[^/]+", "", link)
    response = visitor.post(path, {"new_password1": PASSWORD, "new_password2": PASSWORD})
    assert response["Location"] == reverse("space:edit-pole", args=[pole.slug])
    assert visitor.get(response["Location"]).status_code == 200
    user = get_user_model().objects.get(email="nadia@example.org")
    assert pole.leaders.filter(pk=user.pk).exists()


def test_the_change_page_has_buttons_to_approve_and_refuse(curator_client, pole):
    claim = new_claim(pole)
    url = reverse("admin:poles_claimrequest_change", args=[claim.pk])
    html = curator_client.get(url).content.decode()
    assert "Accepter et envoyer une invitation" in html and "Refuser (e-mail poli)" in html
    approve_url = reverse("admin:poles_claimrequest_approve", args=[claim.pk])
    assert curator_client.get(approve_url).status_code == 405
    response = curator_client.post(approve_url)
    assert response.status_code == 302 and response["Location"] == url
    claim.refresh_from_db()
    assert claim.status == ClaimRequest.Status.APPROVED
    assert mail.outbox[-1].to == ["nadia@example.org"]


def test_refusal_sends_a_polite_email_in_french(curator_client, curator, pole):
    claim = new_claim(pole)
    mail.outbox.clear()
    response = action(curator_client, "refuse", claim)
    assert "1 demande refusée" in response.content.decode()
    claim.refresh_from_db()
    assert claim.status == ClaimRequest.Status.REFUSED and claim.decided_by == curator
    assert not Invitation.objects.exists()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["nadia@example.org"]
    assert message.body.startswith("Bonjour Nadia Benali,")
    assert "Merci de l'intérêt" in message.body and "Bien cordialement" in message.body
    assert pole.get_absolute_url() in message.body


def test_refusal_from_the_change_page_can_give_a_reason(curator_client, pole):
    claim = new_claim(pole)
    mail.outbox.clear()
    url = reverse("admin:poles_claimrequest_refuse", args=[claim.pk])
    assert curator_client.get(url).status_code == 200
    response = curator_client.post(url, {"reason": "Le pôle a déjà deux porteurs."})
    assert response.status_code == 302
    assert "Le pôle a déjà deux porteurs." in mail.outbox[0].body
    claim.refresh_from_db()
    assert claim.status == ClaimRequest.Status.REFUSED


def test_a_decided_request_is_read_only_and_cannot_be_decided_again(curator_client, pole):
    claim = new_claim(pole)
    action(curator_client, "refuse", claim)
    mail.outbox.clear()
    html = curator_client.get(
        reverse("admin:poles_claimrequest_change", args=[claim.pk])
    ).content.decode()
    assert 'name="email"' not in html and 'name="name"' not in html
    assert "Accepter et envoyer une invitation" not in html

    response = action(curator_client, "approve", claim)
    assert "déjà été traitée" in response.content.decode()
    curator_client.post(reverse("admin:poles_claimrequest_approve", args=[claim.pk]))
    claim.refresh_from_db()
    assert claim.status == ClaimRequest.Status.REFUSED
    assert mail.outbox == [] and not Invitation.objects.exists()


def test_a_pending_request_can_be_corrected_before_approval(curator_client, pole):
    claim = new_claim(pole)
    url = reverse("admin:poles_claimrequest_change", args=[claim.pk])
    data = {"name": claim.name, "role": claim.role, "email": "nadia@pole.org", "message": ""}
    assert curator_client.post(url, data).status_code == 302
    claim.refresh_from_db()
    assert claim.email == "nadia@pole.org" and claim.is_pending


def test_approving_a_request_from_a_current_leader_says_so(curator_client, pole):
    leader = UserFactory(username="nadia", email="nadia@example.org")
    pole.leaders.add(leader)
    claim = new_claim(pole)
    mail.outbox.clear()
    response = action(curator_client, "approve", claim)
    assert "porte déjà le pôle" in response.content.decode()
    claim.refresh_from_db()
    assert claim.is_pending and mail.outbox == []


def test_the_list_shows_pending_requests_first_with_their_count(curator_client, curator, pole):
    old = new_claim(pole, email="old@example.org")
    refused = new_claim(pole, email="refused@example.org")
    services.refuse_claim(claim=refused, decided_by=curator)
    newer = new_claim(PoleFactory(), email="new@example.org")
    response = curator_client.get(changelist())
    assert response.status_code == 200
    results = [c.pk for c in response.context["cl"].result_list]
    assert results == [newer.pk, old.pk, refused.pk]
    assert "2 en attente" in response.content.decode()
    response = curator_client.get(changelist(), {"status__exact": "refused"})
    assert [c.pk for c in response.context["cl"].result_list] == [refused.pk]
    response = curator_client.get(changelist(), {"q": "old@"})
    assert [c.pk for c in response.context["cl"].result_list] == [old.pk]


def test_requests_are_not_added_in_the_admin(curator_client):
    assert curator_client.get(reverse("admin:poles_claimrequest_add")).status_code == 403


def test_non_staff_cannot_reach_the_claims_admin(stranger, pole):
    claim = new_claim(pole)
    leader = UserFactory(username="alice")
    pole.leaders.add(leader)
    urls = [
        changelist(),
        reverse("admin:poles_claimrequest_change", args=[claim.pk]),
        reverse("admin:poles_claimrequest_approve", args=[claim.pk]),
        reverse("admin:poles_claimrequest_refuse", args=[claim.pk]),
    ]
    mail.outbox.clear()
    for user in (None, stranger, leader):
        client = Client()
        if user:
            client.force_login(user)
        for url in urls:
            for method in (client.get, client.post):
                response = method(url)
                assert response.status_code == 302
                assert response["Location"].startswith(reverse("admin:login"))
    response = Client().post(changelist(), {"action": "approve", "_selected_action": [claim.pk]})
    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.is_pending and mail.outbox == []


def test_staff_without_the_permissions_cannot_decide(pole):
    claim = new_claim(pole)
    staff = UserFactory(username="stagiaire", is_staff=True)
    client = Client()
    client.force_login(staff)
    assert (
        client.post(reverse("admin:poles_claimrequest_approve", args=[claim.pk])).status_code == 403
    )
    assert client.get(changelist()).status_code == 403
    claim.refresh_from_db()
    assert claim.is_pending


def test_a_decided_request_cannot_be_changed_by_a_forged_post(curator_client, curator, pole):
    claim = new_claim(pole)
    services.refuse_claim(claim=claim, decided_by=curator)
    url = reverse("admin:poles_claimrequest_change", args=[claim.pk])
    data = {"name": "Autre", "role": "Autre", "email": "autre@example.org", "message": ""}
    assert curator_client.post(url, data).status_code == 403
    claim.refresh_from_db()
    assert claim.email == "nadia@example.org"


def test_the_pole_admin_page_lists_its_pending_requests(curator_client, pole):
    claim = new_claim(pole)
    html = curator_client.get(reverse("admin:poles_pole_change", args=[pole.pk])).content.decode()
    assert "1 demande de gestion en attente" in html
    assert reverse("admin:poles_claimrequest_change", args=[claim.pk]) in html


def test_staff_notices_go_to_the_configured_addresses_when_set(pole, curator, settings):
    settings.STAFF_NOTIFICATION_EMAILS = ["registre@example.org"]
    new_claim(pole)
    assert [m.to for m in mail.outbox] == [["registre@example.org"]]
