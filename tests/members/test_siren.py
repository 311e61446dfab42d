"""A SIREN typed with spaces ("732 829 320") means the same everywhere: one clean-up
(``members.models.compact_siren``) for the organisations' page, the leaders' suggestions, the
members' lookup and the creation form."""

import pytest
from django.test import Client
from django.urls import reverse

from members.forms import OrganisationCreationForm, find_organisation
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db

TYPED = "732 829\u00a0320"  # a no-break space, as a copy from a PDF gives


@pytest.fixture
def target():
    OrganisationFactory(name="Autre")
    return OrganisationFactory(name="Cible", siren="732829320")


def test_the_organisations_page_finds_a_siren_typed_with_spaces(client, target):
    response = client.get(reverse("members:organisation-list"), {"q": TYPED})
    assert [organisation.name for organisation in response.context["page_obj"]] == ["Cible"]


def test_the_leaders_suggestions_find_a_siren_start_typed_with_spaces(alice, target):
    client = Client()
    client.force_login(alice)
    response = client.get(reverse("space:organisation-search"), {"q": "732 829"})
    assert [item["name"] for item in response.json()["results"]] == ["Cible"]


def test_the_members_lookup_finds_a_siren_typed_with_spaces(target):
    assert find_organisation(TYPED) == target
    assert find_organisation("Cible (SIREN 732829320)") == target


def test_the_creation_form_stores_a_siren_typed_with_spaces(target):
    data = {"name": "Nouvelle", "kind": "ess", "siren": "552 081 317"}
    form = OrganisationCreationForm(data)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["siren"] == "552081317"
    taken = OrganisationCreationForm({**data, "siren": TYPED})
    assert not taken.is_valid()
    assert taken.has_error("siren", "siren_taken")
