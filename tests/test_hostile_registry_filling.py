"""Issue 12's new parts tried as a hostile user and as a new one would: visitors' proposals and
their moderation, the contact page, login by e-mail, the provenance of a pole's facts and the
leaders' "what's missing" list. Each test pins a defect found that way (or a behaviour checked
because it could have been one)."""

import os
import re
from html import unescape

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from poles.models import Pole, PoleProposal
from tests.factories import PoleFactory, UserFactory
from tests.poles.test_proposals import FORM_URL, change_url, confirmation_link, proposal_data
from tests.poles.test_space import edit_url, form_data

pytestmark = pytest.mark.django_db
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API beside the ORM

CONTACT_URL = "/contact/"


def page_text(response) -> str:
    """What a reader sees in the page's main part, as one line of text."""
    html = response.content.decode().split("<main", 1)[-1]
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)))


def contact_data(**changes) -> dict:
    data = {
        "name": "Jeanne Dupont",
        "email": "jeanne@example.org",
        "subject": "Une correction",
        "message": "La commune du pôle a changé.",
        "homepage": "",
    }
    data.update(changes)
    return data


def submitted(client, region, /, **changes) -> PoleProposal:
    """A visitor's proposal, sent (the latest, when there are several)."""
    response = client.post(FORM_URL, proposal_data(region, **changes))
    assert response.status_code == 302, response.content.decode()[:2000]
    return PoleProposal.objects.latest("pk")


def confirmed(client, region, /, **changes) -> PoleProposal:
    proposal = submitted(client, region, **changes)
    assert client.post(confirmation_link()).status_code == 200
    proposal.refresh_from_db()
    return proposal


def create_pole_from(curator_client, proposal) -> Pole:
    url = reverse("admin:poles_poleproposal_create_pole", args=[proposal.pk])
    assert curator_client.post(url).status_code == 302
    return Pole.objects.get(proposals=proposal)


# Provenance: what a page says about where its facts come from ------------------------------------


def leader_edits_summary(leader, pole, summary: str) -> None:
    client = Client()
    client.force_login(leader)
    pole.refresh_from_db()
    response = client.post(edit_url(pole), form_data(pole, summary=summary))
    assert response.status_code == 302, response.content.decode()[:1000]


def seeded_pole() -> Pole:
    return Pole.objects.published().filter(sources__isnull=False).exclude(summary="").first()


def test_a_deleted_leaders_text_is_not_then_credited_to_the_source_documents(seeded):
    """Defect: deleting an account sets its versions' author to NULL, and a version without an
    author was read as the seed load's: the leader's text then said « source : Annonce… »."""
    pole = seeded_pole()
    leader = UserFactory(username="porteuse")
    pole.leaders.add(leader)
    leader_edits_summary(leader, pole, "Texte écrit par la porteuse du pôle.")
    text = page_text(Client().get(pole.get_absolute_url()))
    assert "Texte écrit par la porteuse du pôle. renseigné par le pôle, le" in text

    leader.delete()
    text = page_text(Client().get(pole.get_absolute_url()))
    assert "Texte écrit par la porteuse du pôle. renseigné par le pôle, le" in text
    assert "Texte écrit par la porteuse du pôle. source :" not in text


def test_a_deleted_staff_members_change_stays_the_teams(seeded, curator):
    pole = seeded_pole()
    Pole.objects.filter(pk=pole.pk).update(summary="")  # what the seed said, gone
    pole.refresh_from_db()
    pole.summary = "Résumé vérifié par l'équipe."
    pole._history_user = curator  # as the admin's middleware records it
    pole.save()
    curator.delete()
    text = page_text(Client().get(pole.get_absolute_url()))
    assert "Résumé vérifié par l'équipe. renseigné par l'équipe du registre, le" in text


def test_a_pole_without_any_history_shows_its_facts_without_a_provenance(seeded):
    pole = seeded_pole()
    pole.history.all().delete()
    response = Client().get(pole.get_absolute_url())
    assert response.status_code == 200
    text = page_text(response)
    assert pole.summary in text and "renseigné par" not in text


def test_a_pole_made_from_a_proposal_says_a_visitor_proposed_its_facts(
    client, curator_client, curator, region
):
    """Defect: the visitor's text was shown as « renseigné par l'équipe du registre », and the
    page had no « mis à jour » date though a person had written it."""
    proposal = confirmed(client, region, wants_to_lead=None)
    pole = create_pole_from(curator_client, proposal)
    assert pole.content_changed_at is not None
    Pole.objects.filter(pk=pole.pk).update(is_published=True)
    text = page_text(Client().get(pole.get_absolute_url()))
    assert (
        "Des entreprises de l'ESS et des PME qui mutualisent leurs achats. proposé par un "
        "visiteur, repris par l'équipe du registre le" in text
    )
    assert "renseigné par l'équipe" not in text
    assert "Fiche mise à jour le" in text
    english = page_text(Client().get(pole.get_absolute_url() + "?lang=en"))
    assert "proposed by a visitor, taken up by the registry team on" in english
    # Once a curator rewrites the summary, it is the team's.
    pole.refresh_from_db()
    pole.summary = "Résumé vérifié."
    pole._history_user = curator  # as the admin's middleware records it
    pole.save()
    text = page_text(Client().get(pole.get_absolute_url()))
    assert "Résumé vérifié. renseigné par l'équipe du registre, le" in text, text
    assert "https://mauges.example.org proposé par un visiteur" in text


def admin_form_data(response) -> dict:
    """The data a curator's browser sends back from an admin form as it was opened."""
    form = response.context["adminform"].form
    data = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if name == "logo" or field.disabled:
            continue
        if hasattr(value, "__iter__") and not isinstance(value, str):
            data[name] = [getattr(item, "pk", item) for item in value]
        elif value is None or value is False:
            data[name] = ""
        elif value is True:
            data[name] = "on"
        else:
            data[name] = value
    return data


def test_a_staff_revert_moves_the_updated_date_with_the_provenance(alice, pole, curator):
    """Defect: reverting a leader's edit from the admin's history changed the page's text and
    its provenance (« renseigné par l'équipe », today) but not its « mis à jour » date."""
    alice_client = Client()
    alice_client.force_login(alice)
    leader_edits_summary(alice, pole, "Ajout du porteur.")
    Pole.objects.filter(pk=pole.pk).update(content_changed_at="2020-01-01T00:00:00Z")
    before_edit = pole.history.order_by("history_date", "history_id").first()

    client = Client()
    client.force_login(curator)
    url = reverse("admin:poles_pole_simple_history", args=[pole.pk, before_edit.history_id])
    page = client.get(url)
    assert page.status_code == 200
    response = client.post(url, admin_form_data(page))
    assert response.status_code == 302, response.content.decode()[:3000]
    pole.refresh_from_db()
    assert pole.summary == before_edit.summary
    assert pole.content_changed_at.year > 2020


# The leaders' "what's missing" list ------------------------------------------------------------


def test_the_missing_list_names_only_the_leaders_poles_and_others_links_are_404(alice, bob, pole):
    client = Client()
    client.force_login(alice)
    html = client.get(reverse("space:my-poles")).content.decode()
    links = set(re.findall(r'href="(/espace/poles/[^"#]+)#', html))
    assert links and all(pole.slug in link for link in links)
    other = Pole.objects.get(name="Autre pôle")
    for name in ("space:edit-pole", "space:pole-members"):
        assert client.get(reverse(name, args=[other.slug])).status_code == 404
        assert client.post(reverse(name, args=[other.slug]), {}).status_code == 404


# Proposals: forged requests, replays, decided proposals ----------------------------------------


def test_replaying_the_link_of_a_decided_proposal_does_not_promise_an_answer(
    client, curator_client, region
):
    """Defect: after a refusal, the link still said « l'équipe… vous répondra par e-mail »."""
    proposal = submitted(Client(), region)
    link = confirmation_link()
    assert Client().post(link).status_code == 200
    curator_client.post(
        reverse("admin:poles_poleproposal_refuse", args=[proposal.pk]), {"message": "Non."}
    )
    for method in ("get", "post"):
        response = getattr(Client(), method)(link)
        text = page_text(response)
        assert response.status_code == 410
        assert "Cette proposition a déjà été examinée" in text and "vous répondra" not in text
    assert PoleProposal.objects.get().status == PoleProposal.Status.REFUSED
    english = page_text(Client().get(link + "?lang=en"))
    assert "This proposal has already been examined" in english


def test_a_decided_proposals_merge_and_refusal_pages_say_so_instead_of_a_form(
    client, curator_client, region
):
    """Defect: an old tab's refusal page offered a form that could only fail."""
    proposal = confirmed(client, region, wants_to_lead=None)
    pole = create_pole_from(curator_client, proposal)
    mail.outbox.clear()
    for name in ("admin:poles_poleproposal_merge", "admin:poles_poleproposal_refuse"):
        url = reverse(name, args=[proposal.pk])
        response = curator_client.get(url, follow=True)
        assert response.redirect_chain[-1][0] == change_url(proposal)
        assert "a déjà été traitée (Acceptée : pôle créé)" in page_text(response)
        response = curator_client.post(url, {"message": "Non.", "pole": pole.pk})
        assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.status == PoleProposal.Status.CREATED and proposal.pole == pole
    assert not mail.outbox and Pole.objects.count() == 1


def test_forged_decisions_are_refused_for_the_wrong_person_or_proposal(
    client, curator_client, region
):
    pending = confirmed(client, region)
    unconfirmed = submitted(Client(), region, name="Pôle pas confirmé", proposer_email="x@y.org")
    staff_without_rights = UserFactory(username="stagiaire", is_staff=True)
    intern = Client()
    intern.force_login(staff_without_rights)
    for name, data in (
        ("admin:poles_poleproposal_refuse", {"message": "Non."}),
        ("admin:poles_poleproposal_merge", {"pole": PoleFactory().pk}),
        ("admin:poles_poleproposal_create_pole", {}),
    ):
        assert intern.post(reverse(name, args=[pending.pk]), data).status_code == 403
        # A curator cannot decide on a proposal whose address was never confirmed.
        assert curator_client.post(reverse(name, args=[unconfirmed.pk]), data).status_code == 404
    assert set(PoleProposal.objects.values_list("status", flat=True)) == {"pending", "unconfirmed"}
    assert Pole.objects.count() == 1
