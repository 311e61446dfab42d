"""The pole leaders' space: who may see and change what, and no lost edits."""

import re
from html import unescape

import pytest
from django.test import Client
from django.urls import reverse

from poles.models import Pole
from tests.conftest import PASSWORD
from tests.factories import PoleFactory, SectorFactory

pytestmark = pytest.mark.django_db


def edit_url(pole) -> str:
    return reverse("space:edit-pole", args=[pole.slug])


def form_data(pole, **changes) -> dict:
    from poles.leadership.space.forms import PoleProfileForm

    form = PoleProfileForm(instance=pole)
    data = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if name == "logo":
            continue  # a file input: nothing is sent unless a file is chosen
        if name in ("sectors", "objectives"):
            data[name] = [item.pk for item in value] if value else []
        elif value is None:
            data[name] = ""
        else:
            data[name] = value
    data.update(changes)
    return data


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_anonymous_is_sent_to_the_login_page(client, pole):
    for method in (client.get, client.post):
        response = method(edit_url(pole))
        assert response.status_code == 302
        assert response["Location"].startswith("/compte/login/?next=")


def test_leader_of_another_pole_gets_a_404_for_get_and_post(bob, pole):
    client = login(bob)
    assert client.get(edit_url(pole)).status_code == 404
    assert client.post(edit_url(pole), form_data(pole, summary="Piraté")).status_code == 404
    pole.refresh_from_db()
    assert pole.summary != "Piraté"


def test_unknown_pole_and_other_pole_look_the_same(bob, pole):
    client = login(bob)
    assert client.get(reverse("space:edit-pole", args=["nexiste-pas"])).status_code == 404


def test_leader_edits_the_profile_and_the_public_page_shows_it(alice, pole):
    client = login(alice)
    sector = SectorFactory(name="Écoconstruction", slug="ecoconstruction")
    response = client.get(edit_url(pole))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="is_published"' not in html and 'name="is_witness"' not in html
    assert 'name="slug"' not in html and 'name="leaders"' not in html

    data = form_data(pole, summary="Un pôle qui rénove.", sectors=[sector.pk], is_published="")
    response = client.post(edit_url(pole), data, follow=True)
    assert "La fiche du pôle est enregistrée" in response.content.decode()
    pole.refresh_from_db()
    assert pole.summary == "Un pôle qui rénove." and pole.is_published
    assert "Un pôle qui rénove." in Client().get(pole.get_absolute_url()).content.decode()


def test_staff_only_fields_cannot_be_forged(alice, pole):
    client = login(alice)
    client.post(edit_url(pole), form_data(pole, is_witness="on", slug="autre", is_published=""))
    pole.refresh_from_db()
    assert not pole.is_witness and pole.slug == "pole-sud-archer" and pole.is_published


def test_curator_may_edit_any_pole(curator, pole):
    assert login(curator).get(edit_url(pole)).status_code == 200


def test_inactive_user_is_refused(alice, pole):
    alice.is_active = False
    alice.save()
    client = Client()
    response = client.post(reverse("login"), {"username": "alice", "password": PASSWORD})
    assert response.status_code == 200 and "_auth_user_id" not in client.session
    client.force_login(alice)
    assert client.get(edit_url(pole)).status_code in (302, 404)


def test_bad_input_is_refused_with_a_message_and_nothing_saved(alice, pole):
    client = login(alice)
    response = client.post(edit_url(pole), form_data(pole, latitude="95", longitude="2"))
    assert response.status_code == 400
    assert "inférieure ou égale à 90" in response.content.decode()
    pole.refresh_from_db()
    assert pole.latitude is None


def test_forged_snapshot_is_refused(alice, pole):
    response = login(alice).post(edit_url(pole), form_data(pole, snapshot="x"))
    assert response.status_code == 400
    assert "altéré" in unescape(response.content.decode())


def test_csrf_is_enforced(alice, pole):
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    assert client.post(edit_url(pole), form_data(pole, summary="Sans jeton")).status_code == 403


def test_second_save_is_refused_shows_what_changed_and_keeps_the_input(alice, curator, pole):
    first, second = login(alice), login(curator)
    opened_by_alice = form_data(pole)
    opened_by_curator = form_data(pole)

    first.post(edit_url(pole), {**opened_by_alice, "summary": "Version d'Alice"})
    response = second.post(edit_url(pole), {**opened_by_curator, "description": "Texte de Claire"})
    assert response.status_code == 409
    html = unescape(response.content.decode())
    text = re.sub(r"<[^>]+>", "", html)
    assert "Quelqu'un d'autre a modifié cette fiche" in html
    assert "Résumé\xa0: Version d'Alice" in text  # what changed in between
    assert "<strong>Résumé</strong>\xa0: Version d'Alice" in html  # the field's name stands out
    assert "Texte de Claire" in html  # what she typed is still in the form
    pole.refresh_from_db()
    assert pole.summary == "Version d'Alice" and pole.description == ""

    # Saving again, knowingly, applies her input.
    resubmitted = {
        **opened_by_curator,
        "description": "Texte de Claire",
        "version": response.context["form"].data["version"],
        "snapshot": response.context["form"].data["snapshot"],
    }
    assert second.post(edit_url(pole), resubmitted).status_code == 302
    pole.refresh_from_db()
    assert pole.description == "Texte de Claire"


def test_my_poles_lists_only_the_users_poles_with_hints(alice, bob, pole):
    response = login(alice).get(reverse("space:my-poles"))
    html = response.content.decode()
    assert pole.name in html and "Autre pôle" not in html
    assert "une description" in html and "les organisations membres" in html
    assert login(bob).get(reverse("space:my-poles")).status_code == 200


def test_login_page_is_in_french_and_next_stays_on_the_site(client, alice):
    html = client.get(reverse("login")).content.decode()
    assert "Se connecter" in html
    response = client.post(
        reverse("login"),
        {"username": "alice", "password": PASSWORD, "next": "https://evil.example/"},
    )
    assert response.status_code == 302 and response["Location"] == reverse("space:my-poles")


def test_password_reset_sends_a_french_email(client, alice, mailoutbox):
    client.post(reverse("password_reset"), {"email": "alice@example.org"})
    assert len(mailoutbox) == 1
    assert "nouveau mot de passe" in mailoutbox[0].subject
    assert "/compte/reset/" in mailoutbox[0].body


def test_pole_listing_query_count_does_not_grow(alice, django_assert_max_num_queries):
    for _ in range(10):
        PoleFactory().leaders.add(alice)
    client = login(alice)
    with django_assert_max_num_queries(8):
        assert client.get(reverse("space:my-poles")).status_code == 200
    assert Pole.objects.filter(leaders=alice).count() == 11


# Recent changes


def history_url(pole) -> str:
    return reverse("space:pole-history", args=[pole.slug])


def test_history_page_permissions(client, alice, bob, curator, pole):
    response = client.get(history_url(pole))
    assert response.status_code == 302 and response["Location"].startswith("/compte/login/")
    assert login(bob).get(history_url(pole)).status_code == 404
    assert login(bob).post(history_url(pole)).status_code in (404, 405)
    assert login(alice).get(history_url(pole)).status_code == 200
    assert login(curator).get(history_url(pole)).status_code == 200
    assert login(alice).post(history_url(pole)).status_code == 405
    alice.is_active = False
    alice.save()
    inactive = Client()
    inactive.force_login(alice)
    assert inactive.get(history_url(pole)).status_code in (302, 404)


def test_history_shows_a_leaders_edit_with_before_and_after(alice, curator, pole):
    alice.first_name, alice.last_name = "Alice", "Martin"
    alice.save()
    sector = SectorFactory(name="Écoconstruction", slug="ecoconstruction")
    login(alice).post(
        edit_url(pole),
        form_data(pole, summary="Un pôle qui rénove.", status="dormant", sectors=[sector.pk]),
    )
    pole.refresh_from_db()
    login(curator).post(edit_url(pole), form_data(pole, website="https://archer.example"))
    html = unescape(login(alice).get(history_url(pole)).content.decode())
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    assert "par Alice Martin" in text
    assert (
        "Résumé Un pôle de coopération économique sur son territoire. Un pôle qui rénove." in text
    )
    assert "Statut Opérationnel En sommeil" in text  # choices by their label
    assert "Secteurs d'activité — Écoconstruction" in text
    assert "par l'équipe du registre" in text and "https://archer.example" in text
    assert "claire" not in text  # staff are not named to leaders


@pytest.mark.parametrize("edits", [1, 8])
def test_history_query_count_does_not_grow(alice, pole, edits, django_assert_num_queries):
    from tests.factories import MembershipFactory

    sectors = [SectorFactory() for _ in range(edits)]
    for number in range(edits):
        pole.summary = f"Résumé {number}"
        pole.save()
        pole.sectors.add(sectors[number])
        membership = MembershipFactory(pole=pole)
        membership.role = "partner"
        membership.save()
    client = login(alice)
    client.get(history_url(pole))
    with django_assert_num_queries(13):
        response = client.get(history_url(pole))
    assert response.status_code == 200


def test_my_poles_links_to_profile_members_and_history(alice, pole):
    html = login(alice).get(reverse("space:my-poles")).content.decode()
    for name in ("space:edit-pole", "space:pole-members", "space:pole-history"):
        assert f'href="{reverse(name, args=[pole.slug])}"' in html


def test_profile_page_has_the_point_map_without_inline_script(alice, pole):
    html = login(alice).get(edit_url(pole)).content.decode()
    assert 'id="pole-point-map"' in html and "js/point-picker.js" in html
    assert 'name="latitude"' in html and 'name="longitude"' in html
    assert "<script>" not in html  # every script is a file: the CSP allows no inline code


def test_commune_code_sets_the_location_without_javascript(alice, pole):
    from tests.factories import CommuneFactory

    commune = CommuneFactory(code="44003", name="Ancenis-Saint-Géréon", latitude=47.37)
    response = login(alice).post(edit_url(pole), form_data(pole, commune_code="44003"))
    assert response.status_code == 302
    pole.refresh_from_db()
    assert pole.commune_name == commune.name and pole.region == commune.region
    assert (pole.latitude, pole.longitude) == (47.37, commune.longitude)

    # The point can then be moved by hand (the map only fills these two fields).
    login(alice).post(edit_url(pole), form_data(pole, latitude="47.4", longitude="-1.2"))
    pole.refresh_from_db()
    assert (pole.latitude, pole.longitude) == (47.4, -1.2)


def test_a_point_placed_with_the_commune_in_the_same_save_is_kept(alice, pole):
    from tests.factories import CommuneFactory

    CommuneFactory(code="44003", name="Ancenis-Saint-Géréon", latitude=47.37, longitude=-1.18)
    data = form_data(pole, commune_code="44003", latitude="47.39", longitude="-1.16")
    assert login(alice).post(edit_url(pole), data).status_code == 302
    pole.refresh_from_db()
    assert pole.commune_name == "Ancenis-Saint-Géréon"
    assert (pole.latitude, pole.longitude) == (47.39, -1.16)


def test_recent_changes_helper_limits_and_skips_version_only_saves(pole):
    from poles.leadership.history import recent_changes
    from tests.factories import MembershipFactory

    for number in range(5):
        pole.summary = f"Résumé {number}"
        pole._change_reason = "Import en ligne de commande"
        pole.save()
    pole.save(update_fields=["updated_at"])  # a members page save: only the version moves
    MembershipFactory(pole=pole, organisation__name="Coopérative Archer", role="funder")
    changes = recent_changes(pole, limit=3)
    assert len(changes) == 3
    assert changes[0].kind == "membership"
    assert changes[0].description == "Organisation ajoutée : Coopérative Archer (Financeur)"
    assert [(item.label, item.before, item.after) for item in changes[1].fields] == [
        ("Résumé", "Résumé 3", "Résumé 4")
    ]
    assert changes[1].who == "l'équipe du registre"  # code run by the team, without a user
