"""What the leaders' space says is missing from a pole's page (issue 12), on its home."""

import re
from html import unescape

import pytest
from django.urls import reverse

from poles.models import Pole
from tests.factories import PoleFactory, SectorFactory
from tests.poles.test_space import edit_url, form_data, login

pytestmark = pytest.mark.django_db


# -- what is missing, on the space's home (issue 12) ------------------------------------------


def missing_links(client) -> dict[str, str]:
    """The "what is missing" list of the space's home: link text -> address."""
    html = client.get(reverse("space:my-poles")).content.decode()
    block = re.search(r'<ul class="space-missing"[^>]*>(.*?)</ul>', html, re.S)
    if block is None:
        return {}
    return {
        " ".join(unescape(text).split()): unescape(href)
        for href, text in re.findall(r'<a href="([^"]+)">(.*?)</a>', block.group(1), re.S)
    }


def test_the_space_home_lists_what_is_missing_with_a_link_to_fill_each(alice, pole):
    client = login(alice)
    links = missing_links(client)
    profile = edit_url(pole)
    assert links["Écrire une description"] == f"{profile}#id_description"
    assert links["Indiquer la commune"] == f"{profile}#id_commune_code"
    assert links["Ajouter un logo"] == f"{profile}#id_logo"
    assert links["Indiquer un contact public (site web, e-mail ou téléphone)"] == (
        f"{profile}#id_website"
    )
    members = reverse("space:pole-members", args=[pole.slug])
    assert links["Ajouter les organisations membres"] == f"{members}#ajouter"
    # Each anchor names a field the page has.
    form_html = client.get(profile).content.decode()
    for href in links.values():
        if href.startswith(f"{profile}#"):
            assert f'id="{href.split("#")[1]}"' in form_html
    assert 'id="ajouter"' in client.get(members).content.decode()


def test_what_is_filled_leaves_the_missing_list(alice, pole):
    from tests.factories import MembershipFactory

    client = login(alice)
    data = form_data(pole, description="Un pôle de coopération.", website="https://pole.example.org")
    assert client.post(edit_url(pole), data).status_code == 302
    MembershipFactory(pole=pole)
    links = missing_links(client)
    assert "Écrire une description" not in links
    assert "Indiquer un contact public (site web, e-mail ou téléphone)" not in links
    assert "Ajouter les organisations membres" not in links
    assert "Ajouter un logo" in links  # still missing


def test_a_complete_pole_says_so(alice, pole):
    from tests.factories import MembershipFactory

    Pole.objects.filter(pk=pole.pk).update(
        summary="Résumé", description="Texte", commune_code="44003", commune_name="Ancenis",
        status="operational",
        latitude=47.36, longitude=-1.17, website="https://pole.example.org", logo="logos/x.webp",
    )
    pole.sectors.add(SectorFactory())
    MembershipFactory(pole=pole)
    client = login(alice)
    assert missing_links(client) == {}
    assert "Fiche complète." in client.get(reverse("space:my-poles")).content.decode()


def _leader_of(count: int):
    from tests.factories import MembershipFactory, UserFactory

    user = UserFactory()
    for _number in range(count):
        pole = PoleFactory()
        pole.leaders.add(user)
        pole.sectors.add(SectorFactory())
        MembershipFactory(pole=pole)
    return user


def test_the_space_home_runs_the_same_queries_for_1_or_8_poles(django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for user in (_leader_of(1), _leader_of(8)):
        client = login(user)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("space:my-poles")).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_the_space_home_offers_to_change_the_password(alice, pole):
    client = login(alice)
    html = client.get(reverse("space:my-poles")).content.decode()
    assert f'href="{reverse("password_change")}"' in html
    assert "Changer mon mot de passe" in html
    assert client.get(reverse("password_change")).status_code == 200
