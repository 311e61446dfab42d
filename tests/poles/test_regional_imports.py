"""A regional curator's imports and exports (the attacker review): a row naming a pole, or an
organisation known only through other regions' poles, is answered as a row naming one that
does not exist, never with its name, its region or a word that says it exists; nothing
outside the curator's regions is written; an export holds the curator's regions only."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from calls.models import Application
from members.models import Membership, Organisation
from poles.models import Pole
from ptce_site.resources import all_errors
from tests.factories import MembershipFactory, OrganisationFactory, RegionFactory
from tests.poles.test_regional_curators import region_rows, regional_curator

pytestmark = pytest.mark.django_db

UNKNOWN = "nexiste-nulle-part"


@pytest.fixture
def two_regions(db):
    """One row of each model in region A, the curator's, and in region B."""
    return region_rows(RegionFactory(name="Région A"), "a"), region_rows(
        RegionFactory(name="Région B"), "b"
    )


@pytest.fixture
def rita_client(client, two_regions):
    client.force_login(regional_curator(two_regions[0]["poles.region"]))
    return client


def preview(client, model: str, text: str) -> list[str]:
    """The messages of the import's preview of the CSV ``text`` on the list ``model``."""
    upload = SimpleUploadedFile("fichier.csv", text.encode(), "text/csv")
    response = client.post(
        reverse(f"admin:{model}_import"), {"format": "0", "resource": "0", "import_file": upload}
    )
    assert response.status_code == 200
    return all_errors(response.context["result"])


def secrets_of(rows: dict) -> list[str]:
    """What the other region's rows must never show: names, region, identifiers, SIREN."""
    pole, organisation = rows["poles.pole"], rows["members.organisation"]
    return [pole.name, str(rows["poles.region"]), organisation.name, organisation.siren]


def assert_answered_as_unknown(client, model: str, row: str, key: str, theirs):
    """The preview of ``row`` (a ``{}`` for the key) naming ``key`` says what it says of an
    unknown key, word for word, and nothing else of the other region's rows."""
    messages = preview(client, model, row.format(key))
    unknown = preview(client, model, row.format(UNKNOWN))
    assert messages and messages == [text.replace(UNKNOWN, key) for text in unknown]
    for secret in set(secrets_of(theirs)) - {key}:
        assert not any(secret in text for text in messages), secret


def test_a_membership_of_another_regions_pole_is_answered_as_one_of_an_unknown_pole(
    rita_client,
    two_regions,
):
    mine, theirs = two_regions
    organisation, pole_b = mine["members.organisation"], theirs["poles.pole"]
    row = "pôle;organisation;rôle\n{};" + f"{organisation.slug};Partenaire\n"
    assert_answered_as_unknown(rita_client, "members_membership", row, pole_b.slug, theirs)
    assert not Membership.objects.filter(pole=pole_b, organisation=organisation).exists()


def test_an_organisation_known_only_through_another_region_is_unknown_to_a_membership(
    rita_client,
    two_regions,
):
    """Linking it to one's own pole would say that it exists, and write a link the admin's
    form refuses (its choices are the organisations the curator sees)."""
    mine, theirs = two_regions
    pole, organisation_b = mine["poles.pole"], theirs["members.organisation"]
    for key in (organisation_b.slug, organisation_b.siren):
        row = f"pôle;organisation;rôle\n{pole.slug};{{}};Partenaire\n"
        assert_answered_as_unknown(rita_client, "members_membership", row, key, theirs)
    assert not Membership.objects.filter(pole=pole, organisation=organisation_b).exists()


def test_an_application_of_another_regions_pole_never_says_its_region(
    rita_client,
    two_regions,
):
    """The model's check of the former region named the pole's region (« alors que le pôle est
    rattaché à la région B »)."""
    mine, theirs = two_regions
    call, pole_b = mine["calls.application"].call, theirs["poles.pole"]
    former_a = mine["calls.application"].former_region
    row = f"appel;pôle;ancienne région\n{call.slug};{{}};{former_a.code}\n"
    assert_answered_as_unknown(rita_client, "calls_application", row, pole_b.slug, theirs)
    assert not Application.objects.filter(pole=pole_b, call=call).exists()


def test_a_pole_named_as_another_regions_pole_is_a_new_pole_of_ones_region(
    rita_client,
    two_regions,
):
    """By its name (no identifier): the other region's pole of that name is not found; the
    row is a new pole, as it would be if that pole did not exist."""
    mine, theirs = two_regions
    row = f"nom;région\n{{}};{mine['poles.region'].code}\n"
    messages = preview(rita_client, "poles_pole", row.format(theirs["poles.pole"].name))
    assert messages == preview(rita_client, "poles_pole", row.format("Pôle inconnu")) == []
    # Without a region: refused as out of the curator's regions, whether it exists or not.
    assert_answered_as_unknown(rita_client, "poles_pole", "nom\n{}\n", theirs["poles.pole"].name,
                               theirs)


def test_an_identifier_of_another_regions_row_says_only_that_it_is_taken(
    rita_client,
    two_regions,
):
    """Identifiers and SIREN are unique across the registry (a pole's identifier is its public
    address): as in the admin's add form, a row that takes one is refused as taken, without
    the row's name or region, and the row is not changed."""
    mine, theirs = two_regions
    region = mine["poles.region"].code
    pole_b, organisation_b = theirs["poles.pole"], theirs["members.organisation"]
    messages = preview(
        rita_client, "poles_pole", f"nom;identifiant;région\nPôle repris;{pole_b.slug};{region}\n"
    )
    assert messages and all("déjà" in text for text in messages), messages
    assert not any(secret in text for text in messages for secret in secrets_of(theirs))
    messages = preview(
        rita_client,
        "members_organisation",
        f"nom;type;SIREN;région\nReprise;Autre;{organisation_b.siren};{region}\n",
    )
    assert messages and all("déjà" in text for text in messages), messages
    assert not any(secret in text for text in messages for secret in secrets_of(theirs))
    pole_b.refresh_from_db()
    assert pole_b.name != "Pôle repris"
    assert Organisation.objects.get(pk=organisation_b.pk).name == organisation_b.name


def test_an_organisation_named_as_another_regions_one_is_a_new_organisation(
    rita_client,
    two_regions,
):
    mine, theirs = two_regions
    row = f"nom;type;région\n{{}};Autre;{mine['poles.region'].code}\n"
    messages = preview(
        rita_client, "members_organisation", row.format(theirs["members.organisation"].name)
    )
    assert messages == preview(rita_client, "members_organisation", row.format("Inconnue")) == []


def export_text(client, model: str) -> str:
    response = client.post(reverse(f"admin:{model}_export"), {"format": "0"})
    assert response.status_code == 200
    return response.content.decode("utf-8-sig")


def test_exports_hold_only_the_curators_regions(rita_client, two_regions):
    mine, theirs = two_regions
    shared = mine["members.organisation"]
    MembershipFactory(pole=theirs["poles.pole"], organisation=shared)
    alone_b = OrganisationFactory(name="Organisation seule B", region=theirs["poles.region"])
    texts = {
        model: export_text(rita_client, model)
        for model in (
            "poles_pole",
            "members_organisation",
            "members_membership",
            "calls_application",
        )
    }
    for text in texts.values():
        assert theirs["poles.pole"].name not in text and theirs["poles.pole"].slug not in text
        assert theirs["members.organisation"].name not in text and alone_b.name not in text
    assert mine["poles.pole"].name in texts["poles_pole"]
    line = next(line for line in texts["members_organisation"].splitlines() if shared.name in line)
    assert line.split(";")[-1] == "1"  # its pole of the curator's region, not the other one
    assert Pole.objects.filter(pk=theirs["poles.pole"].pk).exists()
