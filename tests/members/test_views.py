"""The public pages of the member organisations, as an anonymous visitor."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from members.models import Membership, Organisation
from tests.constant_queries import counted_then_grown
from tests.factories import (
    CallFactory,
    MembershipFactory,
    OrganisationFactory,
    PoleFactory,
    RegionFactory,
)

pytestmark = pytest.mark.django_db

ORGANISATIONS = reverse("members:organisation-list")


@pytest.fixture
def regions(db):
    return {
        "north": RegionFactory(code="32", name="Hauts-de-France", slug="hauts-de-france"),
        "south": RegionFactory(code="76", name="Occitanie", slug="occitanie"),
    }


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


# -- one organisation ------------------------------------------------------------------------


def test_organisation_page_shows_its_identity(client, regions):
    organisation = OrganisationFactory(
        name="Coopérative des Étangs",
        kind=Organisation.Kind.SME,
        legal_form=Organisation.LegalForm.SCIC,
        website="https://etangs.example.org",
        commune_name="Toulouse",
        commune_code="31555",
        region=regions["south"],
        description="Première ligne.\n\nSecond paragraphe.",
    )
    html = html_of(client.get(organisation.get_absolute_url()))
    siren = organisation.siren
    assert "PME ou entreprise classique" in html and "SCIC" in html
    assert f"{siren[:3]} {siren[3:6]} {siren[6:]}" in html
    assert 'href="https://etangs.example.org"' in html
    assert "Toulouse" in html and "31555" in html
    assert 'href="/regions/occitanie/"' in html
    assert "<p>Première ligne.</p>" in html and "<p>Second paragraphe.</p>" in html
    assert_well_formed_page(html)


def test_organisation_page_groups_its_roles_per_pole_with_dates(client):
    organisation = OrganisationFactory()
    pole = PoleFactory(name="Pôle des Alpilles")
    MembershipFactory(
        organisation=organisation,
        pole=pole,
        role=Membership.Role.MEMBER,
        joined_on=datetime.date(2014, 1, 10),
    )
    MembershipFactory(organisation=organisation, pole=pole, role=Membership.Role.FOUNDER)
    MembershipFactory(
        organisation=organisation,
        pole=PoleFactory(name="Ancien pôle"),
        role=Membership.Role.FUNDER,
        joined_on=datetime.date(2012, 3, 1),
        left_on=datetime.date(2015, 6, 30),
    )
    MembershipFactory(
        organisation=organisation,
        pole=PoleFactory(name="Pôle quitté"),
        role=Membership.Role.PARTNER,
        left_on=datetime.date(2016, 2, 1),
    )
    response = client.get(organisation.get_absolute_url())
    html = html_of(response)
    assert [entry["pole"].name for entry in response.context["current_poles"]] == [
        "Pôle des Alpilles"
    ]
    assert "Membre fondateur, Membre (depuis le 10 janvier 2014)" in html
    assert [e["pole"].name for e in response.context["former_poles"]] == [
        "Ancien pôle",
        "Pôle quitté",
    ]
    assert "Financeur (du 1 mars 2012 au 30 juin 2015)" in html
    assert "Partenaire (jusqu&#x27;au 1 février 2016)" in html or (
        "Partenaire (jusqu'au 1 février 2016)" in html
    )
    assert html.count('href="/poles/pole-des-alpilles/"') == 1
    assert "Anciennes participations</h3>" in html


def test_organisation_page_hides_unpublished_poles(client):
    organisation = OrganisationFactory()
    MembershipFactory(organisation=organisation, pole=PoleFactory(name="Pôle public"))
    MembershipFactory(
        organisation=organisation, pole=PoleFactory(name="Pôle brouillon", is_published=False)
    )
    html = html_of(client.get(organisation.get_absolute_url()))
    assert "Pôle public" in html
    assert "Pôle brouillon" not in html and "pole-brouillon" not in html


def test_organisation_without_poles_says_so(client):
    html = html_of(client.get(OrganisationFactory(siren="", legal_form="").get_absolute_url()))
    assert "Elle n'est membre d'aucun pôle publié dans le registre." in html
    assert "Non renseigné" in html


def test_organisation_page_lists_the_calls_it_organised(client, seeded):
    html = html_of(client.get(reverse("members:organisation-detail", args=["le-labo-de-l-ess"])))
    assert "Appels organisés</h2>" in html
    assert 'href="/appels/appel-a-candidature-2011/"' in html


def test_seed_organisation_page_shows_its_pole(client, seeded):
    html = html_of(client.get(reverse("members:organisation-detail", args=["appui"])))
    assert (
        'href="/poles/restauration-solidaire-appui-coallia-marmite-d-afrique-taf-et-maffe/"' in html
    )
    assert "<dd>Non renseigné</dd>" in html  # its kind: the announcement does not say (#12)
    assert "Entreprise de l&#x27;ESS" not in html


def test_an_unknown_kind_is_named_as_such_outside_the_type_label(client, seeded):
    """A bare « Non renseigné » badge under the name, or heading the pole's list of members,
    read as "nothing given"; so did the page's summary for sharing (« Non renseigné,
    organisation membre du registre des PTCE. »)."""
    html = html_of(client.get(reverse("members:organisation-detail", args=["appui"])))
    assert '<li class="badge">Type non renseigné</li>' in html
    assert '"Type non renseigné, organisation membre du registre des PTCE."' in html
    listing = html_of(client.get(ORGANISATIONS, {"q": "appui"}))
    assert '<li class="badge">Type non renseigné</li>' in listing
    pole = html_of(client.get(reverse(
        "poles:pole-detail",
        args=["restauration-solidaire-appui-coallia-marmite-d-afrique-taf-et-maffe"],
    ), {"lang": "en"}))
    assert "<h3>Kind not given</h3>" in pole and "<h3>Not given</h3>" not in pole


def test_an_organisation_gives_the_date_a_person_last_changed_it(client, seeded):
    """The seed load's date is not when its facts were updated: no « Fiche mise à jour le »
    until a person changes it (it showed the day the seed was loaded)."""
    from tests.factories import UserFactory

    url = reverse("members:organisation-detail", args=["coallia"])
    assert "Fiche mise à jour" not in html_of(client.get(url))
    sitemap = client.get("/sitemap.xml").content.decode().replace("\n", "")
    assert "/organisations/coallia/</loc><lastmod>" not in sitemap
    organisation = Organisation.objects.get(slug="coallia")
    organisation.description = "Association d'insertion."
    organisation._history_user = UserFactory(is_staff=True)
    organisation.save()
    today = datetime.date.today()
    assert f"Fiche mise à jour le {today.day}" in html_of(client.get(url))
    sitemap = client.get("/sitemap.xml").content.decode().replace("\n", "")
    assert f"/organisations/coallia/</loc><lastmod>{today.isoformat()}" in sitemap


def test_unknown_organisation_is_a_404(client):
    response = client.get(reverse("members:organisation-detail", args=["inconnue"]))
    assert response.status_code == 404


def test_organisation_page_escapes_curated_text(client):
    organisation = OrganisationFactory(
        name="<script>alert(1)</script>", description="<img src=x onerror=alert(1)>"
    )
    html = html_of(client.get(organisation.get_absolute_url()))
    assert "<script>alert" not in html and "<img src=x" not in html


# -- query counts ----------------------------------------------------------------------------


def _count_queries(client, url: str, params=None) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(queries)


def _add_organisations(count: int, region) -> None:
    call = CallFactory()
    for _ in range(count):
        organisation = OrganisationFactory(region=region)
        organisation.name = f"Économie {organisation.pk}"
        organisation.save()
        MembershipFactory(organisation=organisation)
        MembershipFactory(organisation=organisation, role=Membership.Role.FUNDER)
        call.organisers.add(organisation)


LIST_QUERIES = [
    None, {"q": "economie", "kind": "ess", "legal_form": "association", "region": "occitanie"}
]


@pytest.fixture(scope="class")
def grown_organisations(django_db_setup, django_db_blocker):
    """``regions``, 1 organisation in the south, the list's queries counted, then 29 more."""
    regions = {}

    def grow() -> None:
        regions["north"] = RegionFactory(code="32", name="Hauts-de-France", slug="hauts-de-france")
        regions["south"] = RegionFactory(code="76", name="Occitanie", slug="occitanie")
        _add_organisations(1, regions["south"])

    pages = [(ORGANISATIONS, params) for params in LIST_QUERIES]
    with counted_then_grown(
        django_db_blocker,
        pages,
        grow,
        lambda: _add_organisations(29, regions["south"]),
        curator=False,
    ) as grown:
        yield grown


class TestOrganisationListQueries:
    """Both lists on the same organisations, written once for the class."""

    @pytest.mark.parametrize("params", LIST_QUERIES)
    def test_organisation_list_runs_a_constant_number_of_queries(
        self, client, grown_organisations, params
    ):
        response = client.get(ORGANISATIONS, params)
        assert response.context["page_obj"].paginator.count == 30
        few = grown_organisations.before(ORGANISATIONS, params)
        assert grown_organisations.count(ORGANISATIONS, params) == few <= 5


def test_organisation_page_runs_a_constant_number_of_queries(client):
    organisation = OrganisationFactory(region=RegionFactory())

    def add_poles(count: int) -> None:
        for _ in range(count):
            pole = PoleFactory(region=organisation.region)
            MembershipFactory(organisation=organisation, pole=pole)
            MembershipFactory(organisation=organisation, pole=pole, role="founder")
            CallFactory().organisers.add(organisation)

    add_poles(1)
    few = _count_queries(client, organisation.get_absolute_url())
    add_poles(29)
    response = client.get(organisation.get_absolute_url())
    assert len(response.context["current_poles"]) == 30
    # The organisation, its memberships, calls, events and charter signature (#15).
    assert _count_queries(client, organisation.get_absolute_url()) == few <= 5


@pytest.mark.skipif(connection.vendor != "postgresql", reason="indexes are PostgreSQL's")
def test_name_search_can_use_the_trigram_index_on_postgresql(seeded):
    from members.filters import OrganisationFilterSet

    queryset = OrganisationFilterSet({"q": "economie"}, queryset=Organisation.objects.all()).qs
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        plan = queryset.explain()
        cursor.execute("SET enable_seqscan = on")
    assert "organisation_name_search_trgm" in plan


def test_empty_result_without_filters_offers_the_whole_list(client):
    html = html_of(client.get(ORGANISATIONS, {"page": "1"}))
    assert "Aucune organisation ne correspond à ces critères." in html
    assert f'<a href="{ORGANISATIONS}">Voir toutes les organisations</a>' in html
