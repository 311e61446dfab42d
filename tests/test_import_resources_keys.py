"""Imports, continued: how rows find the poles, organisations and calls they name (SIREN,
identifier, name, in any case or spelling), and what a row the database refuses says."""

import io

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from calls.resources import ApplicationResource
from members.models import Membership, Organisation
from members.resources import MembershipResource, OrganisationResource
from poles.models import Pole, Region
from poles.registry.resources import PoleResource
from ptce_site.resources import PreloadedInstanceLoader, all_errors, summary
from tests.factories import (
    CallFactory,
    MembershipFactory,
    OrganisationFactory,
    PoleFactory,
    UserFactory,
)
from tests.test_import_resources import POLES_CSV, run

pytestmark = pytest.mark.django_db


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


def test_an_organisation_s_siren_a_spreadsheet_took_for_a_number_names_it(db):
    """The organisations' import reads its SIREN column as the memberships' organisation column
    does: 012345674 kept by a spreadsheet as the number 12345674 is the existing organisation
    (it was « Une organisation porte déjà ce numéro SIREN »)."""
    zero = OrganisationFactory(name="Ancien nom", siren="012345674")
    sheet = Workbook()
    for row in (["SIREN", "nom", "type"], [12345674, "Nouveau nom", "ess"]):
        sheet.active.append(row)
    sheet.save(content := io.BytesIO())
    assert all_errors(result := run(OrganisationResource, content.getvalue())) == []
    assert summary(result)["changed"] == 1
    zero.refresh_from_db()
    assert zero.name == "Nouveau nom" and Organisation.objects.count() == 1


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
