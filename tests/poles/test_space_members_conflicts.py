"""The members page saved from a stale copy: refused as a conflict (409, what changed, the input
kept), and saving again knowingly applies the input. A row someone else deleted meanwhile is no
mistake of the leader's: the same conflict, and saving again applies the input to the rows that
remain."""

from html import unescape

import pytest
from django.db import IntegrityError

from members.models import Organisation
from poles.leadership.space import views
from tests.factories import MembershipFactory, OrganisationFactory, _siren
from tests.poles.test_space_members import login, members_data, members_url

pytestmark = pytest.mark.django_db


def stale_save(client, pole, data) -> tuple:
    """``data`` posted from a page someone else saved meanwhile: refused as a conflict (409,
    said so); the response and its text."""
    response = client.post(members_url(pole), data)
    assert response.status_code == 409
    html = unescape(response.content.decode())
    assert "Quelqu'un d'autre a modifié cette fiche" in html
    return response, html


def test_stale_members_page_is_refused_and_keeps_the_input(alice, curator, pole):
    membership = MembershipFactory(pole=pole, organisation__name="Coopérative Archer")
    opened_by_alice = members_data(pole)
    opened_by_curator = members_data(pole)
    opened_by_alice["members-0-role"] = "founder"
    assert login(alice).post(members_url(pole), opened_by_alice).status_code == 302

    opened_by_curator["members-0-left_on"] = "2025-01-31"
    second = login(curator)
    response, html = stale_save(second, pole, opened_by_curator)
    assert "Membre fondateur" in html  # what changed in between: the role, before → after
    assert 'value="2025-01-31"' in html  # what she typed is kept
    membership.refresh_from_db()
    assert membership.role == "founder" and membership.left_on is None

    # Saving again, knowingly, applies her input.
    resubmitted = {**opened_by_curator, "version": response.context["version_form"].data["version"]}
    resubmitted["members-0-role"] = "founder"
    assert second.post(members_url(pole), resubmitted).status_code == 302
    membership.refresh_from_db()
    assert str(membership.left_on) == "2025-01-31"


def test_a_row_deleted_meanwhile_is_a_conflict_and_saving_again_applies_the_rest(
    alice, curator, pole
):
    gone = MembershipFactory(pole=pole, organisation__name="Coopérative Archer")
    kept = MembershipFactory(pole=pole, organisation__name="Zèbre")
    opened_by_alice = members_data(pole)
    removed = members_data(pole, rows=[{"membership": gone, "DELETE": True}])
    assert login(curator).post(members_url(pole), removed).status_code == 302

    opened_by_alice["members-1-role"] = "founder"  # Zèbre, second row of her page
    opened_by_alice["members-2-new-name"] = "Nouvelle venue"
    opened_by_alice["members-2-new-kind"] = "ess"
    opened_by_alice["members-2-organisation"] = ""
    client = login(alice)
    response, html = stale_save(client, pole, opened_by_alice)
    assert "Rien n'est enregistré : corrigez" not in html
    assert "Rien n'est enregistré\xa0: corrigez" not in html
    assert 'value="Nouvelle venue"' in html  # her new row is kept

    formset = response.context["formset"]
    again = {**formset.data, "version": response.context["version_form"].data["version"]}
    assert client.post(members_url(pole), again).status_code == 302
    kept.refresh_from_db()
    assert kept.role == "founder"
    assert sorted(pole.memberships.values_list("organisation__name", flat=True)) == [
        "Nouvelle venue", "Zèbre"]


def landing_first(monkeypatch, other_save) -> None:
    """``other_save()`` committed by someone else after this page passed validation and just
    before it is saved: the database, not the form, then refuses the save."""
    save_if_current = views.save_if_current

    def crossed(*args):
        other_save()
        return save_if_current(*args)

    monkeypatch.setattr(views, "save_if_current", crossed)


def test_a_siren_taken_by_someone_else_at_the_same_moment_says_so_on_its_row(
    alice, pole, monkeypatch
):
    siren = _siren(5151)
    landing_first(monkeypatch, lambda: OrganisationFactory(name="Arrivée avant", siren=siren))
    new = {"new-name": "Recyclerie", "new-kind": "ess", "new-siren": siren}
    data = members_data(pole, new=[new])
    response = login(alice).post(members_url(pole), data)

    assert response.status_code == 400
    html = unescape(response.content.decode())
    assert "Une organisation porte déjà ce numéro SIREN\xa0: choisissez-la" in html
    assert 'value="Recyclerie"' in html  # what she typed is kept
    assert not pole.memberships.exists()
    assert not Organisation.objects.filter(name="Recyclerie").exists()


def test_a_membership_added_by_someone_else_at_the_same_moment_says_so_on_its_row(
    alice, pole, monkeypatch
):
    organisation = OrganisationFactory(name="Coopérative Archer")
    landing_first(monkeypatch, lambda: MembershipFactory(pole=pole, organisation=organisation))
    data = members_data(pole, new=[{"organisation": organisation.slug, "role": "member"}])
    response = login(alice).post(members_url(pole), data)

    assert response.status_code == 400
    assert "Cette organisation a déjà ce rôle dans ce pôle." in unescape(response.content.decode())
    assert pole.memberships.count() == 1  # the other one's, not a second


def test_a_role_the_organisation_already_has_is_refused_on_its_row(alice, pole):
    organisation = OrganisationFactory(name="Coopérative Archer")
    founder = MembershipFactory(pole=pole, organisation=organisation, role="founder")
    member = MembershipFactory(pole=pole, organisation=organisation, role="member")
    client = login(alice)
    for data in (
        members_data(pole, new=[{"organisation": organisation.slug, "role": "founder"}]),
        members_data(pole, rows=[{"membership": member, "role": "founder"}]),
        # Two rows swapping their roles: each meets the other's role as saved.
        members_data(pole, rows=[
            {"membership": founder, "role": "member"}, {"membership": member, "role": "founder"}]),
    ):
        response = client.post(members_url(pole), data)
        assert response.status_code == 400
        assert "Cette organisation a déjà ce rôle dans ce pôle." in unescape(
            response.content.decode())
    assert sorted(pole.memberships.values_list("pk", "role")) == sorted(
        [(founder.pk, "founder"), (member.pk, "member")])


def test_a_save_the_database_refuses_for_a_reason_gone_since_says_nothing_is_saved(
    alice, pole, monkeypatch
):
    def refused():
        raise IntegrityError("duplicate key value violates unique constraint")

    landing_first(monkeypatch, refused)
    data = members_data(pole, new=[{"new-name": "Recyclerie", "new-kind": "ess"}])
    response = login(alice).post(members_url(pole), data)

    assert response.status_code == 400
    html = unescape(response.content.decode())
    assert "Rien n'est enregistré\xa0: une autre personne a enregistré les mêmes données" in html
    assert 'value="Recyclerie"' in html
    assert not pole.memberships.exists()
