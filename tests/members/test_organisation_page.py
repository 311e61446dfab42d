"""An organisation's public page, and the query counts of the organisations' pages."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from members.models import Membership, Organisation
from tests.constant_queries import counted_then_grown
from tests.factories import (
    CallFactory,
    MembershipFactory,
    OrganisationFactory,
    PoleFactory,
    RegionFactory,
)
from tests.members.test_views import ORGANISATIONS, assert_well_formed_page, html_of

pytestmark = pytest.mark.django_db


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
