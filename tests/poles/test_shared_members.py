"""Cooperation through shared members (#15): poles that share a current member organisation
show each other on their pages, with the organisations they share."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import MembershipFactory, OrganisationFactory, PoleFactory

pytestmark = pytest.mark.django_db


def sharing(client, pole) -> list[tuple[str, list[str]]]:
    response = client.get(pole.get_absolute_url())
    assert response.status_code == 200
    return [
        (other.name, [organisation.name for organisation in organisations])
        for other, organisations in response.context["sharing_poles"]
    ]


def test_two_poles_sharing_an_organisation_show_each_other(client):
    north, south, alone = (PoleFactory(name=name) for name in ("Pôle Nord", "Pôle Sud", "Seul"))
    shared, other = OrganisationFactory(name="Coopérative Commune"), OrganisationFactory()
    for pole in (north, south):
        MembershipFactory(pole=pole, organisation=shared)
    MembershipFactory(pole=alone, organisation=other)
    assert sharing(client, north) == [("Pôle Sud", ["Coopérative Commune"])]
    assert sharing(client, south) == [("Pôle Nord", ["Coopérative Commune"])]
    assert sharing(client, alone) == []
    html = client.get(north.get_absolute_url()).content.decode()
    assert "Pôles qui partagent des membres" in html
    assert f'href="{south.get_absolute_url()}"' in html


def test_former_members_and_unpublished_poles_are_not_shared(client):
    pole = PoleFactory(name="Pôle Ici")
    left = PoleFactory(name="Pôle Quitté")
    hidden = PoleFactory(name="Pôle Caché", is_published=False)
    organisation = OrganisationFactory()
    MembershipFactory(pole=pole, organisation=organisation)
    MembershipFactory(pole=left, organisation=organisation, left_on=datetime.date(2020, 1, 1))
    MembershipFactory(pole=hidden, organisation=organisation)
    assert sharing(client, pole) == []


def test_the_most_shared_first_in_constant_queries(client):
    pole = PoleFactory(name="Pôle Centre")
    members = [OrganisationFactory(name=f"Membre {n}") for n in range(3)]
    for organisation in members:
        MembershipFactory(pole=pole, organisation=organisation)
    MembershipFactory(pole=PoleFactory(name="Aval"), organisation=members[0])
    close = PoleFactory(name="Zénith")
    for organisation in members[1:]:
        MembershipFactory(pole=close, organisation=organisation)
    assert sharing(client, pole) == [("Zénith", ["Membre 1", "Membre 2"]), ("Aval", ["Membre 0"])]
    with CaptureQueriesContext(connection) as few:
        client.get(pole.get_absolute_url())
    for number in range(5):
        MembershipFactory(pole=PoleFactory(), organisation=members[number % 3])
    with CaptureQueriesContext(connection) as more:
        client.get(pole.get_absolute_url())
    assert len(more) == len(few)
