"""Which organisations the public sees, the same on the site's pages, the sitemap and the API
(``OrganisationQuerySet.public``): one known only as a member of a pole not yet published is
not shown until the pole is."""

import datetime

import pytest
from django.urls import reverse

from tests.factories import MembershipFactory, OrganisationFactory, PoleFactory

pytestmark = pytest.mark.django_db


def seen_by_the_public(client, organisation) -> dict[str, bool]:
    """Where an anonymous visitor or a partner site finds ``organisation``."""
    listed = client.get(reverse("members:organisation-list"), {"q": organisation.name})
    api_list = client.get(reverse("api-v1:organisation-list")).json()["results"]
    api_page = reverse("api-v1:organisation-detail", args=[organisation.slug])
    return {
        "list": organisation in listed.context["page_obj"].object_list,
        "page": client.get(organisation.get_absolute_url()).status_code == 200,
        "sitemap": organisation.get_absolute_url() in client.get("/sitemap.xml").content.decode(),
        "api list": organisation.slug in {item["slug"] for item in api_list},
        "api page": client.get(api_page).status_code == 200,
    }


EVERYWHERE = dict.fromkeys(("list", "page", "sitemap", "api list", "api page"), True)
NOWHERE = dict.fromkeys(EVERYWHERE, False)


def test_an_organisation_of_an_unpublished_pole_only_is_hidden_until_the_pole_is_published(
    client,
):
    draft = PoleFactory(name="Pôle en préparation", is_published=False)
    organisation = OrganisationFactory(name="Recyclerie des Mauges")
    MembershipFactory(pole=draft, organisation=organisation)
    assert seen_by_the_public(client, organisation) == NOWHERE
    # Its page answers as an unknown slug does: nothing says it exists.
    missing = client.get(reverse("members:organisation-detail", args=["inconnue"]))
    hidden = client.get(organisation.get_absolute_url())
    assert hidden.status_code == missing.status_code == 404

    draft.is_published = True
    draft.save()
    assert seen_by_the_public(client, organisation) == EVERYWHERE


def test_a_former_member_of_a_published_pole_and_a_network_of_no_pole_are_shown(client):
    former = OrganisationFactory(name="Ancienne Coopérative")
    MembershipFactory(organisation=former, left_on=datetime.date(2020, 6, 30))
    network = OrganisationFactory(name="Réseau National de l'Approche")
    assert seen_by_the_public(client, former) == EVERYWHERE
    assert seen_by_the_public(client, network) == EVERYWHERE


def test_a_member_of_a_published_and_an_unpublished_pole_shows_the_published_one_only(client):
    organisation = OrganisationFactory(name="Épicerie Partagée")
    MembershipFactory(organisation=organisation, pole=PoleFactory(name="Pôle Public"))
    MembershipFactory(
        organisation=organisation, pole=PoleFactory(name="Pôle Brouillon", is_published=False)
    )
    assert seen_by_the_public(client, organisation) == EVERYWHERE
    html = client.get(organisation.get_absolute_url()).content.decode()
    assert "Pôle Public" in html
    assert "Pôle Brouillon" not in html
