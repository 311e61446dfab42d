"""The directory's full-text index (poles/registry/search/) on both databases: accent, case and
plural forms find the right pole first, the index follows every kind of write, highlighted
extracts are escaped, and words too short or too common cost nothing."""

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from members.models import Membership
from poles.models import Pole, SearchDocument, SearchWord
from poles.registry.resources import PoleResource
from poles.registry.search import deferred_indexing, parse, rebuild_index
from ptce_site.imports import read_table
from tests.factories import MembershipFactory, OrganisationFactory, PoleFactory, SectorFactory
from tests.poles.test_admin import pole_form_data
from tests.poles.test_space import edit_url, form_data, login

pytestmark = pytest.mark.django_db

DIRECTORY = reverse("poles:pole-list")


def found(client, query: str, **params) -> list[str]:
    response = client.get(DIRECTORY, {"q": query, **params})
    assert response.status_code == 200
    return [pole.name for pole in response.context["page_obj"].object_list]


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("coursive boutaric", "La Coursive Boutaric"),
        ("COURSIVES", "La Coursive Boutaric"),  # plural and case
        ("économies solidaires essonne", "Pôle d'économie solidaire Sud-Essonne"),
        ("solid essonne", "Pôle d'économie solidaire Sud-Essonne"),  # a word's start
    ],
)
def test_accent_case_and_plural_forms_find_the_pole_first(client, seeded, query, first):
    assert found(client, query)[0] == first


def test_sector_commune_and_member_organisation_find_their_pole_first(client):
    PoleFactory(name="Alpha", summary="Rien de particulier")
    sector = SectorFactory(name="Écoconstruction")
    PoleFactory(name="Bêta", sectors=[sector])
    PoleFactory(name="Gamma", commune_name="Châteaubriant")
    MembershipFactory(
        pole=PoleFactory(name="Delta"), organisation=OrganisationFactory(name="Régie Énergies")
    )
    assert found(client, "ECOCONSTRUCTIONS") == ["Bêta"]
    assert found(client, "chateaubriant") == ["Gamma"]
    assert found(client, "regie energie") == ["Delta"]


def test_name_matches_come_before_better_ranked_other_fields(client):
    PoleFactory(name="Zeta", summary="Textile, textile, textile : le textile avant tout")
    PoleFactory(name="Textiles du Nord", summary="Un pôle")
    assert found(client, "textile") == ["Textiles du Nord", "Zeta"]


def test_every_word_must_match(client):
    PoleFactory(name="Recyclerie du Vexin")
    PoleFactory(name="Recyclerie de Loire")
    assert found(client, "recyclerie loire") == ["Recyclerie de Loire"]


# -- the index follows every write ------------------------------------------------------------


def test_a_save_in_the_admin_reindexes_the_pole(curator_client):
    pole = PoleFactory(name="Pôle Sud Archer", summary="Avant")
    url = reverse("admin:poles_pole_change", args=[pole.pk])
    response = curator_client.post(url, pole_form_data(pole, summary="Maraîchage biologique"))
    assert response.status_code == 302
    assert found(curator_client, "maraichages") == ["Pôle Sud Archer"]
    assert found(curator_client, "avant") == []


def test_the_leaders_space_form_reindexes_the_pole(alice, pole, client):
    response = login(alice).post(edit_url(pole), form_data(pole, territory="Pays de Retz"))
    assert response.status_code == 302
    assert found(client, "retz") == ["Pôle Sud Archer"]


def test_an_import_indexes_the_poles_it_writes(client, db):
    from tests.factories import RegionFactory

    RegionFactory(code="53", name="Bretagne", slug="bretagne")
    data = "nom;région;statut;publié\nPôle des Goémoniers;53;En projet;oui\n".encode()
    result = PoleResource().import_data(read_table(data), file_name="f.csv")
    assert not result.has_errors() and not result.has_validation_errors()
    pole = Pole.objects.get(name="Pôle des Goémoniers")
    assert SearchDocument.objects.get(pole=pole).name == "Pôle des Goémoniers"
    if pole.is_published:
        assert found(client, "goemonier") == ["Pôle des Goémoniers"]


def test_a_bulk_publish_action_updates_the_vocabulary(curator_client):
    draft = PoleFactory(name="Pôle Xylophage", is_published=False)
    assert not SearchWord.objects.filter(word="xylophage").exists()
    curator_client.post(
        reverse("admin:poles_pole_changelist"),
        {"action": "publish", "_selected_action": [draft.pk]},
    )
    assert SearchWord.objects.get(word="xylophage").frequency == 1


def test_renaming_a_member_organisation_reindexes_its_poles(client):
    organisation = OrganisationFactory(name="Ressourcerie Alpha")
    MembershipFactory(pole=PoleFactory(name="Pôle Un"), organisation=organisation)
    organisation.name = "Ressourcerie Oméga"
    organisation.save()
    assert found(client, "omega") == ["Pôle Un"]
    assert found(client, "alpha", exact="1") == []


def test_renaming_a_sector_reindexes_its_poles(client):
    sector = SectorFactory(name="Bois")
    PoleFactory(name="Pôle Deux", sectors=[sector])
    sector.name = "Forêt"
    sector.save()
    assert found(client, "foret") == ["Pôle Deux"]


def test_deleting_a_membership_or_a_pole_reindexes(client):
    pole = PoleFactory(name="Pôle Trois")
    membership = MembershipFactory(pole=pole, organisation=OrganisationFactory(name="Cocagne"))
    assert found(client, "cocagne") == ["Pôle Trois"]
    Membership.objects.get(pk=membership.pk).delete()
    assert found(client, "cocagne", exact="1") == []
    pole.delete()
    assert not SearchDocument.objects.filter(pk=pole.pk).exists()
    assert not SearchWord.objects.filter(word="trois").exists()


def test_sectors_removed_added_or_deleted_reindex(client):
    sector = SectorFactory(name="Mobilité")
    pole = PoleFactory(name="Pôle Quatre", sectors=[sector])
    pole.sectors.remove(sector)
    assert found(client, "mobilite", exact="1") == []
    pole.sectors.add(sector)
    assert found(client, "mobilite") == ["Pôle Quatre"]
    sector.delete()
    assert found(client, "mobilite", exact="1") == []


def test_deferred_indexing_reindexes_once_at_the_end(db):
    with deferred_indexing():
        poles = [PoleFactory(name=f"Pôle Lot {n}") for n in range(3)]
        assert not SearchDocument.objects.filter(pk__in=[p.pk for p in poles]).exists()
    assert SearchDocument.objects.filter(pk__in=[p.pk for p in poles]).count() == 3
    assert SearchWord.objects.get(word="lot").frequency == 3


def test_rebuild_gives_the_same_index_as_the_writes(client):
    PoleFactory(name="Pôle Cinq", summary="Énergies citoyennes")
    before = set(SearchWord.objects.values_list("word", "frequency"))
    call_command("rebuild_search_index", verbosity=0)
    assert set(SearchWord.objects.values_list("word", "frequency")) == before
    assert rebuild_index() == 1
    assert found(client, "energie citoyenne") == ["Pôle Cinq"]


# -- highlight, short words -------------------------------------------------------------------


def test_cards_highlight_the_searched_words_and_escape_the_rest(client):
    PoleFactory(name="Pôle Six", summary="<script>alert(1)</script> Des coopératives & vous")
    html = client.get(DIRECTORY, {"q": "cooperative"}).content.decode()
    assert "<mark>coopératives</mark> &amp; vous" in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert(1)" not in html


def test_the_description_is_the_extract_when_only_it_holds_the_words(client):
    PoleFactory(name="Pôle Sept", summary="Un pôle.", description="Il gère une légumerie.")
    html = client.get(DIRECTORY, {"q": "legumerie"}).content.decode()
    assert "<mark>légumerie</mark>" in html


def test_cards_elsewhere_show_the_summary_without_marks(client):
    PoleFactory(name="Pôle Huit", summary="Une recyclerie")
    html = client.get(DIRECTORY).content.decode()
    assert "Une recyclerie" in html and "<mark>" not in html


@pytest.mark.parametrize("query", ["de la", "le du", "ab cd", "pour les"])
def test_only_short_or_stop_words_search_nothing_and_say_so(client, query):
    PoleFactory(name="Pôle Neuf")
    PoleFactory(name="Pôle Dix")
    search = parse(query)
    assert not search.is_active and search.only_ignored_words
    response = client.get(DIRECTORY, {"q": query})
    assert [p.name for p in response.context["page_obj"].object_list] == ["Pôle Dix", "Pôle Neuf"]
    assert f"«\xa0{query}\xa0»\xa0: mots non cherchés" in response.content.decode()


def test_stop_words_cost_no_vocabulary_query(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert parse("de la des pour").terms == ()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's index")
def test_the_search_reads_the_documents_gin_index_on_postgresql(seeded):
    from poles.registry.search import backends

    # The search reads its matching poles and their relevance once (``scores``); every query
    # of the page then filters by their ids.
    sql, params = backends.current().scores_sql(list(parse("coursive").terms))
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "searchdocument_vector_gin" in plan
