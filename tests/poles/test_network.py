"""``/reseau/``: poles linked by the organisations currently members of several of them."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from members.models import Membership
from poles.models import Pole, Region
from poles.registry.network.graph import build
from tests.factories import MembershipFactory, OrganisationFactory, PoleFactory, RegionFactory

pytestmark = pytest.mark.django_db

URL = "/reseau/"
TODAY = timezone.localdate()


@pytest.fixture
def registry(db):
    """Bretagne: Armor, Argoat and Iroise; Occitanie: Causses; a hidden pole. Shared: Coop
    Ouest (Armor, Argoat, Causses), Bois Breton (Armor, Argoat, leaving next year), Ancien
    (Armor, Iroise: left last year), Discret (Armor and the unpublished pole)."""
    bretagne = RegionFactory(name="Bretagne", slug="bretagne", code="53")
    occitanie = RegionFactory(name="Occitanie", slug="occitanie", code="76")
    armor = PoleFactory(name="Pôle Armor", region=bretagne, latitude=48.5, longitude=-2.8)
    argoat = PoleFactory(name="Pôle Argoat", region=bretagne, latitude=48.2,
                         longitude=-3.5)
    iroise = PoleFactory(name="Pôle Iroise", region=bretagne)
    causses = PoleFactory(name="Pôle des Causses", region=occitanie, latitude=44.3,
                          longitude=3.2)
    hidden = PoleFactory(name="Pôle caché", region=bretagne, is_published=False)
    coop = OrganisationFactory(name="Coop Ouest")
    wood = OrganisationFactory(name="Bois Breton")
    former = OrganisationFactory(name="Ancien Partenaire")
    discreet = OrganisationFactory(name="Discret")
    lone = OrganisationFactory(name="Seule")
    for pole in (armor, argoat, causses):
        MembershipFactory(pole=pole, organisation=coop)
    MembershipFactory(pole=armor, organisation=wood, role=Membership.Role.FOUNDER)
    MembershipFactory(pole=armor, organisation=wood, role=Membership.Role.FUNDER)
    MembershipFactory(pole=argoat, organisation=wood,
                      left_on=TODAY + datetime.timedelta(days=365))
    MembershipFactory(pole=armor, organisation=former)
    MembershipFactory(pole=iroise, organisation=former,
                      left_on=TODAY - datetime.timedelta(days=365))
    MembershipFactory(pole=armor, organisation=discreet)
    MembershipFactory(pole=hidden, organisation=discreet)
    MembershipFactory(pole=iroise, organisation=lone)


def text_of(response) -> str:
    assert response.status_code == 200
    return " ".join(response.content.decode().split())


def test_the_network_links_poles_through_current_members_of_published_poles(registry, client):
    page = text_of(client.get(URL))
    assert "Réseau des pôles" in page
    # Armor shares two organisations with Argoat (one leaving next year) and one with Causses.
    assert "partage des membres avec 2 pôles" in page
    assert 'Pôle Argoat</a> <span class="muted">(Bretagne)</span> — 2 organisations en' in page
    assert 'Causses</a> <span class="muted">(Occitanie)</span> — 1 organisation en commun' in page
    # A former membership and an unpublished pole make no link.
    assert "Pôle Iroise" not in page
    assert "Pôle caché" not in page
    assert "date de départ est encore à venir" in page
    figures = client.get(URL).context["figures"]
    assert figures == {"poles": 4, "linked": 3, "organisations": 2, "links": None,
                       "with_members": 4}


def test_poles_without_recorded_members_are_not_counted_as_unlinked(registry, client):
    # A pole whose members nobody recorded may well share some: « 3 linked of 5 published »
    # would say two are not; the page counts the linked among the poles with known members.
    PoleFactory(name="Pôle sans membres connus", region=Region.objects.get(slug="bretagne"))
    Membership.objects.filter(pole__name="Pôle Iroise").update(
        left_on=TODAY - datetime.timedelta(days=1))
    page = text_of(client.get(URL))
    assert "pôles liés à un autre, sur 3 dont des membres sont enregistrés (5 publiés)" in page
    bretagne = client.get(URL, {"region": "bretagne"}).context["figures"]
    assert (bretagne["linked"], bretagne["with_members"], bretagne["poles"]) == (2, 2, 4)


def test_the_list_by_organisation_gives_each_linking_organisation_and_its_poles(registry, client):
    response = client.get(URL, {"list": "organisations"})
    page = text_of(response)
    names = [entry["organisation"].name for entry in response.context["entries"]]
    assert names == ["Bois Breton", "Coop Ouest"]  # French order; no Ancien, Discret, Seule
    assert "membre de 3 pôles" in page and "membre de 2 pôles" in page


def test_a_region_shows_the_links_between_its_own_poles(registry, client):
    response = client.get(URL, {"region": "bretagne"})
    page = text_of(response)
    assert "Réseau des pôles de la région Bretagne" in page
    assert response.context["figures"] == {
        "poles": 3, "linked": 2, "organisations": 2, "links": 1, "with_members": 3,
    }
    assert "Pôle des Causses" not in page.split("Les liens, en liste")[1]
    assert 'role="img"' in page and "<title id=\"network-region-title\">" in page
    assert "Le lien entre pôles situés sur la carte" not in page


def test_the_country_drawing_shows_regions_and_their_links(registry, client):
    page = text_of(client.get(URL))
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="network-drawing" role="img"' in page
    assert "<desc id=\"network-country-desc\">" in page
    assert "<script" not in page.split("<svg")[1].split("</svg>")[0]


def test_the_region_page_links_to_its_network(registry, client):
    page = text_of(client.get("/regions/bretagne/"))
    assert 'href="/reseau/?region=bretagne"' in page


def test_the_network_page_is_in_english_too(registry, client):
    page = text_of(client.get(URL, {"lang": "en"}, HTTP_ACCEPT_LANGUAGE="en"))
    assert "Network of clusters" in page
    assert "2 organisations in common" in page


def test_odd_query_strings_give_the_page_and_say_what_was_ignored(registry, client):
    for query in ({"region": "atlantide"}, {"list": "tout"}, {"page": "abc"}, {"page": "999"},
                  {"region": "<script>", "page": "-1", "list": "organisations"}):
        response = client.get(URL, query)
        assert response.status_code == 200
        if query.get("region"):
            assert "Cette région n&#x27;existe pas" in response.content.decode()
        if query.get("page"):
            assert response.context["pagination_notice"]


def test_the_network_is_built_in_constant_queries(registry, client,
                                                  django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        client.get(URL)
    with django_assert_max_num_queries(6):
        client.get(URL, {"list": "organisations"})
    more_region = RegionFactory(name="Normandie", slug="normandie", code="28")
    organisation = OrganisationFactory(name="Réseau normand")
    for number in range(12):
        MembershipFactory(
            pole=PoleFactory(name=f"Pôle normand {number}", region=more_region),
            organisation=organisation,
        )
    for params in ({}, {"list": "organisations"}, {"region": "normandie"}):
        with django_assert_max_num_queries(6):
            assert client.get(URL, params).status_code == 200


def test_the_data_follow_a_change_to_the_registry(registry, client):
    assert "Pôle Iroise" not in text_of(client.get(URL))
    MembershipFactory(pole=PoleFactory(name="Pôle Ouessant"),
                      organisation=Membership.objects.get(
                          pole__name="Pôle Iroise", organisation__name="Seule").organisation)
    page = text_of(Client().get(URL))
    assert "Pôle Iroise" in page and "Pôle Ouessant" in page


def test_the_build_reads_the_network_in_two_queries(registry, django_assert_num_queries):
    with django_assert_num_queries(2):
        network = build()
    assert {tuple(network.poles[p].name for p in sorted(poles))
            for poles in network.organisations.values()} == {
        ("Pôle Argoat", "Pôle Armor"), ("Pôle Argoat", "Pôle Armor", "Pôle des Causses"),
    }


def test_an_organisation_page_lists_a_membership_ending_later_as_current(registry, client):
    page = text_of(client.get("/organisations/bois-breton/"))
    current = page.split("Pôles dont elle est membre")[1].split("Anciennes participations")[0]
    assert "Pôle Argoat" in current and "Pôle Armor" in current
    assert "Membre fondateur, Financeur" in current  # its two roles in Armor


def test_a_pole_page_counts_a_membership_ending_later_as_shared(registry, client):
    page = text_of(client.get("/poles/pole-argoat/"))
    shared = page.split("Pôles qui partagent des membres")[1]
    assert "Pôle Armor" in shared and "Bois Breton" in shared


def test_the_country_data_count_the_links_between_regions(registry):
    network = build()
    bretagne, occitanie = (Region.objects.get(slug=slug).pk for slug in ("bretagne", "occitanie"))
    # Coop Ouest alone links Bretagne and Occitanie (Armor and Argoat with Causses).
    assert network.region_links == {(min(bretagne, occitanie), max(bretagne, occitanie)): 1}
    assert network.organisations_count == 2
    assert [network.poles[p].name for p in network.linked_positions] == [
        "Pôle Argoat", "Pôle Armor", "Pôle des Causses",
    ]


def test_poles_whose_ids_are_far_apart_are_linked_like_any_other(db, client):
    """Each pole is one character of a text when the network is read: ids around the
    surrogates (code points that are not characters) must not break it."""
    region = RegionFactory(name="Corse", slug="corse", code="94")
    organisation = OrganisationFactory(name="Réseau insulaire")
    for pk, name in ((55_039, "Pôle Ajaccio"), (55_040, "Pôle Bastia"), (57_400, "Pôle Calvi")):
        MembershipFactory(pole=PoleFactory(pk=pk, name=name, region=region),
                          organisation=organisation)
    response = client.get(URL, {"region": "corse"})
    assert response.context["figures"] == {
        "poles": 3, "linked": 3, "organisations": 1, "links": 3, "with_members": 3,
    }
    page = text_of(client.get(URL, {"list": "organisations"}))
    assert "Pôle Ajaccio" in page and "Pôle Bastia" in page and "Pôle Calvi" in page


def test_a_registry_without_shared_members_gives_an_empty_network(db, client):
    region = RegionFactory(name="Bretagne", slug="bretagne", code="53")
    MembershipFactory(pole=PoleFactory(name="Pôle seul", region=region))
    for query in ({}, {"list": "organisations"}, {"region": "bretagne"},
                  {"region": "bretagne", "list": "organisations"}):
        response = client.get(URL, query)
        assert response.status_code == 200
        assert response.context["figures"]["linked"] == 0
        assert response.context["figures"]["organisations"] == 0
        assert response.context["entries"] == []


def test_a_newest_pole_sharing_no_member_leaves_every_view_of_the_network(registry, client):
    """The newest published pole (the highest id) in no linking organisation: its character
    comes after every one of the memberships' text, which must not break the build."""
    PoleFactory(name="Pôle Nouveau", region=RegionFactory(name="Corse", slug="corse", code="94"))
    for query in ({}, {"list": "organisations"}, {"region": "bretagne"}, {"region": "corse"}):
        response = client.get(URL, query)
        assert response.status_code == 200
    assert build().organisations_count == 2


def test_a_departure_date_passing_updates_what_the_process_keeps_without_any_write(
    registry, client, monkeypatch
):
    """The network and the home page's members by kind are kept per registry state: a
    membership ending tonight must leave them tomorrow, though nothing was written."""
    leaving = OrganisationFactory(name="Partante")
    for name in ("Pôle Armor", "Pôle Iroise"):
        MembershipFactory(pole=Pole.objects.get(name=name), organisation=leaving,
                          left_on=TODAY + datetime.timedelta(days=1))

    def members_on_the_home_page() -> int:
        return sum(count for _kind, count in client.get("/").context["members_by_kind"])

    before = members_on_the_home_page()
    assert "Partante" in text_of(client.get(URL + "?list=organisations"))
    monkeypatch.setattr(timezone, "localdate", lambda *args: TODAY + datetime.timedelta(days=1))
    assert "Partante" not in text_of(client.get(URL + "?list=organisations"))
    assert members_on_the_home_page() == before - 1
