"""Visitors' proposals, as the team curates them: similar poles, the pole made from a proposal,
refusals and merges."""


import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from poles.leadership.proposals.similar import similar_poles
from poles.models import Invitation, Pole, PoleProposal
from tests.admin_helpers import count_queries
from tests.factories import CommuneFactory, PoleFactory, SectorFactory, UserFactory
from tests.poles.test_proposals import change_url, changelist, confirmed

pytestmark = pytest.mark.django_db


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
