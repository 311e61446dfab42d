"""What trying the search as a hostile or new user found (issue #13), pinned on both databases:
words inside addresses and tags, plurals taken for typos, words left out without a word."""

import pytest
from django.urls import reverse

from tests.factories import PoleFactory

pytestmark = pytest.mark.django_db

DIRECTORY = reverse("poles:pole-list")
SUMMARY = (
    "Écrivez à contact@quokkamail.fr, voyez www.site.fr/projets/kangourou, "
    "C:/dossier/ornithorynque.txt et <script> &amp;"
)


def search(client, **params):
    response = client.get(DIRECTORY, params)
    return [pole.name for pole in response.context["page_obj"].object_list], response


@pytest.mark.parametrize("word", ["quokkamail", "kangourou", "ornithorynque", "script", "amp"])
def test_words_in_addresses_paths_and_tags_are_found_on_both_databases(client, word):
    PoleFactory(name="Pôle Jetons", summary=SUMMARY)
    found, _response = search(client, q=word)
    assert found == ["Pôle Jetons"]


def test_a_correction_leads_to_the_pole_it_was_made_from(client):
    PoleFactory(name="Pôle Jetons", summary=SUMMARY)
    found, response = search(client, q="kangourouu")
    assert response.context["filter"].search.corrected
    assert found == ["Pôle Jetons"]


@pytest.mark.parametrize("typed", ["coursives", "Coursives", "économies circulaires"])
def test_a_plural_is_found_through_its_stem_and_not_called_a_typo(client, typed):
    PoleFactory(name="La Coursive", summary="Une économie circulaire.")
    found, response = search(client, q=typed)
    assert found == ["La Coursive"]
    assert not response.context["filter"].search.corrected
    assert "Résultats pour" not in response.content.decode()


def test_words_beyond_the_eighth_are_said_to_be_left_out(client):
    PoleFactory(name="Pôle Un", summary="alpha bravo charlie delta echo foxtrot golf hotel")
    words = "alpha bravo charlie delta echo foxtrot golf hotel xylophone"
    found, response = search(client, q=words)
    assert found == ["Pôle Un"]
    assert "«\xa0xylophone\xa0»\xa0: mot non cherché" in response.content.decode()


def test_a_word_too_long_is_not_called_too_short(client):
    PoleFactory(name="Pôle Un")
    _found, response = search(client, q="coop " + "a" * 45)
    assert f"«\xa0{'a' * 45}\xa0»\xa0: mot non cherché (trop court, trop courant, trop long" in (
        response.content.decode()
    )


def test_common_short_words_beside_searched_ones_are_not_announced(client):
    PoleFactory(name="Économie de la mer")
    found, response = search(client, q="economie de la mer")
    assert found == ["Économie de la mer"]
    assert "non cherché" not in response.content.decode()


@pytest.mark.parametrize("parameter", ["exact", "status", "sort"])
def test_a_nul_byte_in_a_choice_is_not_echoed(client, parameter):
    PoleFactory()
    response = client.get(DIRECTORY, {"q": "pole", parameter: "\x00"})
    assert response.status_code == 200
    assert b"\x00" not in response.content


def test_removing_the_search_chip_removes_the_exact_words_setting(client):
    PoleFactory(name="Pôle Un")
    _found, response = search(client, q="pole", exact="1", status="not_known")
    (chip,) = [chip for chip in response.context["chips"] if chip["name"] == "q"]
    assert "exact" not in chip["query"]
