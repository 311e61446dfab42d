"""Visitors propose a missing pole ("Proposer un pôle"): the proposer confirms their address,
then staff create an unpublished pole from it, merge it into an existing pole, or refuse it."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from poles.models import PoleProposal
from tests.answers import page_text
from tests.factories import CommuneFactory, RegionFactory

pytestmark = pytest.mark.django_db

CONFIRM_LINK = re.compile(r"http://testserver/proposer/confirmer/[\w-]+/")
FORM_URL = "/proposer/"


def proposal_data(region, /, **changes) -> dict:
    data = {
        "name": "Pôle Coopérative des Mauges",
        "region": region.pk,
        "commune_code": "",
        "summary": "Des entreprises de l'ESS et des PME qui mutualisent leurs achats.",
        "website": "https://mauges.example.org",
        "proposer_name": "Lucie Martin",
        "proposer_role": "Coordinatrice",
        "proposer_email": "Lucie.Martin@Example.org",
        "message": "Le pôle existe depuis 2015.",
        "wants_to_lead": "on",
        "consents_to_contact": "on",
        "homepage": "",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def confirmation_link() -> str:
    return CONFIRM_LINK.search(mail.outbox[-1].body).group(0).removeprefix("http://testserver")


def submitted(client, region, /, **changes) -> PoleProposal:
    response = client.post(FORM_URL, proposal_data(region, **changes))
    assert response.status_code == 302, response.content.decode()[:2000]
    return PoleProposal.objects.get()


def confirmed(client, region, /, **changes) -> PoleProposal:
    proposal = submitted(client, region, **changes)
    assert client.post(confirmation_link()).status_code == 200
    proposal.refresh_from_db()
    return proposal


def changelist() -> str:
    return reverse("admin:poles_poleproposal_changelist")


def change_url(proposal) -> str:
    return reverse("admin:poles_poleproposal_change", args=[proposal.pk])


# The public side --------------------------------------------------------------------------------


def test_home_and_directory_link_to_the_form_which_is_french_and_labelled(client, region):
    for page in ("/", "/poles/"):
        assert FORM_URL in client.get(page).content.decode()
    html = client.get(FORM_URL).content.decode()
    for label in (
        "Nom du pôle",
        "Région",
        "Code INSEE de la commune",
        "Votre adresse e-mail",
        "J&#x27;accepte que l&#x27;équipe du registre me contacte",
    ):
        assert label in html
    assert 'aria-hidden="true"' in html and 'name="homepage"' in html


def test_an_unconfirmed_proposal_is_invisible_to_staff(client, curator_client, region, curator):
    proposal = submitted(client, region)
    assert proposal.status == PoleProposal.Status.UNCONFIRMED
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["lucie.martin@example.org"]
    assert "Confirmez votre proposition" in mail.outbox[0].subject
    html = curator_client.get(changelist()).content.decode()
    assert "Mauges" not in html and "0 en attente" in html
    response = curator_client.get(change_url(proposal), follow=True)
    assert "Mauges" not in response.content.decode().split("<main")[-1].split("messagelist")[0]


def test_the_confirmation_link_works_once_and_tells_staff(client, curator_client, region, curator):
    submitted(client, region)
    link = confirmation_link()
    # Opening the link (as a mail scanner does) confirms nothing: a button does.
    assert "Confirmer ma proposition" in client.get(link).content.decode()
    assert PoleProposal.objects.get().status == PoleProposal.Status.UNCONFIRMED
    mail.outbox.clear()

    response = client.post(link)
    assert "votre proposition est confirmée" in response.content.decode()
    proposal = PoleProposal.objects.get()
    assert proposal.status == PoleProposal.Status.PENDING and proposal.confirmed_at
    assert [message.to for message in mail.outbox] == [[curator.email]]
    assert change_url(proposal) in mail.outbox[0].body
    assert "Lucie Martin" in mail.outbox[0].subject

    again = client.post(link)
    assert again.status_code == 410 and "déjà confirmée" in again.content.decode()
    assert len(mail.outbox) == 1
    html = curator_client.get(changelist()).content.decode()
    assert "Pôle Coopérative des Mauges" in html and "1 en attente" in html


def test_a_forged_or_expired_link_is_refused(client, region):
    assert client.get("/proposer/confirmer/forged-token/").status_code == 404
    assert client.post("/proposer/confirmer/forged-token/").status_code == 404
    proposal = submitted(client, region)
    link = confirmation_link()
    PoleProposal.objects.filter(pk=proposal.pk).update(
        link_sent_at=timezone.now() - timedelta(days=4)
    )
    response = client.post(link)
    assert response.status_code == 410 and "a expiré" in response.content.decode()
    proposal.refresh_from_db()
    assert proposal.status == PoleProposal.Status.UNCONFIRMED


def test_the_honeypot_records_and_sends_nothing(client, region):
    response = client.post(FORM_URL, proposal_data(region, homepage="http://spam.example"))
    assert response.status_code == 302 and response.url == "/proposer/merci/"
    assert not PoleProposal.objects.exists() and not mail.outbox


def test_too_many_proposals_from_one_client_are_refused(client, region, settings):
    settings.EMAIL_FORM_LIMIT_PER_CLIENT = 2
    for number in range(2):
        response = client.post(FORM_URL, proposal_data(region, name=f"Pôle numéro {number}"))
        assert response.status_code == 302
    response = client.post(FORM_URL, proposal_data(region, name="Pôle de trop"))
    assert response.status_code == 429 and "Retry-After" in response.headers
    assert PoleProposal.objects.count() == 2 and len(mail.outbox) == 2


def proposal_answer(region, /, **changes):
    """What a stranger sees on proposing (every page, in order), and the e-mails it sends."""
    mail.outbox.clear()
    response = Client().post(FORM_URL, proposal_data(region, **changes), follow=True)
    return response.redirect_chain, response.status_code, page_text(response), list(mail.outbox)


def test_a_proposal_does_not_tell_whether_an_address_proposed_that_pole(client, region):
    """Anyone may type anyone's address: proposing a pole that an address has proposed (and
    staff see) is answered as a new proposal (the same pages, one e-mail to that address), or
    the form would tell who proposed which pole. That e-mail says, in the proposal's own words,
    that it is being examined, with no link; nothing is recorded."""
    first = confirmed(client, region)
    *again, (message,) = proposal_answer(
        region,
        name="pôle coopérative des MAUGES",
        proposer_email="lucie.martin@example.ORG",
        proposer_name="Quelqu'un d'autre",
    )
    *fresh, (_link,) = proposal_answer(
        region, name="Pôle Inconnu", proposer_email="autre@example.org"
    )
    assert again == fresh and again[0][-1][0] == "/proposer/merci/"
    assert message.to == ["lucie.martin@example.org"]
    assert "Bonjour Lucie Martin," in message.body and "Quelqu'un" not in message.body
    assert "Il n'y a rien à confirmer" in message.body and "http" not in message.body
    assert "Pôle Coopérative des Mauges" in message.subject
    assert PoleProposal.objects.filter(proposer_email="lucie.martin@example.org").get() == first
    assert PoleProposal.objects.get(pk=first.pk).is_pending


def test_an_unconfirmed_proposal_sent_again_is_replaced(client, region):
    first = submitted(client, region)
    client.post(FORM_URL, proposal_data(region, summary="Nouvelle présentation."))
    proposal = PoleProposal.objects.get()
    assert proposal.pk != first.pk and proposal.summary == "Nouvelle présentation."
    assert len(mail.outbox) == 2


def test_proposals_left_unconfirmed_are_deleted_once_their_link_expired(client, region):
    old = submitted(client, region)
    PoleProposal.objects.filter(pk=old.pk).update(link_sent_at=timezone.now() - timedelta(days=4))
    assert client.post(FORM_URL, proposal_data(region, name="Autre pôle")).status_code == 302
    assert list(PoleProposal.objects.values_list("name", flat=True)) == ["Autre pôle"]


def test_the_commune_code_gives_its_name_and_region(client, region):
    CommuneFactory(code="49092", name="Chemillé-en-Anjou", region=region)
    proposal = submitted(client, region, region="", commune_code="49092")
    assert proposal.commune_name == "Chemillé-en-Anjou" and proposal.region == region


def test_a_commune_of_another_region_is_said_in_french_whatever_the_regions_name(client, region):
    """« pas en La Réunion » is no French: « pas dans la région La Réunion »."""
    reunion = RegionFactory(code="04", name="La Réunion", slug="la-reunion")
    CommuneFactory(code="97411", name="Saint-Denis", region=reunion)
    response = client.post(FORM_URL, proposal_data(region, commune_code="97411"))
    assert response.status_code == 400
    assert (
        "Cette commune est dans la région La Réunion, pas dans la région Pays de la Loire."
        in response.content.decode()
    )


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"region": "", "commune_code": ""}, "Indiquez la région du pôle, ou sa commune."),
        ({"commune_code": "99999"}, "Aucune commune ne porte ce code INSEE."),
        ({"commune_code": "ABCDE"}, "Un code commune INSEE compte cinq caractères"),
        ({"name": "x" * 5000}, "au plus 200 caractères"),
        ({"name": "Pôle\r\nBcc: victime@example.org"}, "sur une seule ligne"),
        ({"message": "bonjour\x00"}, "Le caractère nul n’est pas autorisé"),
        ({"message": "bonjour\x1b[31m"}, "caractères de contrôle"),
        ({"website": "javascript:alert(1)"}, "Saisissez une URL valide"),
        ({"region": "99999999999999999999"}, "Sélectionnez un choix valide"),
        ({"sectors": ["99999999999999999999"]}, "n’est pas une valeur correcte"),
        ({"consents_to_contact": None}, "Cochez cette case"),
        ({"proposer_email": "pas-une-adresse"}, "adresse de courriel valide"),
    ],
)
def test_hostile_or_wrong_input_gets_a_clear_message(client, region, changes, message):
    CommuneFactory(code="49092", region=region)
    response = client.post(FORM_URL, proposal_data(region, **changes))
    assert response.status_code == 400
    assert message in response.content.decode().replace("&#x27;", "'")
    assert not PoleProposal.objects.exists() and not mail.outbox


def test_html_in_a_proposal_is_shown_as_text(client, curator_client, region):
    proposal = confirmed(client, region, name="<script>alert(1)</script> Pôle")
    html = curator_client.get(change_url(proposal)).content.decode()
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html


def test_a_mail_server_down_records_nothing_and_says_so(client, region, settings):
    settings.MAILERS = {"default": {"BACKEND": "tests.poles.test_claims.BrokenBackend"}}
    response = client.post(FORM_URL, proposal_data(region))
    assert (
        response.status_code == 400 and "rien n&#x27;a été enregistré" in response.content.decode()
    )
    assert not PoleProposal.objects.exists()


# Staff decide in the admin ----------------------------------------------------------------------
