"""Typo tolerance on both databases: a word no published pole holds is replaced by the closest
one that some pole holds, the page says so and links to the exact words."""

import pytest
from django.urls import reverse

from poles.registry.search import parse
from tests.factories import PoleFactory

pytestmark = pytest.mark.django_db

DIRECTORY = reverse("poles:pole-list")


def names(response) -> list[str]:
    return [pole.name for pole in response.context["page_obj"].object_list]


def test_a_misspelt_name_finds_the_pole_first_and_says_what_was_searched(client, seeded):
    response = client.get(DIRECTORY, {"q": "coursiv boutarik"})
    assert names(response)[0] == "La Coursive Boutaric"
    html = response.content.decode()
    assert "Résultats pour «\xa0coursiv boutaric\xa0»" in html
    assert "exact=1" in html and "q=coursiv+boutarik" in html


def test_the_exact_words_link_searches_without_correction(client, seeded):
    response = client.get(DIRECTORY, {"q": "coursiv boutarik", "exact": "1"})
    assert names(response) == []
    html = response.content.decode()
    assert "Résultats pour" not in html
    # A setting of the search, not a filter: no chip, not sent again by the form.
    assert [chip["name"] for chip in response.context["chips"]] == ["q"]
    assert 'name="exact"' not in html


def test_a_typo_in_a_sector_or_a_summary_word_is_corrected(client):
    PoleFactory(name="Pôle A", summary="Une légumerie et une conserverie")
    PoleFactory(name="Pôle B", summary="Un atelier vélo")
    assert names(client.get(DIRECTORY, {"q": "conservrie"})) == ["Pôle A"]
    assert names(client.get(DIRECTORY, {"q": "legumeire"})) == ["Pôle A"]


def test_a_word_no_pole_holds_even_approximately_finds_nothing(client):
    PoleFactory(name="Pôle A")
    response = client.get(DIRECTORY, {"q": "zzqxw"})
    assert names(response) == []
    assert "Résultats pour" not in response.content.decode()


def test_known_words_and_their_starts_are_not_corrected(db):
    PoleFactory(name="Maison de l'économie solidaire")
    search = parse("solid economie")
    assert not search.corrected
    assert [term.word for term in search.terms] == ["solid", "economie"]


def test_corrections_never_come_from_unpublished_poles(client):
    PoleFactory(name="Pôle Confidentiel Zanzibar", is_published=False)
    PoleFactory(name="Pôle Public")
    search = parse("zanzibor")
    assert not search.corrected
    assert "Zanzibar" not in client.get(DIRECTORY, {"q": "zanzibor"}).content.decode()


def test_typos_with_two_letter_and_stop_words_around(client, seeded):
    response = client.get(DIRECTORY, {"q": "la coursiv de boutarik"})
    assert names(response)[0] == "La Coursive Boutaric"
