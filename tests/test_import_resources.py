"""Bulk imports of the registry through the resources (poles/registry/resources.py,
members/resources.py, calls/resources.py) and ``manage.py import_registry``: round trips,
dry runs, history, French errors with line and column, natural keys."""

import io

import pytest
from openpyxl import Workbook

from calls.models import Application
from calls.resources import ApplicationResource
from members.models import Membership, Organisation
from members.resources import MembershipResource, OrganisationResource
from poles.models import Pole
from poles.registry.resources import PoleResource
from ptce_site.exports import SafeODS, SafeXLSX, SemicolonCSV
from ptce_site.imports import read_table
from ptce_site.resources import all_errors, summary
from tests.factories import (
    ApplicationFactory,
    CommuneFactory,
    FormerRegionFactory,
    MembershipFactory,
    OrganisationFactory,
    PoleFactory,
    RegionFactory,
    SectorFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

POLES_CSV = (
    "nom;région;statut;secteurs;code commune;latitude;longitude;année de création\n"
    "Pôle des Coteaux;84;En projet;Agriculture, Bois;;45,75;4,85;2015\n"
    "Pôle du Littoral;Bretagne;operational;;;;;\n"
)


def run(resource_class, data: bytes, dry_run=False, user=None, name="fichier.csv"):
    return resource_class().import_data(
        read_table(data), dry_run=dry_run, user=user, file_name=name
    )


def test_a_new_file_creates_poles_with_their_region_sectors_and_decimal_comma_point(reference):
    result = run(PoleResource, POLES_CSV.encode())
    assert summary(result) == {"new": 2, "changed": 0, "unchanged": 0, "errors": 0}
    coteaux = Pole.objects.get(name="Pôle des Coteaux")
    assert coteaux.slug == "pole-des-coteaux"
    assert coteaux.region.code == "84" and coteaux.status == Pole.Status.IN_PROJECT
    assert (coteaux.latitude, coteaux.longitude, coteaux.founded_year) == (45.75, 4.85, 2015)
    assert sorted(coteaux.sectors.values_list("name", flat=True)) == ["Agriculture", "Bois"]
    assert Pole.objects.get(name="Pôle du Littoral").region.name == "Bretagne"


def test_importing_the_same_file_twice_changes_nothing(reference):
    run(PoleResource, POLES_CSV.encode())
    versions = dict(Pole.objects.values_list("slug", "version"))
    history = Pole.history.count()
    result = run(PoleResource, POLES_CSV.encode())
    assert summary(result) == {"new": 0, "changed": 0, "unchanged": 2, "errors": 0}
    assert dict(Pole.objects.values_list("slug", "version")) == versions
    assert Pole.history.count() == history


@pytest.mark.parametrize("fmt", [SemicolonCSV, SafeXLSX, SafeODS])
def test_an_export_imports_back_unchanged(fmt, reference):
    region = RegionFactory(code="44", name="Grand Est", slug="grand-est")
    pole = PoleFactory(
        name="=Pôle d'Ardaynes",
        region=region,
        latitude=49.7,
        longitude=-4.9,
        contact_phone="+33 1 23 45 67 89",
        territory="Ardennes",
        is_witness=True,
        sectors=[SectorFactory(name="Écoconstruction", slug="ecoconstruction")],
    )
    former = FormerRegionFactory(region=region, name="Champagne-Ardenne", code="21")
    ApplicationFactory(pole=pole, former_region=former)
    organisation = OrganisationFactory(siren="", name="+Scop du Bois")
    MembershipFactory(pole=pole, organisation=organisation)
    for resource_class, model in [
        (PoleResource, Pole),
        (OrganisationResource, Organisation),
        (MembershipResource, Membership),
        (ApplicationResource, Application),
    ]:
        exported = fmt().export_data(resource_class().export(queryset=model.objects.all()))
        data = exported.encode() if isinstance(exported, str) else exported
        result = run(resource_class, data)
        assert all_errors(result) == []
        assert summary(result)["unchanged"] == model.objects.count(), resource_class


def test_the_pole_export_carries_the_former_region_of_each_application(reference):
    pole = PoleFactory(name="Pôle Sud")
    former = FormerRegionFactory(name="Rhône-Alpes", code="82")
    ApplicationFactory(pole=pole, former_region=former, call__title="Appel à projets 2013")
    dataset = PoleResource().export(queryset=Pole.objects.all())
    cell = dataset.dict[0]["candidatures (ancienne région)"]
    assert cell == "Appel à projets 2013 : Lauréat (Rhône-Alpes)"


def test_the_semicolon_csv_writes_decimal_commas():
    PoleFactory(name="Pôle Sud", latitude=43.61, longitude=3.87)
    text = SemicolonCSV().export_data(PoleResource().export(queryset=Pole.objects.all()))
    assert ";43,61;3,87;" in text


def test_a_dry_run_writes_nothing(reference):
    result = run(PoleResource, POLES_CSV.encode(), dry_run=True)
    assert summary(result)["new"] == 2
    assert not Pole.objects.exists() and not Pole.history.exists()


def test_a_changed_row_says_which_columns_changed_from_what_to_what(reference):
    run(PoleResource, POLES_CSV.encode())
    changed = POLES_CSV.replace("En projet", "Opérationnel").replace("2015", "2016")
    result = run(PoleResource, changed.encode(), dry_run=True)
    assert summary(result) == {"new": 0, "changed": 1, "unchanged": 1, "errors": 0}
    row = next(row for row in result.rows if row.changes)
    assert row.line == 2
    assert ("statut", "En projet", "Opérationnel") in row.changes
    assert ("année de création", "2015", "2016") in row.changes


def test_the_import_records_who_imported_which_file_in_the_history(reference):
    curator = UserFactory(username="claire", is_staff=True)
    run(PoleResource, POLES_CSV.encode(), user=curator, name="reseau.xlsx")
    record = Pole.history.filter(name="Pôle des Coteaux").latest("history_date")
    assert record.history_user == curator
    assert record.history_change_reason == "Import de reseau.xlsx"


def test_an_error_is_said_in_french_with_its_line_and_column_and_nothing_is_written(db):
    data = b"nom;type;SIREN\nCoop A;ESS;\nCoop B;Entreprise de l'ESS;12345678\n"
    result = run(OrganisationResource, data)
    assert summary(result)["errors"] == 1
    assert all_errors(result) == [
        "ligne 3, colonne « SIREN » : « 12345678 » n'est pas valide. Un numéro SIREN compte "
        "exactement 9 chiffres, sans espace."
    ]
    assert not Organisation.objects.exists()  # the good row is rolled back with the bad one


def test_unknown_values_are_said_with_the_allowed_ones(reference):
    data = "nom;statut;région;secteurs\nPôle;Actif;Atlantide;Pêche\n".encode()
    errors = all_errors(run(PoleResource, data))
    assert any(
        e.startswith("ligne 2, colonne « statut » : « Actif » n'est pas une valeur permise")
        for e in errors
    )
    assert any(e.endswith("« Atlantide » : région introuvable dans le registre.") for e in errors)
    assert any(
        e.endswith("« Pêche » : secteur d'activité introuvable dans le registre.") for e in errors
    )
    assert not Pole.objects.exists()


def test_missing_required_columns_and_repeated_keys_refuse_the_file(reference):
    errors = all_errors(run(PoleResource, "région\n84\n".encode()))
    assert errors == ["Colonnes obligatoires absentes : « nom ». Partez du modèle de fichier."]
    twice = "nom;région\nPôle A;84\nPôle B;84\npôle a;84\n".encode()
    errors = all_errors(run(PoleResource, twice))
    assert len(errors) == 1 and "lignes 2, 4" in errors[0]
    assert not Pole.objects.exists()


def test_errors_name_the_line_the_spreadsheet_shows_despite_blank_lines(reference):
    """Blank lines are left out of the import; they were left out of the line numbers too
    (« ligne 3 » for the sheet's row 5)."""
    sheet = Workbook()
    rows = [["nom", "région", "année de création"], [], ["A", "84", 2000], [None, None]]
    for row in [*rows, ["B", "84", "abc"], ["C", "84", 2001], ["C", "84", 2001]]:
        sheet.active.append(row)
    content = io.BytesIO()
    sheet.save(content)
    assert all_errors(run(PoleResource, content.getvalue())) == [
        "Le même élément apparaît plusieurs fois dans le fichier (lignes 6, 7) : gardez une "
        "seule ligne par élément."
    ]
    sheet.active.delete_rows(7)
    sheet.save(content := io.BytesIO())
    assert all_errors(run(PoleResource, content.getvalue())) == [
        "ligne 5, colonne « année de création » : « abc » n'est pas un nombre."
    ]
    assert not Pole.objects.exists()


@pytest.mark.parametrize(
    "header, said",
    [
        ("nom;Nom;région", "« nom » (colonnes 1, 2)"),
        ("nom;région;identifiant;slug", "« identifiant » (colonnes 3, 4)"),
        ("nom;région;REGION", "« région » (colonnes 2, 3)"),
    ],
)
def test_a_column_named_twice_refuses_the_file_instead_of_dropping_one(reference, header, said):
    """Only one of the two would be read: the other's values would be lost unseen."""
    data = f"{header}\nPôle A;84;Pôle B;53\n".encode()
    errors = all_errors(run(PoleResource, data))
    assert errors == [f"Colonnes en double : {said}. Gardez une seule colonne de chaque."]
    assert not Pole.objects.exists()


def test_a_commune_code_sets_the_commune_region_and_point_as_the_admin_does(reference):
    region = RegionFactory(code="76", name="Occitanie", slug="occitanie")
    CommuneFactory(code="34172", name="Montpellier", region=region, latitude=43.61, longitude=3.87)
    run(PoleResource, "nom;code commune\nPôle Sud;34172\n".encode())
    pole = Pole.objects.get()
    assert (pole.commune_name, pole.region, pole.latitude) == ("Montpellier", region, 43.61)
    assert summary(run(PoleResource, "nom;code commune\nPôle Sud;34172\n".encode())) == {
        "new": 0,
        "changed": 0,
        "unchanged": 1,
        "errors": 0,
    }
    errors = all_errors(run(PoleResource, "nom;code commune\nPôle Nord;99999\n".encode()))
    assert errors and errors[0].startswith("ligne 2, colonne « code commune »")


def test_a_files_point_beside_its_commune_code_is_kept(reference):
    region = RegionFactory(code="76", name="Occitanie", slug="occitanie")
    CommuneFactory(code="34172", name="Montpellier", region=region, latitude=43.61, longitude=3.87)
    run(PoleResource, "nom;code commune;latitude;longitude\nPôle Sud;34172;43.6;3.9\n".encode())
    pole = Pole.objects.get()
    assert (pole.commune_name, pole.latitude, pole.longitude) == ("Montpellier", 43.6, 3.9)
