"""Bulk imports of the registry through the resources (poles/registry/resources.py,
members/resources.py, calls/resources.py) and ``manage.py import_registry``: round trips,
dry runs, history, French errors with line and column, natural keys."""

import io

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from calls.models import Application
from calls.resources import ApplicationResource
from members.models import Membership, Organisation
from members.resources import MembershipResource, OrganisationResource
from poles.models import Pole, Region
from poles.registry.resources import PoleResource
from ptce_site.exports import SafeODS, SafeXLSX, SemicolonCSV
from ptce_site.imports import read_table
from ptce_site.resources import PreloadedInstanceLoader, all_errors, summary
from tests.factories import (
    ApplicationFactory,
    CallFactory,
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


@pytest.fixture
def reference(db):
    RegionFactory(code="84", name="Auvergne-Rhône-Alpes", slug="auvergne-rhone-alpes")
    RegionFactory(code="53", name="Bretagne", slug="bretagne")
    SectorFactory(name="Agriculture", slug="agriculture")
    SectorFactory(name="Bois", slug="bois")


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


def test_organisations_are_found_by_siren_then_identifier(db):
    organisation = OrganisationFactory(name="Scop du Bois", siren="732829320")
    data = b"nom;type;SIREN\nLa Scop du Bois;Entreprise de l'ESS;732 829 320\n"
    result = run(OrganisationResource, data)
    assert summary(result)["changed"] == 1
    organisation.refresh_from_db()
    assert organisation.name == "La Scop du Bois" and Organisation.objects.count() == 1


def test_an_identifier_typed_in_capitals_names_its_row_not_a_new_one(reference):
    """« POLE-SUD » for « pole-sud »: the import created a second pole (and a second
    organisation) instead of changing the one the row names; a membership found neither."""
    PoleFactory(name="Pôle Sud", slug="pole-sud", territory="Ancien")
    OrganisationFactory(name="Scop du Bois", slug="scop-du-bois", siren="")
    data = "nom;identifiant;région;territoire\nPôle Sud;POLE-SUD;84;Nouveau\n"
    assert summary(run(PoleResource, data.encode()))["changed"] == 1
    assert list(Pole.objects.values_list("slug", "territory")) == [("pole-sud", "Nouveau")]
    data = "nom;identifiant;type\nLa Scop du Bois;Scop-Du-Bois;Entreprise de l'ESS\n"
    assert summary(run(OrganisationResource, data.encode()))["changed"] == 1
    assert list(Organisation.objects.values_list("slug", "name")) == [
        ("scop-du-bois", "La Scop du Bois")
    ]
    twice = "nom;identifiant\nPôle Nord;pole-nord\nPôle Nord;Pole-Nord\n"
    assert "lignes 2, 3" in all_errors(run(PoleResource, twice.encode()))[0]
    memberships = "pôle;organisation;rôle\nPOLE-SUD;Scop-Du-Bois;Membre\n"
    assert summary(run(MembershipResource, memberships.encode()))["new"] == 1
    # Found again, not taken for a new one (the database refused it, in English).
    assert summary(run(MembershipResource, memberships.encode()))["unchanged"] == 1
    new = "nom;identifiant\nPôle Est;Pole-Est\n"
    assert summary(run(PoleResource, new.encode()))["new"] == 1
    assert Pole.objects.filter(slug="pole-est").exists()  # as the site writes them


def test_a_phone_number_a_spreadsheet_took_for_a_number_gets_its_zero_back(reference):
    """« 0612345678 » typed in Excel is the number 612345678, in the XLSX and in the CSV it
    saves: the pole's public phone was imported as « 612345678 »."""
    sheet = Workbook()
    for values in (
        ["nom", "région", "téléphone"],
        ["Pôle A", "84", 612345678],
        ["Pôle B", "84", "0478000000"],
        ["Pôle C", "84", "+33 1 23 45 67 89"],
    ):
        sheet.active.append(values)
    sheet.save(content := io.BytesIO())
    assert summary(run(PoleResource, content.getvalue()))["new"] == 3
    assert dict(Pole.objects.values_list("name", "contact_phone")) == {
        "Pôle A": "0612345678",
        "Pôle B": "0478000000",
        "Pôle C": "+33 1 23 45 67 89",
    }
    data = "nom;région;téléphone\nPôle D;84;612345678\n".encode()  # Excel's CSV
    assert summary(run(PoleResource, data))["new"] == 1
    assert Pole.objects.get(name="Pôle D").contact_phone == "0612345678"
    sheet.active.append(["Pôle E", "84", 33123456789])  # « +33 1 23 45 67 89 », its + lost
    sheet.save(content := io.BytesIO())
    assert all_errors(run(PoleResource, content.getvalue())) == [
        "ligne 5, colonne « téléphone » : « 33123456789 » : le tableur a pris ce numéro pour "
        "un nombre. Écrivez-le comme du texte (par exemple 01 23 45 67 89 ou +33 1 23 45 67 89)."
    ]


def test_a_name_written_otherwise_names_its_row_not_a_new_one(reference):
    """The no-break space a French spreadsheet puts before « : », a doubled space, missing
    accents: the row without identifier created a second pole or organisation of that name
    (the site's « same name » sets accents, case and repeated spaces aside)."""
    region = Region.objects.get(code="84")
    PoleFactory(name="Pôle Sud : Coop", slug="pole-sud", region=region, territory="Ancien")
    OrganisationFactory(name="Scop du Bois", siren="")
    for name in ("Pôle Sud\u00a0: Coop", "pole  sud : coop"):
        data = f"nom;région;territoire\n{name};84;Ancien\n".encode()
        assert summary(run(PoleResource, data))["changed"] == 1
    data = "nom;type\nscop du\u00a0Bois;Entreprise de l'ESS\n".encode()
    assert summary(run(OrganisationResource, data))["changed"] == 1
    assert (Pole.objects.count(), Organisation.objects.count()) == (1, 1)
    twice = b"nom;type\nScop du Bois;ESS\nSCOP  DU BOIS;ESS\n"
    assert "lignes 2, 3" in all_errors(run(OrganisationResource, twice))[0]


def test_memberships_link_poles_and_organisations_by_their_keys(reference):
    pole = PoleFactory(name="Pôle Sud", slug="pole-sud")
    organisation = OrganisationFactory(siren="732829320")
    data = "pôle;organisation;rôle;arrivée le\npole-sud;732829320;Membre fondateur;01/02/2016\n"
    assert summary(run(MembershipResource, data.encode()))["new"] == 1
    membership = Membership.objects.get()
    assert (membership.pole, membership.organisation) == (pole, organisation)
    assert membership.role == "founder" and membership.joined_on.isoformat() == "2016-02-01"
    assert summary(run(MembershipResource, data.encode()))["unchanged"] == 1


def test_a_membership_finds_its_organisation_by_a_siren_as_people_write_it(reference):
    """« 732 829 320 » (or with no-break spaces), as the organisations' import reads it, and
    a number that lost its leading zero in a spreadsheet: they were « introuvable »."""
    PoleFactory(name="Pôle Sud", slug="pole-sud")
    coteaux = OrganisationFactory(siren="732829320")
    zero = OrganisationFactory(siren="012345675")
    sheet = Workbook()
    for row in (
        ["pôle", "organisation", "rôle"],
        ["pole-sud", "732\u00a0829 320", "Membre"],
        ["pole-sud", 12345675, "Membre"],
    ):
        sheet.active.append(row)
    sheet.save(content := io.BytesIO())
    assert all_errors(result := run(MembershipResource, content.getvalue())) == []
    assert summary(result)["new"] == 2
    assert set(Membership.objects.values_list("organisation", flat=True)) == {coteaux.pk, zero.pk}
    twice = "pôle;organisation;rôle\npole-sud;732 829 320;Membre\npole-sud;732829320;Membre\n"
    assert "lignes 2, 3" in all_errors(run(MembershipResource, twice.encode()))[0]


def test_one_row_named_two_ways_in_a_file_is_a_repeated_key(reference):
    """An organisation by its identifier then its SIREN, a call by its identifier then its
    title: the repeat was not seen, and the second row failed with the database's English
    « UNIQUE constraint failed: … »."""
    CallFactory(slug="aap-2013", title="Appel 2013")
    PoleFactory(slug="sud")
    OrganisationFactory(slug="coop", siren="732829320")
    for resource, data in [
        (MembershipResource, "pôle;organisation;rôle\nsud;coop;Membre\nsud;732829320;Membre\n"),
        (
            ApplicationResource,
            "appel;pôle;résultat\naap-2013;sud;Lauréat\nAppel 2013;sud;Lauréat\n",
        ),
    ]:
        errors = all_errors(run(resource, data.encode()))
        assert errors == [
            "Le même élément apparaît plusieurs fois dans le fichier (lignes 2, 3) : "
            "gardez une seule ligne par élément."
        ]


def test_a_row_saved_meanwhile_by_another_import_is_said_in_french(reference, monkeypatch):
    """Two curators confirming the same new rows at once: the second's rows were read before
    the first's were committed, and its save failed with the database's English words."""
    pole = PoleFactory(slug="sud")
    organisation = OrganisationFactory(slug="coop")
    MembershipFactory(pole=pole, organisation=organisation, role="member")
    monkeypatch.setattr(PreloadedInstanceLoader, "get_instance", lambda loader, row: None)
    data = "pôle;organisation;rôle\nsud;coop;Membre\n"
    assert all_errors(run(MembershipResource, data.encode())) == [
        "ligne 2 : cette ligne désigne un élément déjà enregistré, peut-être par un autre "
        "import au même moment : envoyez le fichier à nouveau pour voir ce qui a changé."
    ]


def test_the_command_imports_and_reports(tmp_path, reference):
    path = tmp_path / "poles.csv"
    path.write_bytes(POLES_CSV.encode("cp1252"))
    call_command("import_registry", str(path), "--dry-run")
    assert not Pole.objects.exists()
    call_command("import_registry", str(path))
    assert Pole.objects.count() == 2
    history = Pole.history.filter(name="Pôle des Coteaux").first()
    assert history.history_change_reason == "Import de poles.csv"


def test_the_command_refuses_a_bad_file_and_writes_nothing(tmp_path, reference):
    path = tmp_path / "poles.csv"
    path.write_text("titre;SIREN\nA;1\n", encoding="utf-8")  # no kind of rows fits
    with pytest.raises(CommandError, match="--model"):
        call_command("import_registry", str(path))
    path.write_text("nom;région\nPôle;Atlantide\n", encoding="utf-8")
    with pytest.raises(CommandError, match="rien n'a été enregistré"):
        call_command("import_registry", str(path), "--model", "poles")
    assert not Pole.objects.exists()


def test_an_imported_pole_gets_one_version_holding_its_sectors(reference):
    run(PoleResource, POLES_CSV.encode())
    records = Pole.history.filter(name="Pôle des Coteaux")
    assert records.count() == 1
    record = records.get()
    assert sorted(record.sectors.values_list("sector__name", flat=True)) == ["Agriculture", "Bois"]
    changed = POLES_CSV.replace("Agriculture, Bois", "Bois")
    run(PoleResource, changed.encode())
    latest = Pole.history.filter(name="Pôle des Coteaux").latest("history_date")
    assert list(latest.sectors.values_list("sector__name", flat=True)) == ["Bois"]
    assert Pole.history.filter(name="Pôle des Coteaux").count() == 2


def test_imported_memberships_are_in_the_history_with_who_and_which_file(reference):
    PoleFactory(name="Pôle Sud", slug="pole-sud")
    OrganisationFactory(siren="732829320")
    curator = UserFactory(username="claire", is_staff=True)
    data = "pôle;organisation;rôle\npole-sud;732829320;Membre\n".encode()
    run(MembershipResource, data, dry_run=True, user=curator)
    assert not Membership.history.exists()
    run(MembershipResource, data, user=curator, name="adhesions.ods")
    record = Membership.history.get()
    assert (record.history_type, record.history_user) == ("+", curator)
    assert record.history_change_reason == "Import de adhesions.ods"
    run(MembershipResource, data.replace(b"Membre", b"Membre"), user=curator)
    assert Membership.history.count() == 1  # unchanged: no new version


def test_an_import_dates_the_pages_it_changes_and_says_the_team_entered_it(reference, client):
    """Imported facts are the team's, dated; a dry run and an unchanged re-import date
    nothing."""
    run(PoleResource, POLES_CSV.encode(), dry_run=True)
    assert not Pole.objects.exists()
    run(PoleResource, POLES_CSV.encode(), user=UserFactory(username="claire", is_staff=True))
    pole = Pole.objects.get(name="Pôle des Coteaux")
    assert pole.content_changed_at is not None
    pole.is_published = True
    pole.save()
    html = client.get(pole.get_absolute_url()).content.decode()
    assert "Fiche mise à jour le" in html
    assert "renseigné par l&#x27;équipe du registre" in html or "renseigné par l'équipe" in html

    dated = pole.content_changed_at
    run(PoleResource, POLES_CSV.encode())
    pole.refresh_from_db()
    assert pole.content_changed_at == dated


def test_a_membership_import_dates_its_poles_page(reference):
    pole = PoleFactory(name="Pôle des Coteaux")
    organisation = OrganisationFactory(name="Coop Alpha", siren="")
    assert Pole.objects.get(pk=pole.pk).content_changed_at is None
    data = f"pôle;organisation;rôle\n{pole.slug};{organisation.slug};Membre\n"
    result = run(MembershipResource, data.encode())
    assert summary(result)["new"] == 1, all_errors(result)
    assert Pole.objects.get(pk=pole.pk).content_changed_at is not None
