"""The members page opened before someone else deleted one of its rows: the save is refused as
any stale save (409, what changed, the input kept), not as the leader's own mistake, and saving
again applies the input to the rows that remain."""

from html import unescape

import pytest

from tests.factories import MembershipFactory
from tests.poles.test_space_members import login, members_data, members_url

pytestmark = pytest.mark.django_db


def test_a_row_deleted_meanwhile_is_a_conflict_and_saving_again_applies_the_rest(
    alice, curator, pole
):
    gone = MembershipFactory(pole=pole, organisation__name="Coopérative Archer")
    kept = MembershipFactory(pole=pole, organisation__name="Zèbre")
    opened_by_alice = members_data(pole)
    removed = members_data(pole, rows=[{"membership": gone, "DELETE": True}])
    assert login(curator).post(members_url(pole), removed).status_code == 302

    opened_by_alice["members-1-role"] = "founder"  # Zèbre, second row of her page
    opened_by_alice["members-2-organisation"] = "Nouvelle venue"
    opened_by_alice["members-2-new-name"] = "Nouvelle venue"
    opened_by_alice["members-2-new-kind"] = "ess"
    opened_by_alice["members-2-organisation"] = ""
    client = login(alice)
    response = client.post(members_url(pole), opened_by_alice)
    assert response.status_code == 409
    html = unescape(response.content.decode())
    assert "Quelqu'un d'autre a modifié cette fiche" in html
    assert "Rien n'est enregistré : corrigez" not in html
    assert 'value="Nouvelle venue"' in html  # her new row is kept

    formset = response.context["formset"]
    again = {**formset.data, "version": response.context["version_form"].data["version"]}
    assert client.post(members_url(pole), again).status_code == 302
    kept.refresh_from_db()
    assert kept.role == "founder"
    assert sorted(pole.memberships.values_list("organisation__name", flat=True)) == [
        "Nouvelle venue", "Zèbre"]
