"""French sorting (issue #13): every list sorts names as a French reader expects, on SQLite
and PostgreSQL alike: accents and case ignored at first, « Œuvre » under O, "Pôle 2" before
"Pôle 10"."""

from __future__ import annotations

import pytest
from django.db import connection
from django.urls import reverse

from members.models import Membership, Organisation
from poles.models import FormerRegion, Pole, Region, Sector
from ptce_site.collation import french, french_key
from tests.admin_helpers import read_csv
from tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    PoleFactory,
    RegionFactory,
    SectorFactory,
)

pytestmark = pytest.mark.django_db

# As PostgreSQL 15's ICU (72) sorts them with the ``ptce_fr`` collation: the reference for
# the SQLite collation and the Python key.
ICU_ORDER = [
    "+Plus", "€uro", "2 pôles", "10 pôles",
    "ab", "aB", "Ab", "AB", "ae", "Ae", "AE", "æ", "Æ",
    "ca", "Ca", "ça", "Ça", "ce", "çe", "cote", "coté", "Coté", "côte", "côté",
    "Douai Pôle", "economie", "Economie", "Économie solidaire", "ee", "ée", "èe", "êe", "ëe",
    "Fabrique", "Hauts-de-France", "Île-de-France",
    "Lac Bleu", "Lacoursive", "La Coursive", "La Réunion", "L'Atelier", "Laval", "Normandie",
    "oeuvre", "Oeuvre", "« Œuvre »", "Œuvre", "Orsted", "Ørsted", "Osted", "Ouvrir",
    "Pôle 02", "Pôle 2", "Pôle 2 ", "Pôle 10", "Strasse", "Straße", "Strasze",
    "Zebre", "zèbre", "Ἀθῆναι", "Ζ", "Москва", "東京",
]  # fmt: skip

# The directory's poles, in the order a French reader expects.
POLES_IN_ORDER = [
    "Douai Coopération",
    "écoles du Nord",
    "Économie solidaire",
    "Fabrique des territoires",
    "Hauts Lieux",
    "Île aux Projets",
    "La Réunion solidaire",
    "Normandie Coop",
    "Odyssée",
    "« Œuvre commune »",
    "Ouvroir",
    "Pôle 2",
    "Pôle 10",
]
REGIONS_IN_ORDER = ["Grand Est", "Hauts-de-France", "Île-de-France", "La Réunion", "Normandie"]


def shuffled(names: list[str]) -> list[str]:
    """The names in an order that is neither the expected one nor the code-point one."""
    return names[1::2][::-1] + names[::2]


def make_poles(names: list[str], region: Region | None = None) -> list[Pole]:
    region = region or RegionFactory()
    return [
        PoleFactory(name=name, slug=f"pole-{i}", region=region)
        for i, name in enumerate(shuffled(names))
    ]


def make_regions() -> None:
    for i, name in enumerate(shuffled(REGIONS_IN_ORDER)):
        RegionFactory(name=name, slug=f"region-{i}")


# -- the collation itself ---------------------------------------------------------------------


def test_python_key_sorts_as_postgresql_icu():
    assert sorted(shuffled(ICU_ORDER), key=french_key) == ICU_ORDER


def test_database_sorts_as_postgresql_icu():
    """Meta.ordering through the ``ptce_fr`` collation: ICU on PostgreSQL, the registered
    Python collation on SQLite; both give the same order."""
    Sector.objects.bulk_create(
        Sector(name=name, slug=f"s{i}") for i, name in enumerate(shuffled(ICU_ORDER))
    )
    assert list(Sector.objects.values_list("name", flat=True)) == ICU_ORDER
    descending = Sector.objects.order_by(french("name").desc()).values_list("name", flat=True)
    assert list(descending) == ICU_ORDER[::-1]


def test_collation_keeps_equality_exact():
    """Deterministic: names differing only by case or accents stay distinct (unique names,
    lookups)."""
    SectorFactory(name="Économie", slug="s1")
    SectorFactory(name="economie", slug="s2")
    assert Sector.objects.filter(name="Économie").count() == 1
    assert Sector.objects.annotate(fr=french("name")).filter(fr="economie").count() == 1


def test_sorting_across_relations():
    b_pole, a_pole = PoleFactory(name="Zéphyr"), PoleFactory(name="Écluse")
    MembershipFactory(pole=b_pole, organisation=OrganisationFactory(name="Alpha"))
    MembershipFactory(pole=a_pole, organisation=OrganisationFactory(name="Œuvres sociales"))
    MembershipFactory(pole=a_pole, organisation=OrganisationFactory(name="épicerie"))
    rows = Membership.objects.values_list("pole__name", "organisation__name")
    assert list(rows) == [
        ("Écluse", "épicerie"),
        ("Écluse", "Œuvres sociales"),
        ("Zéphyr", "Alpha"),
    ]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's query plans")
def test_sorting_by_name_reads_the_french_indexes_on_postgresql():
    """ORDER BY name COLLATE ptce_fr cannot use a plain index on name: the first page of each
    directory reads its own index instead of sorting every row."""
    make_poles(POLES_IN_ORDER)
    OrganisationFactory.create_batch(3)
    poles = Pole.objects.published().order_by(french("name"))[:20]
    organisations = Organisation.objects.order_by(french("name"), "pk")[:20]
    with connection.cursor() as cursor:
        # A few rows: PostgreSQL would rather sort them; forbidding sorts asks whether the
        # index can give this order.
        cursor.execute("SET enable_sort = off")
        plans = poles.explain(), organisations.explain()
        cursor.execute("SET enable_sort = on")
    assert "pole_name_fr" in plans[0]
    assert "organisation_name_fr" in plans[1]


# -- public pages ---------------------------------------------------------------------------


def test_directory_sorted_by_name_in_french(client):
    make_poles(POLES_IN_ORDER)
    for params in ({}, {"sort": "name"}):
        response = client.get(reverse("poles:pole-list"), params)
        assert [p.name for p in response.context["page_obj"]] == POLES_IN_ORDER


def test_directory_other_sorts_break_ties_in_french(client):
    make_poles(POLES_IN_ORDER)  # no founding year: the tie-break alone orders them
    response = client.get(reverse("poles:pole-list"), {"sort": "founded"})
    assert [p.name for p in response.context["page_obj"]] == POLES_IN_ORDER


def test_csv_export_in_french_order(client):
    make_poles(POLES_IN_ORDER)
    rows = read_csv(client.get(reverse("poles:pole-export-csv")))
    assert [row[0] for row in rows[1:]] == POLES_IN_ORDER


def test_regions_list_and_map_in_french_order(client):
    make_regions()
    response = client.get(reverse("poles:region-list"))
    assert [row["name"] for row in response.context["rows"]] == REGIONS_IN_ORDER
    assert list(Region.objects.values_list("name", flat=True)) == REGIONS_IN_ORDER
    geojson = client.get(reverse("poles:api-regions")).json()
    names = [feature["properties"]["name"] for feature in geojson["features"]]
    assert names == REGIONS_IN_ORDER


def test_former_regions_in_french_order():
    region = RegionFactory()
    for i, name in enumerate(["Rhône-Alpes", "Île-de-France", "Alsace", "Émeraude"]):
        FormerRegion.objects.create(
            code=f"9{i}", name=name, slug=f"f{i}", region=region, departments="01"
        )
    names = list(FormerRegion.objects.values_list("name", flat=True))
    assert names == ["Alsace", "Émeraude", "Île-de-France", "Rhône-Alpes"]


def test_organisations_directory_in_french_order(client):
    names = [
        "Atelier Bleu",
        "atelier du coin",
        "Douai Insertion",
        "Économie circulaire 59",
        "Fabrique de l'emploi",
        "« Œuvres sociales »",
    ]
    for i, name in enumerate(shuffled(names)):
        OrganisationFactory(name=name, slug=f"org-{i}")
    response = client.get(reverse("members:organisation-list"))
    assert [o.name for o in response.context["page_obj"]] == names
    assert list(Organisation.objects.values_list("name", flat=True)) == names


def test_pole_page_lists_members_in_french_order(client):
    """Sorted in Python (grouped by kind of organisation): the same order."""
    pole = PoleFactory()
    names = ["Atelier", "Économat", "Fabrique", "île verte", "Odyssée", "« Œuvre »"]
    for name in shuffled(names):
        MembershipFactory(pole=pole, organisation=OrganisationFactory(name=name))
    response = client.get(pole.get_absolute_url())
    (group,) = response.context["member_groups"]
    assert [entry["organisation"].name for entry in group["organisations"]] == names


# -- the admin ------------------------------------------------------------------------------


def changelist_names(client, url: str, **params) -> list[str]:
    response = client.get(url, params)
    assert response.status_code == 200
    return [str(row) for row in response.context["cl"].result_list]


def test_admin_changelists_sort_names_in_french(curator_client):
    make_regions()
    make_poles(POLES_IN_ORDER, region=Region.objects.get(name="Normandie"))
    regions = reverse("admin:poles_region_changelist")
    assert changelist_names(curator_client, regions) == REGIONS_IN_ORDER
    poles = reverse("admin:poles_pole_changelist")
    assert changelist_names(curator_client, poles) == POLES_IN_ORDER


def test_admin_name_column_sorts_in_french_both_ways(curator_client):
    make_poles(POLES_IN_ORDER)
    url = reverse("admin:poles_pole_changelist")
    column = curator_client.get(url).context["cl"].list_display.index("name")
    assert changelist_names(curator_client, url, o=str(column)) == POLES_IN_ORDER
    assert changelist_names(curator_client, url, o=f"-{column}") == POLES_IN_ORDER[::-1]


def test_sources_are_listed_oldest_first_undated_last_titles_in_french_order(client):
    """The same order on the about page and a pole's page, on both databases (SQLite puts
    undated rows first unless told, PostgreSQL last)."""
    from datetime import date

    from tests.factories import SourceDocumentFactory

    titles = ["Fiche sans date", "Étude sans date", "Dossier sans date"]
    undated = [SourceDocumentFactory(title=title) for title in titles]
    dated = [SourceDocumentFactory(title="Communiqué", published_on=date(2014, 1, 10)),
             SourceDocumentFactory(title="Appel", published_on=date(2013, 6, 1))]
    pole = PoleFactory()
    pole.sources.set([*undated, *dated])
    expected = ["Appel", "Communiqué", "Dossier sans date", "Étude sans date", "Fiche sans date"]
    for url in (reverse("about"), pole.get_absolute_url()):
        page = client.get(url).content.decode()
        positions = [page.find(title) for title in expected]
        assert -1 not in positions and positions == sorted(positions), (url, positions)
