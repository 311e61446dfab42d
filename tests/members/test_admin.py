"""Curating member organisations and memberships in the admin."""


import pytest
from django.urls import reverse

from members.models import Membership, Organisation
from tests.admin_conftest_helpers import grow_registry
from tests.admin_helpers import count_queries, csv_export_queries, inline_management, read_csv
from tests.factories import MembershipFactory, OrganisationFactory, PoleFactory, RegionFactory

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:members_organisation_changelist")
MEMBERSHIPS = reverse("admin:members_membership_changelist")
ADD = reverse("admin:members_organisation_add")

# The admin's columns come from the import/export resource (members/resources.py).
ORGANISATION_CSV_HEADER = [
    "nom", "identifiant", "type", "forme juridique", "SIREN", "description", "site web",
    "code commune", "commune", "région", "nombre de pôles",
]


def organisation_data(**overrides) -> dict:
    data = {
        "name": "Taf et Maffe",
        "slug": "taf-et-maffe",
        "kind": "ess",
        "legal_form": "",
        "siren": "",
        **inline_management("memberships"),
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize("model", ["organisation", "membership"])
def test_curator_sees_the_changelists_and_forms(curator_client, model):
    membership = MembershipFactory()
    obj = membership if model == "membership" else membership.organisation
    assert curator_client.get(reverse(f"admin:members_{model}_changelist")).status_code == 200
    assert curator_client.get(reverse(f"admin:members_{model}_add")).status_code == 200
    change = reverse(f"admin:members_{model}_change", args=[obj.pk])
    assert curator_client.get(change).status_code == 200


def test_non_staff_user_is_sent_to_the_login(client, stranger):
    client.force_login(stranger)
    response = client.get(CHANGELIST)
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_curator_adds_an_organisation_with_its_memberships(curator_client):
    poles = PoleFactory.create_batch(2)
    data = organisation_data(
        siren="732829320",
        **inline_management("memberships", total=2),
        **{"memberships-0-pole": poles[0].pk, "memberships-0-role": "founder"},
        **{"memberships-1-pole": poles[1].pk, "memberships-1-role": "funder"},
        **{"memberships-1-joined_on": "2015-03-01"},
    )
    response = curator_client.post(ADD, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    organisation = Organisation.objects.get()
    assert organisation.siren == "732829320"
    assert set(organisation.memberships.values_list("pole__name", "role")) == {
        (poles[0].name, "founder"),
        (poles[1].name, "funder"),
    }


def test_bad_siren_is_refused_with_the_luhn_message(curator_client):
    response = curator_client.post(ADD, organisation_data(siren="732829321"))
    assert response.status_code == 200
    assert "Ce numéro SIREN n&#x27;est pas valide (clé de contrôle incorrecte)" in (
        response.content.decode()
    )
    assert not Organisation.objects.exists()


def test_short_siren_is_refused_with_a_clear_message(curator_client):
    response = curator_client.post(ADD, organisation_data(siren="73282932"))
    assert response.status_code == 200
    assert "Un numéro SIREN compte exactement 9 chiffres" in response.content.decode()
    assert not Organisation.objects.exists()


def test_duplicate_siren_is_refused_with_a_clear_message(curator_client):
    OrganisationFactory(siren="732829320")
    response = curator_client.post(ADD, organisation_data(siren="732829320"))
    assert response.status_code == 200
    assert "Une organisation porte déjà ce numéro SIREN." in response.content.decode()
    assert Organisation.objects.count() == 1


def test_leaving_before_joining_is_refused_with_the_constraint_message(curator_client):
    membership = MembershipFactory()
    response = curator_client.post(
        reverse("admin:members_membership_change", args=[membership.pk]),
        {
            "pole": membership.pole_id,
            "organisation": membership.organisation_id,
            "role": "member",
            "joined_on": "2016-01-01",
            "left_on": "2015-01-01",
        },
    )
    assert response.status_code == 200
    assert "La date de départ ne peut pas précéder la date d&#x27;arrivée." in (
        response.content.decode()
    )
    membership.refresh_from_db()
    assert membership.left_on is None


def test_csv_export_of_organisations(curator_client):
    region = RegionFactory(code="53", name="Bretagne", slug="bretagne")
    chosen = OrganisationFactory(
        name="Coopérative Énergie Citoyenne",
        kind="ess",
        legal_form="scic",
        siren="732829320",
        commune_name="Rennes",
        commune_code="35238",
        region=region,
        website="https://energie.example.org",
    )
    MembershipFactory.create_batch(2, organisation=chosen)
    MembershipFactory(organisation=chosen, left_on="2020-01-01")  # left: not counted
    other = OrganisationFactory(name="Mairie de Sedan", kind="local_authority", legal_form="")
    OrganisationFactory(name="Pas choisie")
    response = curator_client.post(
        CHANGELIST, {"action": "export_csv", "_selected_action": [chosen.pk, other.pk]}
    )
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="organisations-')
    assert response.content.startswith("\ufeff".encode())
    assert response.content.decode("utf-8-sig").splitlines()[0] == ";".join(
        f'"{column}"' for column in ORGANISATION_CSV_HEADER
    )
    rows = read_csv(response)
    assert rows[0] == ORGANISATION_CSV_HEADER
    assert len(rows) == 3
    by_name = {row[0]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]}
    expected = {
        "nom": "Coopérative Énergie Citoyenne", "type": "Entreprise de l'ESS",
        "forme juridique": "SCIC", "SIREN": "732829320", "commune": "Rennes",
        "code commune": "35238", "région": "Bretagne", "site web": "https://energie.example.org",
        "nombre de pôles": "2",
    }
    cells = by_name["Coopérative Énergie Citoyenne"]
    assert {column: cells[column] for column in expected} == expected
    sedan = by_name["Mairie de Sedan"]
    assert (sedan["type"], sedan["forme juridique"]) == ("Collectivité territoriale", "")
    assert sedan["nombre de pôles"] == "0"


def test_csv_export_runs_the_same_queries_for_2_or_20_organisations(curator_client):
    few, many = csv_export_queries(curator_client, CHANGELIST, Organisation, grow_registry)
    assert many == few


def test_search_by_siren_or_name(curator_client):
    OrganisationFactory(name="Cible", siren="732829320")
    OrganisationFactory(name="Autre")
    response = curator_client.get(CHANGELIST, {"q": "732829320"})
    assert [o.name for o in response.context["cl"].result_list] == ["Cible"]
    response = curator_client.get(CHANGELIST, {"q": "cib"})
    assert [o.name for o in response.context["cl"].result_list] == ["Cible"]


def test_organisation_changelist_counts_current_poles(curator_client):
    organisation = OrganisationFactory()
    MembershipFactory.create_batch(3, organisation=organisation)
    MembershipFactory(organisation=organisation, left_on="2019-06-30")
    response = curator_client.get(CHANGELIST)
    assert response.context["cl"].result_list[0].pole_count == 3


def test_membership_filters_current_and_past(curator_client):
    current = MembershipFactory()
    past = MembershipFactory(joined_on="2014-01-01", left_on="2018-01-01")
    response = curator_client.get(MEMBERSHIPS, {"current": "yes"})
    assert list(response.context["cl"].result_list) == [current]
    response = curator_client.get(MEMBERSHIPS, {"current": "no"})
    assert list(response.context["cl"].result_list) == [past]


def test_membership_search_finds_the_pole_or_the_organisation(curator_client):
    membership = MembershipFactory(
        organisation=OrganisationFactory(name="Atelier Zéro"), pole=PoleFactory(name="Archer")
    )
    MembershipFactory()
    response = curator_client.get(MEMBERSHIPS, {"q": "Atelier"})
    assert list(response.context["cl"].result_list) == [membership]
    response = curator_client.get(MEMBERSHIPS, {"q": "archer"})
    assert list(response.context["cl"].result_list) == [membership]


@pytest.mark.parametrize("url", [CHANGELIST, MEMBERSHIPS])
def test_changelists_run_the_same_queries_for_2_or_20_rows(curator_client, url):
    grow_registry(2)
    few = count_queries(curator_client, url)
    grow_registry(18)
    assert Membership.objects.count() == 20
    assert count_queries(curator_client, url) == few
