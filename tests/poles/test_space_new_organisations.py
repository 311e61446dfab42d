"""Organisations a leader creates from the members page are created once: a name the registry
already has is chosen, not created again, and one organisation typed on two rows (two roles)
is one organisation. Duplicates would split an organisation's poles in two, and the network of
poles (``/reseau/``) would miss the link between them."""

from html import unescape

import pytest

from members.models import Organisation
from tests.factories import OrganisationFactory, _siren
from tests.poles.test_space_members import login, members_data, members_url

pytestmark = pytest.mark.django_db


def test_a_new_organisation_named_as_an_existing_one_is_refused(alice, pole):
    OrganisationFactory(name="Recyclerie de l'Érdre", siren="")
    data = members_data(pole, new=[{"new-name": "  recyclerie de l'erdre ", "new-kind": "ess"}])
    response = login(alice).post(members_url(pole), data)
    assert response.status_code == 400
    assert "Une organisation s'appelle déjà" in unescape(response.content.decode())
    assert Organisation.objects.count() == 1 and not pole.memberships.exists()


def test_a_homonym_with_its_own_siren_may_be_created(alice, pole):
    OrganisationFactory(name="Emmaüs")
    data = members_data(pole, new=[{"new-name": "Emmaüs", "new-kind": "ess",
                                    "new-siren": _siren(77)}])
    assert login(alice).post(members_url(pole), data).status_code == 302
    assert Organisation.objects.filter(name="Emmaüs").count() == 2


def test_one_new_organisation_on_two_rows_is_created_once_with_both_roles(alice, pole):
    new = {"new-name": "Atelier Vélo", "new-kind": "ess"}
    data = members_data(pole, new=[{**new, "role": "founder"},
                                   {**new, "new-name": "atelier  vélo", "role": "funder"}])
    assert login(alice).post(members_url(pole), data).status_code == 302
    organisation = Organisation.objects.get()
    assert sorted(pole.memberships.values_list("organisation", "role")) == [
        (organisation.pk, "founder"), (organisation.pk, "funder")]


def test_one_new_organisation_on_two_rows_with_one_role_is_refused(alice, pole):
    new = {"new-name": "Atelier Vélo", "new-kind": "ess", "role": "member"}
    response = login(alice).post(members_url(pole), members_data(pole, new=[new, new]))
    assert response.status_code == 400
    html = unescape(response.content.decode())
    assert "«\xa0Atelier Vélo\xa0» a deux lignes avec le même rôle\xa0: supprimez l'une" in html
    assert not Organisation.objects.exists()


@pytest.mark.parametrize(
    ("second", "message"),
    [
        ({"new-name": "Atelier Vélo", "new-siren": _siren(78)}, "avec deux SIREN différents"),
        ({"new-name": "Autre nom", "new-siren": _siren(77)}, "même SIREN"),
    ],
)
def test_two_rows_that_contradict_each_other_are_refused_with_what_is_wrong(
    alice, pole, second, message
):
    first = {"new-name": "Atelier Vélo", "new-kind": "ess", "new-siren": _siren(77)}
    data = members_data(pole, new=[first, {"new-kind": "ess", "role": "funder", **second}])
    response = login(alice).post(members_url(pole), data)
    assert response.status_code == 400
    assert message in unescape(response.content.decode())
    assert not Organisation.objects.exists()
