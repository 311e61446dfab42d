"""The public pages of the member organisations, as an anonymous visitor."""

import datetime
import re

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from members.models import Membership, Organisation
from tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    PoleFactory,
)

pytestmark = pytest.mark.django_db

ORGANISATIONS = reverse("members:organisation-list")


def html_of(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


def names(response) -> list[str]:
    return [organisation.name for organisation in response.context["page_obj"].object_list]


def assert_well_formed_page(html: str) -> None:
    """One h1, no skipped heading level, breadcrumbs, meta description and og:title."""
    levels = [int(level) for level in re.findall(r"<h([1-6])[\s>]", html)]
    assert levels.count(1) == 1 and levels[0] == 1
    for previous, current in zip(levels, levels[1:], strict=False):
        assert current <= previous + 1, levels
    assert re.search(
        r'<nav class="breadcrumbs[^"]*" aria-label="Fil d(\'|&#x27;)Ariane"><ol>', html
    )
    assert re.search(r'<meta name="description" content="[^"]{20,}">', html)
    assert re.search(r'<meta property="og:title" content="[^"]+">', html)


def assert_every_field_has_a_label(html: str) -> None:
    main = html.split('<main id="contenu"', 1)[1]
    fields = re.findall(r"<(?:input|select|textarea)\b[^>]*>", main)
    assert fields
    for field in fields:
        if 'type="hidden"' in field or 'type="submit"' in field:
            continue
        field_id = re.search(r'id="([^"]+)"', field).group(1)
        assert f'<label for="{field_id}">' in main, field


# -- the list ----------------------------------------------------------------------------------


def test_organisation_list_shows_the_seed_organisations_by_name(client, seeded):
    response = client.get(ORGANISATIONS)
    html = html_of(response)
    assert response.context["page_obj"].paginator.count == 11
    assert names(response)[:3] == [
        "Appui",
        "CNCRES — Conseil National des Chambres Régionales de l'Économie Sociale et Solidaire",
        "Coallia",
    ]
    assert "11 organisations trouvées" in html
    assert 'href="/organisations/le-labo-de-l-ess/"' in html
    assert "A organisé 1 appel" in html  # Le Labo de l'ESS organised the 2011 call
    assert_well_formed_page(html)
    assert_every_field_has_a_label(html)


def test_organisation_list_counts_published_current_poles_only(client):
    organisation = OrganisationFactory(name="Coopérative Alpha")
    MembershipFactory(organisation=organisation)
    MembershipFactory(organisation=organisation, role=Membership.Role.FUNDER)
    MembershipFactory(organisation=organisation, pole=PoleFactory(is_published=False))
    MembershipFactory(organisation=organisation, left_on=datetime.date(2020, 1, 1))
    response = client.get(ORGANISATIONS)
    assert response.context["page_obj"].object_list[0].pole_count == 2
    assert "Membre de 2 pôles" in html_of(response)


def test_filter_by_kind(client, seeded):
    response = client.get(ORGANISATIONS, {"kind": "network"})
    assert names(response) == [
        "CNCRES — Conseil National des Chambres Régionales de l'Économie Sociale et Solidaire",
        "COORACE", "IRIS", "Le Labo de l'ESS", "MES — Mouvement pour l'Économie Solidaire",
        "RTES — Réseau des collectivités Territoriales pour une Économie Solidaire", "Ufisc",
    ]
    chips = response.context["chips"]
    assert [(c["label"], c["value"]) for c in chips] == [("Type d'organisation", "Réseau")]
    # The announcement names the four of the solidarity-catering pole without saying what they
    # are (#12): their kind is not known, and no organisation is said to be an ESS enterprise.
    not_known = client.get(ORGANISATIONS, {"kind": "not_known"})
    assert names(not_known) == ["Appui", "Coallia", "Marmite d'Afrique", "Taf et Maffe"]
    assert names(client.get(ORGANISATIONS, {"kind": "ess"})) == []


def test_filter_by_legal_form(client):
    OrganisationFactory(name="Scop Une", legal_form=Organisation.LegalForm.SCOP)
    OrganisationFactory(name="Asso Deux", legal_form=Organisation.LegalForm.ASSOCIATION)
    assert names(client.get(ORGANISATIONS, {"legal_form": "scop"})) == ["Scop Une"]


def test_filter_by_region_slug(client, regions):
    OrganisationFactory(name="Au nord", region=regions["north"])
    OrganisationFactory(name="Au sud", region=regions["south"])
    OrganisationFactory(name="Nulle part", region=None)
    assert names(client.get(ORGANISATIONS, {"region": "occitanie"})) == ["Au sud"]


def test_filters_combine(client, regions):
    OrganisationFactory(name="Économie du Nord", region=regions["north"], kind="sme")
    OrganisationFactory(name="Économie du Sud", region=regions["south"], kind="sme")
    OrganisationFactory(name="Économie du Sud bis", region=regions["south"], kind="network")
    OrganisationFactory(
        name="Économie du Sud ter", region=regions["south"], kind="sme", legal_form="scop"
    )
    response = client.get(
        ORGANISATIONS,
        {"q": "economie", "region": "occitanie", "kind": "sme", "legal_form": "association"},
    )
    assert names(response) == ["Économie du Sud"]
    assert len(response.context["chips"]) == 4


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (
            "economie",
            [
                "CNCRES — Conseil National des Chambres Régionales de l'Économie Sociale "
                "et Solidaire",
                "MES — Mouvement pour l'Économie Solidaire",
                "RTES — Réseau des collectivités Territoriales pour une Économie Solidaire",
            ],
        ),
        ("ÉCONOMIE solidaire mouvement", ["MES — Mouvement pour l'Économie Solidaire"]),
        (
            "reseau   collectivites",
            ["RTES — Réseau des collectivités Territoriales pour une Économie Solidaire"],
        ),
        ("labo", ["Le Labo de l'ESS"]),
        ("Marmite d’Afrique", ["Marmite d'Afrique"]),
        ("introuvable", []),
    ],
)
def test_search_ignores_accents_and_case(client, seeded, query, expected):
    response = client.get(ORGANISATIONS, {"q": query})
    assert names(response) == expected


def test_search_with_accents_finds_names_written_without(client):
    OrganisationFactory(name="Cooperative des Etangs")
    assert names(client.get(ORGANISATIONS, {"q": "Coopérative étangs"})) == [
        "Cooperative des Etangs"
    ]


def test_search_finds_a_siren_number(client):
    organisation = OrganisationFactory(name="Entreprise numérotée")
    OrganisationFactory(name="Une autre")
    siren = organisation.siren
    spaced = f"{siren[:3]} {siren[3:6]} {siren[6:]}"
    assert names(client.get(ORGANISATIONS, {"q": spaced})) == ["Entreprise numérotée"]


def test_search_treats_like_wildcards_literally(client):
    OrganisationFactory(name="Cent pour cent")
    OrganisationFactory(name="Réseau 100% ESS")
    assert names(client.get(ORGANISATIONS, {"q": "100%"})) == ["Réseau 100% ESS"]
    assert names(client.get(ORGANISATIONS, {"q": "_e"})) == []


def test_empty_result_shows_an_empty_state_offering_to_remove_filters(client, seeded):
    html = html_of(client.get(ORGANISATIONS, {"q": "introuvable", "kind": "ess"}))
    # 0 takes the singular in French, the plural in English (gettext's fallback rule).
    assert re.search(r"0 organisations? trouvées?", html)
    assert "Aucune organisation ne correspond à ces critères." in html
    assert 'href="?kind=ess"' in html  # removes the search, keeps the kind


def test_twenty_organisations_per_page_and_pagination_keeps_the_filters(client):
    OrganisationFactory.create_batch(25, kind="network")
    OrganisationFactory.create_batch(3, kind="sme")
    first = client.get(ORGANISATIONS, {"kind": "network"})
    html = html_of(first)
    assert len(first.context["page_obj"].object_list) == 20
    assert "25 organisations trouvées" in html
    assert 'href="?kind=network&amp;page=2"' in html
    second = client.get(ORGANISATIONS, {"kind": "network", "page": "2"})
    assert len(second.context["page_obj"].object_list) == 5
    assert all(o.kind == "network" for o in second.context["page_obj"].object_list)
    assert 'href="?kind=network&amp;page=1"' in html_of(second)


def test_bad_page_numbers_fall_back_with_a_message(client):
    OrganisationFactory.create_batch(21)
    response = client.get(ORGANISATIONS, {"page": "abc"})
    assert response.context["page_obj"].number == 1
    assert "Le numéro de page demandé n&#x27;est pas valide" in html_of(response)
    response = client.get(ORGANISATIONS, {"page": "99999"})
    assert response.context["page_obj"].number == 2
    assert "voici la dernière" in html_of(response)


def test_unknown_filter_values_are_ignored_with_a_clear_message(client, seeded):
    response = client.get(ORGANISATIONS, {"kind": "licorne", "region": "atlantide", "q": "labo"})
    html = html_of(response)
    assert "Certains filtres n'ont pas été compris et ont été ignorés" in html
    assert "Type d&#x27;organisation" in html and "<strong>Région</strong>" in html
    assert names(response) == ["Le Labo de l'ESS"]  # the valid filter still applies


HOSTILE = [
    {"kind": "licorne"},
    {"kind": "'; DROP TABLE members_organisation; --"},
    {"legal_form": "<script>alert(1)</script>"},
    {"region": "atlantide"},
    {"region": "<script>alert(1)</script>"},
    {"region": "\x00"},
    {"page": "abc"},
    {"page": "-3"},
    {"page": "99999"},
    {"page": "9" * 400},
    {"q": "x" * 10_000},
    {"q": "économie " * 1_200},
    {"q": "\x00\x01\x1f\x7f\x9f"},
    {"q": "<script>alert('q')</script>"},
    {"q": '"><script>alert(1)</script>'},
    {"q": "' OR 1=1 --"},
    {"q": "'; DROP TABLE members_organisation; --"},
    {"q": "%_\\"},
    {"q": "</textarea><img src=x onerror=alert(1)>"},
    {"kind": ["ess", "sme"], "q": ["a", "b"]},
]


@pytest.mark.parametrize("params", HOSTILE)
def test_hostile_query_strings_get_a_page_not_a_500(client, seeded, params):
    response = client.get(ORGANISATIONS, params)
    assert response.status_code in (200, 400)
    html = response.content.decode()
    assert "<script>alert" not in html
    assert "<img src=x" not in html
    assert Organisation.objects.count() == 11


def test_search_in_the_title_and_field_is_escaped(client):
    html = html_of(client.get(ORGANISATIONS, {"q": '"><b>gras</b>'}))
    assert "<b>gras" not in html
    assert "&quot;&gt;&lt;b&gt;gras&lt;/b&gt;" in html


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.dictionaries(
        st.sampled_from(["q", "kind", "legal_form", "region", "page", "other"]),
        st.text(max_size=60),
        max_size=5,
    )
)
def test_organisation_list_never_fails_whatever_the_query_string(client, params):
    response = client.get(ORGANISATIONS, params)
    assert response.status_code in (200, 400)
