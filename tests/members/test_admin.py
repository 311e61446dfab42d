"""Curating member organisations in the admin."""

import csv
import io

import pytest
from django.urls import reverse

from members.models import Organisation
from tests.admin_helpers import inline_management
from tests.factories import MembershipFactory, OrganisationFactory

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:members_organisation_changelist")


def _data(**overrides) -> dict:
    data = {"name": "Taf et Maffe", "slug": "taf-et-maffe", "kind": "ess", "legal_form": "",
            "siren": "", **inline_management("memberships")}
    data.update(overrides)
    return data


def test_curator_sees_organisations_and_memberships(curator_client):
    MembershipFactory()
    assert curator_client.get(CHANGELIST).status_code == 200
    assert curator_client.get(reverse("admin:members_membership_changelist")).status_code == 200
    organisation = Organisation.objects.get()
    change = reverse("admin:members_organisation_change", args=[organisation.pk])
    assert curator_client.get(change).status_code == 200


def test_bad_siren_is_refused_with_the_luhn_message(curator_client):
    response = curator_client.post(reverse("admin:members_organisation_add"),
                                   _data(siren="732829321"))
    assert response.status_code == 200
    assert "clé de contrôle incorrecte" in response.content.decode()
    assert not Organisation.objects.exists()


def test_duplicate_siren_is_refused_with_a_clear_message(curator_client):
    OrganisationFactory(siren="732829320")
    response = curator_client.post(reverse("admin:members_organisation_add"),
                                   _data(siren="732829320"))
    assert "déjà ce numéro SIREN" in response.content.decode()


def test_curator_adds_an_organisation(curator_client):
    response = curator_client.post(reverse("admin:members_organisation_add"),
                                   _data(siren="732829320"))
    assert response.status_code == 302
    assert Organisation.objects.get().siren == "732829320"


def test_csv_export_of_organisations(curator_client):
    chosen = OrganisationFactory(name="Coopérative Énergie", kind="ess", legal_form="scic")
    MembershipFactory(organisation=chosen)
    OrganisationFactory()
    response = curator_client.post(
        CHANGELIST, {"action": "export_csv", "_selected_action": [chosen.pk]}
    )
    assert response.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:3] == ["nom", "type", "forme juridique"]
    assert rows[1][:3] == ["Coopérative Énergie", "Entreprise de l'ESS", "SCIC"]
    assert rows[1][-1] == "1" and len(rows) == 2


def test_search_by_siren(curator_client):
    OrganisationFactory(name="Cible", siren="732829320")
    OrganisationFactory(name="Autre")
    response = curator_client.get(CHANGELIST, {"q": "732829320"})
    assert [o.name for o in response.context["cl"].result_list] == ["Cible"]
