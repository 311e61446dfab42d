"""Visitors propose a missing pole ("Proposer un pôle"): the proposer confirms their address,
then staff create an unpublished pole from it, merge it into an existing pole, or refuse it."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from poles.leadership.proposals.similar import similar_poles
from poles.models import Invitation, Pole, PoleProposal
from tests.admin_helpers import count_queries
from tests.factories import CommuneFactory, PoleFactory, RegionFactory, SectorFactory, UserFactory

pytestmark = pytest.mark.django_db

CONFIRM_LINK = re.compile(r"http://testserver/proposer/confirmer/[\w-]+/")
FORM_URL = "/proposer/"


@pytest.fixture
def region(db):
    return RegionFactory(code="52", name="Pays de la Loire", slug="pays-de-la-loire")


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


def test_a_second_pending_proposal_of_the_same_pole_is_refused(client, region):
    confirmed(client, region)
    response = client.post(
        FORM_URL,
        proposal_data(
            region, name="pôle coopérative des MAUGES", proposer_email="lucie.martin@example.ORG"
        ),
    )
    assert response.status_code == 400
    assert "Vous avez déjà proposé un pôle de ce nom" in response.content.decode()
    assert PoleProposal.objects.count() == 1


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


def test_similar_poles_are_found_without_accents(db):
    PoleFactory(name="Pôle Sud Archer")
    PoleFactory(name="Autre chose", is_published=False)
    names = [pole.name for pole in similar_poles("pole sud-archer")]
    assert names == ["Pôle Sud Archer"]
    assert similar_poles("Pôle territorial") == []


def test_the_proposal_page_lists_poles_of_a_similar_name(client, curator_client, region):
    existing = PoleFactory(name="Coopérative des Mauges")
    proposal = confirmed(client, region)
    html = curator_client.get(change_url(proposal)).content.decode()
    assert reverse("admin:poles_pole_change", args=[existing.pk]) in html
    assert "Créer le pôle (non publié)" in html and "Rattacher à un pôle existant" in html


def test_creating_the_pole_makes_it_unpublished_prefilled_and_invites_the_proposer(
    client, curator_client, curator, region
):
    sector = SectorFactory(name="Alimentation")
    CommuneFactory(code="49092", name="Chemillé-en-Anjou", region=region, latitude=47.2)
    proposal = confirmed(client, region, commune_code="49092", sectors=[sector.pk])
    mail.outbox.clear()

    url = reverse("admin:poles_poleproposal_create_pole", args=[proposal.pk])
    assert curator_client.get(url).status_code == 405
    response = curator_client.post(url, follow=True)
    assert "est créé, non publié" in response.content.decode()
    pole = Pole.objects.get(name="Pôle Coopérative des Mauges")
    assert not pole.is_published and pole.slug == "pole-cooperative-des-mauges"
    assert pole.status == Pole.Status.NOT_KNOWN
    assert pole.summary == proposal.summary and pole.website == "https://mauges.example.org"
    assert pole.region == region and pole.commune_name == "Chemillé-en-Anjou"
    assert pole.latitude == 47.2 and list(pole.sectors.all()) == [sector]
    proposal.refresh_from_db()
    assert proposal.status == PoleProposal.Status.CREATED and proposal.pole == pole
    assert proposal.decided_by == curator and proposal.invitation == Invitation.objects.get()
    assert mail.outbox[0].to == ["lucie.martin@example.org"]
    assert "/compte/invitation/" in mail.outbox[0].body
    # Decided: a record, without buttons; a second decision is refused.
    html = curator_client.get(change_url(proposal)).content.decode()
    assert "Créer le pôle (non publié)" not in html
    response = curator_client.post(url, follow=True)
    assert "a déjà été traitée" in response.content.decode()
    assert Pole.objects.count() == 1
    history = curator_client.get(
        reverse("admin:poles_poleproposal_history", args=[proposal.pk])
    ).content.decode()
    assert "Pôle créé d&#x27;après la proposition" in history


def test_a_proposer_who_does_not_want_to_lead_is_not_invited(client, curator_client, region):
    proposal = confirmed(client, region, wants_to_lead=None)
    curator_client.post(reverse("admin:poles_poleproposal_create_pole", args=[proposal.pk]))
    assert Pole.objects.filter(proposals=proposal).exists()
    assert not Invitation.objects.exists()


def test_merging_links_the_pole_and_changes_nothing_of_it(client, curator_client, region):
    existing = PoleFactory(name="Coopérative des Mauges", summary="Texte vérifié.", website="")
    before = Pole.objects.filter(pk=existing.pk).values().get()
    proposal = confirmed(client, region)
    url = reverse("admin:poles_poleproposal_merge", args=[proposal.pk])
    page = curator_client.get(url).content.decode()
    assert f'<option value="{existing.pk}" selected>' in page  # the closest name, chosen
    # Side by side: what the proposal says differently is shown, not copied.
    assert "La proposition et la fiche de « Coopérative des Mauges »" in page
    assert "<strong>https://mauges.example.org</strong>" in page and "Texte vérifié." in page
    other = PoleFactory(name="Autre pôle des Mauges")
    compared = curator_client.get(url, {"pole": other.pk}).content.decode()
    assert f'<option value="{other.pk}" selected>' in compared
    for hostile in ("9" * 30, "x", "１"):
        assert curator_client.get(url, {"pole": hostile}).status_code == 200
    response = curator_client.post(url, {"pole": existing.pk}, follow=True)
    assert "est rattachée au pôle « Coopérative des Mauges »" in response.content.decode()
    proposal.refresh_from_db()
    assert proposal.status == PoleProposal.Status.MERGED and proposal.pole == existing
    assert Pole.objects.filter(pk=existing.pk).values().get() == before
    assert Pole.objects.count() == 2 and not Invitation.objects.exists()


def test_refusing_sends_the_edited_polite_email(client, curator_client, region):
    proposal = confirmed(client, region)
    url = reverse("admin:poles_poleproposal_refuse", args=[proposal.pk])
    page = curator_client.get(url).content.decode()
    assert "Merci d&#x27;avoir proposé le pôle" in page  # the polite default, to edit
    mail.outbox.clear()
    curator_client.post(url, {"message": "Ce pôle a fusionné avec un autre en 2020."})
    proposal.refresh_from_db()
    assert proposal.status == PoleProposal.Status.REFUSED
    assert proposal.refusal_message == "Ce pôle a fusionné avec un autre en 2020."
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["lucie.martin@example.org"]
    assert "Bonjour Lucie Martin," in mail.outbox[0].body
    assert "Ce pôle a fusionné avec un autre en 2020." in mail.outbox[0].body
    assert not Pole.objects.exists()
    # The decision is in the proposal's history, with who took it.
    history = curator_client.get(
        reverse("admin:poles_poleproposal_history", args=[proposal.pk])
    ).content.decode()
    assert "Refusée (e-mail envoyé à l&#x27;auteur)" in history and "claire" in history


def test_the_bulk_refusal_sends_the_default_message(client, curator_client, region):
    proposal = confirmed(client, region)
    mail.outbox.clear()
    curator_client.post(changelist(), {"action": "refuse", "_selected_action": [proposal.pk]})
    assert PoleProposal.objects.get().status == PoleProposal.Status.REFUSED
    assert "nous ne pouvons pas l'ajouter au registre" in mail.outbox[0].body


def test_only_curators_reach_the_proposals(client, region, stranger):
    proposal = confirmed(client, region)
    staff_without_rights = UserFactory(username="stagiaire", is_staff=True)
    urls = [
        changelist(),
        change_url(proposal),
        reverse("admin:poles_poleproposal_merge", args=[proposal.pk]),
        reverse("admin:poles_poleproposal_refuse", args=[proposal.pk]),
    ]
    create = reverse("admin:poles_poleproposal_create_pole", args=[proposal.pk])
    for user in (None, stranger):
        visitor = Client()
        if user:
            visitor.force_login(user)
        for url in [*urls, create]:
            response = visitor.post(url) if url == create else visitor.get(url)
            assert response.status_code == 302 and "/login/" in response.url, url
    visitor = Client()
    visitor.force_login(staff_without_rights)
    assert visitor.get(urls[0]).status_code == 403
    assert visitor.post(create).status_code == 403
    assert visitor.get(urls[2]).status_code == 403
    assert PoleProposal.objects.get().status == PoleProposal.Status.PENDING


def test_the_changelist_runs_a_constant_number_of_queries(client, curator_client, region):
    def add(count: int, start: int) -> None:
        for number in range(start, start + count):
            proposal = PoleProposal(
                name=f"Pôle {number}",
                region=region,
                proposer_name="A",
                proposer_email=f"{number}@x.org",
                status=PoleProposal.Status.PENDING,
                confirmed_at=timezone.now(),
                pole=PoleFactory(region=region),
            )
            proposal.new_token()
            proposal.save()

    add(2, 0)
    few = count_queries(curator_client, changelist())
    add(15, 2)
    assert count_queries(curator_client, changelist()) == few


def test_a_visitors_proposal_leaves_the_page_cache_alone(client, region):
    from ptce_site.cache import current_generation

    sector = SectorFactory(name="Culture")
    before = current_generation()
    confirmed(client, region, sectors=[sector.pk])
    assert current_generation() == before


def test_the_status_filter_lists_what_staff_can_see(client, curator_client, region):
    confirmed(client, region)
    html = curator_client.get(changelist()).content.decode()
    assert "?status=pending" in html and "?status=unconfirmed" not in html
    assert (
        "Pôle Coopérative des Mauges"
        in curator_client.get(changelist(), {"status": "pending"}).content.decode()
    )
    refused = curator_client.get(changelist(), {"status": "refused"}).content.decode()
    assert "Pôle Coopérative des Mauges" not in refused
    for hostile in ("unconfirmed", "x\x00", "9" * 50):
        assert curator_client.get(changelist(), {"status": hostile}).status_code in {200, 302, 400}
