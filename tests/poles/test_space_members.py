"""The members page of the leaders' space: one formset of the pole's memberships."""

from html import unescape

import pytest
from django.test import Client
from django.urls import reverse

from members.models import Membership, Organisation
from poles.models import Pole
from tests.factories import (
    CommuneFactory,
    MembershipFactory,
    OrganisationFactory,
    PoleFactory,
    _siren,
)

pytestmark = pytest.mark.django_db


def members_url(pole) -> str:
    return reverse("space:pole-members", args=[pole.slug])


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def members_data(pole, rows=(), new=(), version=None) -> dict:
    """The members formset as the page posts it: ``rows`` change existing memberships (dicts
    with ``membership`` and the fields), ``new`` adds rows."""
    existing = list(
        pole.memberships.order_by("left_on", "organisation__name", "pk").select_related(
            "organisation"
        )
    )
    changes = {row["membership"].pk: row for row in rows}
    data = {
        "version": version if version is not None else Pole.objects.get(pk=pole.pk).version,
        "members-TOTAL_FORMS": len(existing) + max(len(new), 2),
        "members-INITIAL_FORMS": len(existing),
        "members-MIN_NUM_FORMS": 0,
        "members-MAX_NUM_FORMS": 1000,
    }
    for index, membership in enumerate(existing):
        prefix = f"members-{index}"
        row = changes.get(membership.pk, {})
        data[f"{prefix}-id"] = membership.pk
        data[f"{prefix}-pole"] = pole.pk
        data[f"{prefix}-role"] = row.get("role", membership.role)
        data[f"{prefix}-joined_on"] = row.get("joined_on", membership.joined_on or "")
        data[f"{prefix}-left_on"] = row.get("left_on", membership.left_on or "")
        if row.get("DELETE"):
            data[f"{prefix}-DELETE"] = "on"
    for offset in range(len(new), 2):  # the page's blank rows, as a browser posts them
        prefix = f"members-{len(existing) + offset}"
        data[f"{prefix}-pole"] = pole.pk
        data[f"{prefix}-role"] = "member"
    for offset, row in enumerate(new):
        prefix = f"members-{len(existing) + offset}"
        data[f"{prefix}-pole"] = pole.pk
        data[f"{prefix}-role"] = row.get("role", "member")
        for key, value in row.items():
            if key != "role":
                data[f"{prefix}-{key}"] = value
    return data


# Who may see and post


def test_anonymous_is_sent_to_the_login_page(client, pole):
    for method in (client.get, client.post):
        response = method(members_url(pole))
        assert response.status_code == 302
        assert response["Location"].startswith("/compte/login/?next=")


def test_leader_of_another_pole_gets_a_404_for_get_and_post(bob, pole):
    membership = MembershipFactory(pole=pole)
    client = login(bob)
    assert client.get(members_url(pole)).status_code == 404
    data = members_data(pole, rows=[{"membership": membership, "role": "funder"}])
    assert client.post(members_url(pole), data).status_code == 404
    membership.refresh_from_db()
    assert membership.role == "member"


def test_leader_and_curator_see_the_page(alice, curator, pole):
    MembershipFactory(pole=pole, organisation__name="Coopérative Archer")
    for user in (alice, curator):
        response = login(user).get(members_url(pole))
        assert response.status_code == 200
        assert "Coopérative Archer" in unescape(response.content.decode())


def test_inactive_user_is_refused(alice, pole):
    alice.is_active = False
    alice.save()
    client = Client()
    client.force_login(alice)
    assert client.get(members_url(pole)).status_code in (302, 404)
    assert client.post(members_url(pole), members_data(pole)).status_code in (302, 404)


def test_csrf_is_enforced(alice, pole):
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    assert client.post(members_url(pole), members_data(pole)).status_code == 403


def test_other_methods_are_refused(alice, pole):
    assert login(alice).put(members_url(pole)).status_code == 405


# Changes


def test_leader_ends_a_membership_and_changes_a_role(alice, pole):
    ending = MembershipFactory(pole=pole, organisation__name="A Association")
    changing = MembershipFactory(pole=pole, organisation__name="B Entreprise")
    version = pole.version
    client = login(alice)
    data = members_data(
        pole,
        rows=[
            {"membership": ending, "left_on": "2024-06-30"},
            {"membership": changing, "role": "founder"},
        ],
    )
    response = client.post(members_url(pole), data, follow=True)
    assert "Les organisations membres sont enregistrées" in unescape(response.content.decode())
    ending.refresh_from_db()
    changing.refresh_from_db()
    assert str(ending.left_on) == "2024-06-30" and changing.role == "founder"
    pole.refresh_from_db()
    assert pole.version == version + 1  # stale pages are refused from now on
    public = unescape(Client().get(pole.get_absolute_url()).content.decode())
    assert "Anciens membres" in public and "A Association" in public


def test_organisation_of_an_existing_row_cannot_be_changed(alice, pole):
    membership = MembershipFactory(pole=pole)
    other = OrganisationFactory(name="Intruse")
    data = members_data(pole)
    data["members-0-organisation"] = other.name
    login(alice).post(members_url(pole), data)
    membership.refresh_from_db()
    assert membership.organisation_id != other.pk


def test_leader_deletes_a_wrong_row(alice, pole):
    membership = MembershipFactory(pole=pole)
    data = members_data(pole, rows=[{"membership": membership, "DELETE": True}])
    assert login(alice).post(members_url(pole), data).status_code == 302
    assert not Membership.objects.filter(pk=membership.pk).exists()


def test_leader_links_an_existing_organisation_by_exact_name_without_accents(alice, pole):
    organisation = OrganisationFactory(name="Régie de Quartier Énergie")
    data = members_data(
        pole, new=[{"organisation": "regie de quartier energie", "role": "partner"}]
    )
    assert login(alice).post(members_url(pole), data).status_code == 302
    membership = pole.memberships.get()
    assert membership.organisation == organisation and membership.role == "partner"


def test_leader_links_an_organisation_by_siren_or_suggestion(alice, pole):
    first = OrganisationFactory(name="Même nom")
    second = OrganisationFactory(name="Même nom", slug="meme-nom-2", siren="")
    data = members_data(
        pole,
        new=[
            {"organisation": f"{first.siren[:3]} {first.siren[3:6]} {first.siren[6:]}"},
            {"organisation": "Même nom (meme-nom-2)", "role": "funder"},
        ],
    )
    assert login(alice).post(members_url(pole), data).status_code == 302
    assert set(pole.memberships.values_list("organisation", "role")) == {
        (first.pk, "member"),
        (second.pk, "funder"),
    }


def test_ambiguous_or_unknown_name_is_refused_with_a_message(alice, pole):
    OrganisationFactory(name="Même nom")
    OrganisationFactory(name="Même nom", slug="meme-nom-2")
    client = login(alice)
    response = client.post(
        members_url(pole), members_data(pole, new=[{"organisation": "Même nom"}])
    )
    assert response.status_code == 400
    assert "Plusieurs organisations s'appellent" in unescape(response.content.decode())
    response = client.post(
        members_url(pole), members_data(pole, new=[{"organisation": "Inconnue"}])
    )
    html = unescape(response.content.decode())
    assert "Aucune organisation ne correspond à «\xa0Inconnue\xa0»" in html
    assert not pole.memberships.exists()


def test_leader_creates_an_organisation(alice, pole):
    commune = CommuneFactory(code="44003", name="Ancenis-Saint-Géréon")
    siren = _siren(4242)
    data = members_data(
        pole,
        new=[
            {
                "new-name": "Recyclerie du Pays d'Ancenis",
                "new-kind": "ess",
                "new-legal_form": "association",
                "new-siren": f"{siren[:3]} {siren[3:6]} {siren[6:]}",
                "new-commune_code": "44003",
                "role": "founder",
                "joined_on": "2019-03-01",
            }
        ],
    )
    assert login(alice).post(members_url(pole), data).status_code == 302
    organisation = Organisation.objects.get(name="Recyclerie du Pays d'Ancenis")
    assert organisation.created_by == alice
    assert organisation.siren == siren and organisation.slug == "recyclerie-du-pays-dancenis"
    assert organisation.commune_name == commune.name and organisation.region == commune.region
    membership = pole.memberships.get()
    assert membership.organisation == organisation and membership.role == "founder"


def test_new_organisation_with_a_bad_or_taken_siren_is_refused(alice, pole):
    existing = OrganisationFactory()
    client = login(alice)
    for siren, message in (
        ("123456780", "clé de contrôle incorrecte"),
        (existing.siren, "Une organisation porte déjà ce numéro SIREN"),
    ):
        data = members_data(
            pole, new=[{"new-name": "Nouvelle", "new-kind": "sme", "new-siren": siren}]
        )
        response = client.post(members_url(pole), data)
        assert response.status_code == 400
        assert message in unescape(response.content.decode())
    assert not Organisation.objects.filter(name="Nouvelle").exists()


def test_choosing_and_creating_at_once_is_refused(alice, pole):
    OrganisationFactory(name="Existante")
    data = members_data(
        pole, new=[{"organisation": "Existante", "new-name": "Autre", "new-kind": "sme"}]
    )
    response = login(alice).post(members_url(pole), data)
    assert response.status_code == 400
    assert "pas les deux" in unescape(response.content.decode())


def test_same_organisation_twice_with_the_same_role_is_refused(alice, pole):
    membership = MembershipFactory(pole=pole)
    data = members_data(pole, new=[{"organisation": membership.organisation.name}])
    response = login(alice).post(members_url(pole), data)
    assert response.status_code == 400
    assert pole.memberships.count() == 1


def test_left_date_before_joined_date_is_refused(alice, pole):
    membership = MembershipFactory(pole=pole)
    data = members_data(
        pole, rows=[{"membership": membership, "joined_on": "2020-01-01", "left_on": "2019-01-01"}]
    )
    response = login(alice).post(members_url(pole), data)
    assert response.status_code == 400
    assert "ne peut pas précéder" in unescape(response.content.decode())


def test_another_poles_membership_ids_are_refused(alice, pole):
    """A leader posts ids of another pole's memberships: refused, nothing changes there."""
    own = MembershipFactory(pole=pole)
    foreign = MembershipFactory(role="member")
    client = login(alice)

    data = members_data(pole)
    data["members-0-id"] = foreign.pk  # in place of their own row
    data["members-0-role"] = "funder"
    response = client.post(members_url(pole), data)
    assert response.status_code == 400

    data = members_data(
        pole, new=[{"id": foreign.pk, "organisation": own.organisation.name, "role": "funder"}]
    )
    data["members-1-id"] = foreign.pk  # on a new row
    response = client.post(members_url(pole), data)
    assert response.status_code == 400

    data = members_data(pole)
    data["members-0-id"] = foreign.pk
    data["members-0-DELETE"] = "on"  # or to delete it
    client.post(members_url(pole), data)

    foreign.refresh_from_db()
    assert foreign.role == "member" and foreign.pole_id != pole.pk
    own.refresh_from_db()
    assert own.role == "member"


def test_forged_version_is_a_404(alice, pole):
    data = members_data(pole)
    data["version"] = "abc"
    assert login(alice).post(members_url(pole), data).status_code == 404


@pytest.mark.parametrize("count", [2, 12])
def test_members_page_query_count_does_not_grow(alice, pole, count, django_assert_num_queries):
    for _ in range(count):
        MembershipFactory(pole=pole)
    client = login(alice)
    client.get(members_url(pole))  # warm up the session
    with django_assert_num_queries(4):
        response = client.get(members_url(pole))
    assert response.status_code == 200
    assert response.content.decode().count('class="member-row') == count + 2


# Organisation search


def search(client, query):
    return client.get(reverse("space:organisation-search"), {"q": query})


def test_search_finds_organisations_without_accents(alice, pole):
    OrganisationFactory(name="Énergies Citoyennes", commune_name="Nantes")
    OrganisationFactory(name="Autre chose")
    data = search(login(alice), "energies cit").json()
    assert [item["name"] for item in data["results"]] == ["Énergies Citoyennes"]
    item = data["results"][0]
    assert item["value"].startswith("Énergies Citoyennes (SIREN ")
    assert item["commune"] == "Nantes"


def test_search_by_siren_prefix_and_limit(alice, pole, django_assert_max_num_queries):
    organisations = [OrganisationFactory(name=f"Org {n}") for n in range(25)]
    client = login(alice)
    client.get(reverse("space:my-poles"))
    with django_assert_max_num_queries(4):
        data = search(client, "org").json()
    assert len(data["results"]) == 20
    siren = organisations[3].siren
    results = search(client, siren[:9]).json()["results"]
    assert [item["slug"] for item in results] == [organisations[3].slug]
    assert search(client, "o").json()["results"] == []


def test_search_suggests_no_organisation_the_public_may_not_see(alice, pole, curator):
    """An organisation known only as a member of a pole not yet published is hidden from the
    site and the API: another pole's leader typing two letters was shown it with its SIREN
    and commune. Its own pole's leaders and the curators still find it."""
    hidden = OrganisationFactory(name="Coopérative Discrète", commune_name="Brest")
    MembershipFactory(pole=PoleFactory(is_published=False), organisation=hidden)
    ours = OrganisationFactory(name="Coopérative Nôtre")
    unpublished = PoleFactory(is_published=False)
    unpublished.leaders.add(alice)
    MembershipFactory(pole=unpublished, organisation=ours)
    OrganisationFactory(name="Coopérative Publique")
    found = [item["name"] for item in search(login(alice), "coop").json()["results"]]
    assert found == ["Coopérative Nôtre", "Coopérative Publique"]
    assert search(login(alice), hidden.siren).json()["results"] == []
    assert len(search(login(curator), "coop").json()["results"]) == 3


def test_search_is_for_leaders_and_staff_only(client, alice, curator, stranger, pole):
    OrganisationFactory(name="Secrète")
    response = search(client, "secr")
    assert response.status_code == 302 and response["Location"].startswith("/compte/login/")
    assert search(login(stranger), "secr").status_code == 404
    assert search(login(curator), "secr").json()["results"][0]["name"] == "Secrète"
    assert login(alice).post(reverse("space:organisation-search"), {"q": "secr"}).status_code == 405
    alice.is_active = False
    alice.save()
    inactive = Client()
    inactive.force_login(alice)
    assert search(inactive, "secr").status_code in (302, 404)


def test_leader_of_another_pole_may_search(bob):
    OrganisationFactory(name="Publique")
    assert search(login(bob), "publ").status_code == 200


def test_member_changes_appear_in_the_recent_changes(alice, pole):
    membership = MembershipFactory(pole=pole, organisation__name="Coopérative Archer")
    data = members_data(pole, rows=[{"membership": membership, "left_on": "2024-06-30"}])
    client = login(alice)
    client.post(members_url(pole), data)
    html = unescape(client.get(reverse("space:pole-history", args=[pole.slug])).content.decode())
    text = " ".join(html.replace("<", " <").split())
    assert "Adhésion modifiée\xa0: Coopérative Archer (Membre)" in html
    assert "30 juin 2024" in text and "par alice" in text
