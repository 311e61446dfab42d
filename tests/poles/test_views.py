"""The public pages of the poles app, as an anonymous visitor."""


import pytest
from django.db import connection
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from calls.models import Application
from poles.models import Objective, Pole
from poles.registry.provenance import mark_content_changed
from tests.factories import (
    ApplicationFactory,
    CallFactory,
    FormerRegionFactory,
    MembershipFactory,
    OrganisationFactory,
    PoleFactory,
    RegionFactory,
)
from tests.shared_rows import rows_for_the_group

pytestmark = pytest.mark.django_db

DIRECTORY = reverse("poles:pole-list")


def names(response) -> list[str]:
    return [pole.name for pole in response.context["page_obj"].object_list]


# -- home ------------------------------------------------------------------------------------


def test_home_explains_ptce_and_shows_the_seed_figures(client, seeded):
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Un PTCE regroupe" in html
    assert response.context["pole_count"] == 30
    laureates = {call.slug: call.published_laureates for call in response.context["calls"]}
    assert laureates["appel-a-projets-2013"] == 23
    assert 'action="/poles/"' in html and 'name="q"' in html
    assert html.count("<h1") == 1


def test_home_is_in_french_even_for_an_english_browser(client, seeded):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response["Content-Language"] == "fr"
    assert '<html lang="fr">' in response.content.decode()


# -- directory: search -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("economie solidaire", "PTCE Pays de Bray – Maison de l'économie solidaire"),
        ("ÉCONOMIE SOLIDAIRE", "Pôle d'économie solidaire Sud-Essonne"),
        ("coursive", "La Coursive Boutaric"),
        ("metropole", "Lille Métropôle solidaire"),
        ("marmite", "Restauration solidaire — Appui, Coallia, Marmite d'Afrique, Taf et Maffe"),
        ("ecoconstruction", "Comité d'expansion 05"),
        ("Pays d’Ancenis", "Comité du bassin d'emploi du Pays d'Ancenis"),
    ],
)
def test_directory_search_ignores_accents_and_case(client, seeded, query, expected):
    response = client.get(DIRECTORY, {"q": query})
    assert response.status_code == 200
    assert expected in names(response)


def test_directory_search_needs_every_word(client, seeded):
    found = names(client.get(DIRECTORY, {"q": "economie essonne"}))
    assert found == ["Pôle d'économie solidaire Sud-Essonne"]


def test_search_by_member_organisation_name_finds_the_pole_once(client):
    pole = PoleFactory(name="Pôle des Alpilles")
    MembershipFactory(pole=pole, organisation=OrganisationFactory(name="Coopérative Verte"))
    MembershipFactory(pole=pole, organisation=OrganisationFactory(name="Verte Association"))
    assert names(client.get(DIRECTORY, {"q": "verte"})) == ["Pôle des Alpilles"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_trgm is PostgreSQL's")
def test_directory_search_tolerates_a_typo_on_postgresql(client, seeded):
    assert "La Coursive Boutaric" in names(client.get(DIRECTORY, {"q": "coursive boutarik"}))
    assert names(client.get(DIRECTORY, {"q": "coursive boutarik"}))[0] == "La Coursive Boutaric"


def test_search_ranks_name_matches_first(client):
    PoleFactory(name="Alpha", summary="Un pôle tourné vers le textile")
    PoleFactory(name="Textile solidaire")
    response = client.get(DIRECTORY, {"q": "textile"})
    assert names(response) == ["Textile solidaire", "Alpha"]
    assert response.context["filter"].current_sort == "relevance"


def test_search_rank_weighs_each_field(client):
    # The name weighs most, then the summary, territory and commune, then the description.
    PoleFactory(name="Zeta", description="Un pôle du textile")
    PoleFactory(name="Epsilon", commune_name="Le Textile")
    PoleFactory(name="Delta", summary="Le textile", territory="Pays du textile")
    PoleFactory(name="Alpha textile")
    PoleFactory(name="Beta", summary="Rien à voir")
    from poles.registry.filters import PoleFilterSet

    ranked = PoleFilterSet({"q": "TEXTILÉ"}, queryset=Pole.objects.all()).qs
    ranks = [(pole.name, pole.rank) for pole in ranked]
    assert [name for name, _rank in ranks] == ["Alpha textile", "Delta", "Epsilon", "Zeta"]
    # Strictly decreasing: each field's weight shows, no tie broken by the name alone.
    assert all(left[1] > right[1] for left, right in zip(ranks, ranks[1:], strict=False)), ranks
    assert names(client.get(DIRECTORY, {"q": "textile"})) == [
        "Alpha textile", "Delta", "Epsilon", "Zeta"
    ]


def test_search_rank_adds_up_each_words_weight(client):
    # Both poles hold both words; where the second word lies makes the difference.
    PoleFactory(name="Pôle A", summary="textile", description="Loire")
    PoleFactory(name="Pôle B", summary="textile", territory="Loire")
    assert names(client.get(DIRECTORY, {"q": "loire textile"})) == ["Pôle B", "Pôle A"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="indexes are PostgreSQL's")
def test_search_indexes_have_no_pending_list_on_postgresql(db):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, reloptions FROM pg_class WHERE relname LIKE %s", ["%_search_trgm"]
        )
        options = dict(cursor.fetchall())
    assert len(options) == 6
    assert all(value == ["fastupdate=off"] for value in options.values())


# -- directory: filters ------------------------------------------------------------------------


def test_each_filter_narrows_the_directory(client, seeded):
    def found(**params):
        return set(names(client.get(DIRECTORY, params)))

    assert len(found(region="grand-est")) == 3
    assert found(former_region="lorraine") == {"Florange e2i"}
    assert len(found(witness="true")) == 8
    assert found(sector="bois") == {"Ardaynes"}
    assert len(found(call="appel-a-projets-2013", outcome="laureate")) == 20  # page of 20
    assert client.get(DIRECTORY, {"call": "appel-a-projets-2013"}).context[
        "page_obj"
    ].paginator.count == 23
    # The announcement does not say what the catering pole's four members are (#12).
    assert found(member_kind="not_known") == {
        "Restauration solidaire — Appui, Coallia, Marmite d'Afrique, Taf et Maffe"
    }
    assert found(member_kind="ess") == set()
    # Only the witness poles' status is in the documents ("opérationnels", 2013).
    assert len(found(status="operational")) == 8
    assert client.get(DIRECTORY, {"status": "not_known"}).context[
        "page_obj"
    ].paginator.count == 22
    assert found(status="dormant") == set()
    assert found(charter="true") == set()


def test_filters_combine(client, seeded):
    response = client.get(
        DIRECTORY,
        {"region": "auvergne-rhone-alpes", "witness": "true", "call": "appel-a-projets-2013",
         "outcome": "laureate"},
    )
    assert set(names(response)) == {"Pôle Sud Archer", "Culture et Coopération"}
    chips = {chip["name"] for chip in response.context["chips"]}
    assert chips == {"region", "witness", "call", "outcome"}


def test_objective_and_charter_filters(client):
    pooling = Objective.objects.get(code="mutualisation")
    pole = PoleFactory(name="Mutualisé", charter_signed_on="2014-09-19")
    pole.objectives.add(pooling)
    PoleFactory(name="Autre")
    assert names(client.get(DIRECTORY, {"objective": "mutualisation"})) == ["Mutualisé"]
    assert names(client.get(DIRECTORY, {"charter": "true"})) == ["Mutualisé"]
    assert names(client.get(DIRECTORY, {"charter": "false"})) == ["Autre"]


def test_outcome_alone_and_call_alone(client):
    call = CallFactory()
    winner = PoleFactory(name="Gagnant")
    loser = PoleFactory(name="Recalé")
    ApplicationFactory(call=call, pole=winner)
    ApplicationFactory(call=call, pole=loser, outcome=Application.Outcome.NOT_SELECTED)
    other = CallFactory()
    ApplicationFactory(call=other, pole=loser)
    assert names(client.get(DIRECTORY, {"call": call.slug, "outcome": "laureate"})) == ["Gagnant"]
    assert names(client.get(DIRECTORY, {"call": call.slug})) == ["Gagnant", "Recalé"]
    assert names(client.get(DIRECTORY, {"outcome": "not_selected"})) == ["Recalé"]


def test_former_region_also_matches_commune_departments(client):
    grand_est = RegionFactory(code="44", name="Grand Est", slug="grand-est")
    FormerRegionFactory(code="41", name="Lorraine", slug="lorraine", region=grand_est,
                        departments="54 55 57 88")
    PoleFactory(name="Metz", region=grand_est, commune_code="57463", commune_name="Metz")
    PoleFactory(name="Reims", region=grand_est, commune_code="51454", commune_name="Reims")
    assert names(client.get(DIRECTORY, {"former_region": "lorraine"})) == ["Metz"]


def test_unpublished_poles_never_appear(client):
    PoleFactory(name="Public")
    PoleFactory(name="Brouillon", is_published=False)
    assert names(client.get(DIRECTORY)) == ["Public"]
    assert names(client.get(DIRECTORY, {"q": "brouillon"})) == []


def test_sorts(client):
    PoleFactory(name="B", founded_year=2010)
    PoleFactory(name="A", founded_year=2015)
    PoleFactory(name="C")
    assert names(client.get(DIRECTORY)) == ["A", "B", "C"]
    assert names(client.get(DIRECTORY, {"sort": "founded"})) == ["B", "A", "C"]
    c = Pole.objects.get(name="C")
    c.summary = "mise à jour"
    c.save()
    assert names(client.get(DIRECTORY, {"sort": "-updated"}))[0] == "A"  # a save by code
    mark_content_changed(c)  # a change by a person (admin, leaders' space, import)
    assert names(client.get(DIRECTORY, {"sort": "-updated"}))[0] == "C"


def test_pagination_keeps_the_filters(client):
    region = RegionFactory(slug="bretagne", name="Bretagne", code="53")
    PoleFactory.create_batch(25, region=region)
    PoleFactory.create_batch(3)
    response = client.get(DIRECTORY, {"region": "bretagne"})
    assert response.context["page_obj"].paginator.count == 25
    assert len(names(response)) == 20
    html = response.content.decode()
    assert "?region=bretagne&amp;page=2" in html
    assert len(names(client.get(DIRECTORY, {"region": "bretagne", "page": 2}))) == 5


def test_empty_state_suggests_removing_a_filter(client, seeded):
    response = client.get(DIRECTORY, {"region": "corse", "q": "coursive"})
    html = response.content.decode()
    assert "Aucun pôle ne correspond" in html
    assert "Retirer «\xa0Région\xa0: Corse\xa0»" in html


def test_chip_link_removes_only_its_filter(client, seeded):
    response = client.get(DIRECTORY, {"region": "grand-est", "witness": "true", "page": "1"})
    chip = next(c for c in response.context["chips"] if c["name"] == "witness")
    assert chip["query"] == "region=grand-est"


# -- bad input -------------------------------------------------------------------------------

HOSTILE = [
    {"region": "atlantide"},
    {"status": "'; DROP TABLE poles_pole; --"},
    {"witness": "peut-être"},
    {"sector": "\x00"},
    {"call": "<script>alert(1)</script>"},
    {"page": "abc"},
    {"page": "-3"},
    {"page": "9" * 400},
    {"page": "99999999"},
    {"q": "x" * 10_000},
    {"q": "\x00\x01\x1f\x7f"},
    {"q": "<script>alert('q')</script>"},
    {"q": "' OR 1=1 --"},
    {"q": "%_\\"},
    {"sort": "id; DELETE"},
    {"outcome": "laureate", "call": "inconnu"},
    {"sep": ";;"},
]


@pytest.fixture(scope="class")
def seeded_for_the_class(django_db_setup, django_db_blocker, _seed_snapshot):
    """``seeded``'s rows, copied once for a class of tests that change none of them."""
    with rows_for_the_group(django_db_blocker, _seed_snapshot.restore):
        yield


@pytest.mark.usefixtures("seeded_for_the_class")
@pytest.mark.usefixtures("plain_templates")  # the pages' HTML is read, not their context
class TestHostileQueryStrings:
    """Every hostile query string on the seed, copied once for the class."""

    @pytest.mark.parametrize("params", HOSTILE)
    @pytest.mark.parametrize("url", [DIRECTORY, reverse("poles:pole-export-csv"),
                                     reverse("poles:pole-export-geojson")])
    def test_hostile_query_strings_get_a_page_not_a_500(self, client, url, params):
        response = client.get(url, params)
        assert response.status_code in (200, 400)
        body = response.content.decode()
        assert "<script>alert" not in body


def test_unknown_filter_value_is_ignored_with_a_clear_message(client, seeded):
    response = client.get(DIRECTORY, {"region": "atlantide", "witness": "true"})
    html = response.content.decode()
    assert "ont été ignorés" in html and "Région" in html
    assert response.context["page_obj"].paginator.count == 8  # the valid filter still applies


def test_too_big_page_number_shows_the_last_page_and_says_so(client):
    PoleFactory.create_batch(25)
    response = client.get(DIRECTORY, {"page": "500"})
    assert response.context["page_obj"].number == 2
    assert "voici la dernière" in response.content.decode()


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.dictionaries(
        st.sampled_from(["q", "region", "former_region", "status", "witness", "sector",
                         "objective", "member_kind", "call", "outcome", "charter", "sort",
                         "page", "sep", "other"]),
        st.text(max_size=60),
        max_size=6,
    )
)
def test_directory_never_fails_whatever_the_query_string(client, params):
    response = client.get(DIRECTORY, params)
    assert response.status_code in (200, 400)
