"""The members page saved from a stale copy: refused as a conflict (409, what changed, the input
kept), and saving again knowingly applies the input. A row someone else deleted meanwhile is no
mistake of the leader's: the same conflict, and saving again applies the input to the rows that
remain."""

from html import unescape

import pytest

from tests.factories import MembershipFactory
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
