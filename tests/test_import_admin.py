"""The admin's bulk import and export (ptce_site/import_admin.py) on the poles, organisations,
memberships and applications: preview, confirm, history, refusals, exports, template, help."""

import io
import os
import tempfile

import pytest
import tablib
from django.contrib.admin.models import LogEntry
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from members.models import Organisation
from poles.models import Pole
from ptce_site.imports import read_table
from tests.factories import CuratorFactory, OrganisationFactory, PoleFactory, RegionFactory

pytestmark = pytest.mark.django_db

IMPORT = reverse("admin:poles_pole_import")
PROCESS = reverse("admin:poles_pole_process_import")
CHANGELIST = reverse("admin:poles_pole_changelist")


def upload(client, url, content: bytes, name="reseau.csv"):
    return client.post(
        url, {"import_file": SimpleUploadedFile(name, content), "format": "0", "resource": "0"}
    )


def confirm(client, preview):
    form = preview.context["confirm_form"]
    return client.post(PROCESS, {name: form.initial[name] for name in form.initial})


@pytest.fixture
def region(db):
    return RegionFactory(code="84", name="Auvergne-Rhône-Alpes", slug="ara")


def test_the_preview_says_new_changed_unchanged_and_writes_nothing(curator_client, region):
    PoleFactory(name="Pôle Existant", slug="pole-existant", region=region, territory="Ancien")
    PoleFactory(name="Pôle Stable", slug="pole-stable", region=region, territory="Même")
    data = (
        "nom;identifiant;région;territoire\n"
        "Pôle Nouveau;;84;Neuf\nPôle Existant;pole-existant;84;Nouveau\n"
        "Pôle Stable;pole-stable;84;Même\n"
    ).encode()
    response = upload(curator_client, IMPORT, data)
    html = response.content.decode()
    assert response.status_code == 200 and "Confirmer l'import" in html
    assert "1 nouveau(x), 1 modifié(s), 1 inchangé(s), 0 en erreur." in html
    assert "territoire : Ancien → Nouveau" in html
    assert not Pole.objects.filter(name="Pôle Nouveau").exists()
    assert Pole.objects.get(slug="pole-existant").territory == "Ancien"


def test_confirming_writes_in_one_go_and_records_who_imported_which_file(
    curator_client, curator, region
):
    data = "nom;région\nPôle Nouveau;84\nPôle Autre;Auvergne-Rhône-Alpes\n".encode()
    preview = upload(curator_client, IMPORT, data, name="poles-reseau.csv")
    response = confirm(curator_client, preview)
    assert response.status_code == 302 and response["Location"] == CHANGELIST
    assert Pole.objects.filter(region=region).count() == 2
    record = Pole.history.get(name="Pôle Nouveau")
    assert record.history_user == curator
    assert record.history_change_reason == "Import de poles-reseau.csv"
    assert LogEntry.objects.filter(user=curator, change_message="Import de fichier").exists()
    changelist = curator_client.get(CHANGELIST).content.decode()
    assert "Pôle Nouveau" in changelist and "Import terminé : 2 nouveau(x)" in changelist


def test_a_row_error_is_shown_with_line_and_column_and_no_confirm_button(curator_client):
    data = b"nom;type;SIREN\nCoop A;ESS;\nCoop B;ESS;12345678\n"
    response = upload(curator_client, reverse("admin:members_organisation_import"), data)
    html = response.content.decode()
    assert "ligne 3, colonne « SIREN » : « 12345678 » n&#x27;est pas valide." in html
    assert "Confirmer l&#x27;import" not in html and "Confirmer l'import" not in html
    # The errors come first, above the rows' preview, however long the file.
    assert html.index("Erreurs à corriger") < html.index('class="import-preview"')
    assert not Organisation.objects.exists()


def test_the_import_page_lists_the_columns_it_reads_not_those_only_exported(curator_client):
    html = curator_client.get(reverse("admin:poles_pole_import")).content.decode()
    listed = html.split("<code>", 1)[1].split("</code>", 1)[0]
    assert "code commune" in listed and "secteurs" in listed
    assert "mis à jour le" not in listed and "candidatures (ancienne région)" not in listed


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"%PDF-1.4\n\x00\x00binary", "n&#x27;est pas un tableur"),
        ("nom;region\nПолюс;Россия\n".encode("koi8_r"), "encodage du fichier"),
        (b"nom;territoire\nA;=1+1\n", "une formule n&#x27;est pas acceptée"),
        ("région\n84\n".encode(), "Colonnes obligatoires absentes"),
        ("nom\nPôle A\nPôle A\n".encode(), "lignes 2, 3"),
    ],
    ids=["not-a-spreadsheet", "encoding", "formula", "missing-column", "duplicate"],
)
def test_hostile_files_are_refused_with_a_message_and_nothing_written(
    curator_client, content, message
):
    html = upload(curator_client, IMPORT, content).content.decode()
    assert message in html
    assert not Pole.objects.exists()


def test_a_file_over_the_size_limit_is_refused(curator_client, settings):
    settings.IMPORT_MAX_BYTES = 1024
    html = upload(curator_client, IMPORT, b"nom\n" + b"a" * 2048).content.decode()
    assert "la limite est de" in html
    assert not Pole.objects.exists()


def test_a_stranger_cannot_import(client, stranger):
    client.force_login(stranger)
    assert client.get(IMPORT).status_code == 302  # to the login page


@pytest.mark.parametrize("fmt", ["0", "1", "2", "3"])
def test_the_filtered_changelist_exports_in_each_format(curator_client, region, fmt):
    PoleFactory(name="Pôle Gardé", region=region, latitude=45.5, longitude=4.25)
    PoleFactory(name="Pôle Filtré")
    export = reverse("admin:poles_pole_export") + f"?region__id__exact={region.pk}"
    response = curator_client.post(export, {"format": fmt, "resource": "0"})
    assert response.status_code == 200
    dataset = read_table(response.content)
    names = [row["nom"] for row in dataset.dict]
    assert names == ["Pôle Gardé"]
    if fmt == "0":
        assert ";45,5;4,25;" in response.content.decode("utf-8-sig")


def test_the_selection_exports_through_the_resource_columns(curator_client):
    chosen, _other = PoleFactory(name="=Choisi"), PoleFactory(name="Autre")
    response = curator_client.post(
        CHANGELIST, {"action": "export_csv", "_selected_action": [chosen.pk]}
    )
    dataset = read_table(response.content)
    assert dataset.headers[:3] == ["nom", "identifiant", "statut"]
    assert "candidatures (ancienne région)" in dataset.headers
    assert response.content.decode("utf-8-sig").splitlines()[1].startswith('"\'=Choisi"')


@pytest.mark.parametrize(
    "model", ["poles_pole", "members_organisation", "members_membership", "calls_application"]
)
def test_each_import_has_a_template_and_a_help_page(curator_client, model, region):
    xlsx = curator_client.get(reverse(f"admin:{model}_import_template", args=["xlsx"]))
    book = tablib.Databook()
    book.load(io.BytesIO(xlsx.content).getvalue(), format="xlsx")
    data, allowed = book.sheets()
    assert len(data) == 1 and allowed.headers == ["colonne", "obligatoire", "valeurs permises"]
    csv = curator_client.get(reverse(f"admin:{model}_import_template", args=["csv"]))
    assert read_table(csv.content).headers == data.headers
    help_page = curator_client.get(reverse(f"admin:{model}_import_help")).content.decode()
    assert "Comment importer" in help_page and data.headers[0] in help_page
    page = curator_client.get(reverse(f"admin:{model}_import")).content.decode()
    assert reverse(f"admin:{model}_import_help") in page


def test_the_pole_template_lists_the_allowed_regions_and_statuses(curator_client, region):
    xlsx = curator_client.get(reverse("admin:poles_pole_import_template", args=["xlsx"]))
    book = tablib.Databook()
    book.load(xlsx.content, format="xlsx")
    allowed = {row[0]: row[2] for row in book.sheets()[1]}
    assert "Auvergne-Rhône-Alpes" in allowed["région"]
    assert "En projet" in allowed["statut"]


def test_importing_the_template_as_is_creates_its_example(curator_client, region):
    from tests.factories import SectorFactory

    SectorFactory(name="Agriculture", slug="agriculture")
    csv = curator_client.get(reverse("admin:poles_pole_import_template", args=["csv"])).content
    preview = upload(curator_client, IMPORT, csv)
    assert preview.context.get("confirm_form") is not None, (
        preview.context["result"].rows[0].messages
    )
    confirm(curator_client, preview)
    assert Pole.objects.get().name == "Pôle des Coteaux"


def test_organisations_import_in_the_admin(curator_client):
    OrganisationFactory(name="Scop du Bois", siren="732829320")
    data = b"nom;type;SIREN\nScop du Bois;Entreprise de l'ESS;732829320\n"
    html = upload(curator_client, reverse("admin:members_organisation_import"), data)
    assert "0 nouveau(x), 0 modifié(s), 1 inchangé(s)" in html.content.decode()


def test_the_selection_exports_in_a_chosen_format(curator_client):
    chosen, _other = PoleFactory(name="Choisi"), PoleFactory(name="Autre")
    page = curator_client.post(
        CHANGELIST, {"action": "export_admin_action", "_selected_action": [chosen.pk]}
    )
    assert page.status_code == 200 and "XLSX" in page.content.decode().upper()
    response = curator_client.post(
        reverse("admin:poles_pole_export"),
        {"format": "2", "resource": "0", "export_items": [chosen.pk]},
    )
    assert response["Content-Disposition"].endswith('.xlsx"')
    assert [row["nom"] for row in read_table(response.content).dict] == ["Choisi"]


def test_a_curator_who_may_only_view_cannot_import(client, db):
    from django.contrib.auth.models import Permission

    from tests.factories import UserFactory

    viewer = UserFactory(username="lecteur", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_pole"))
    client.force_login(viewer)
    assert client.get(IMPORT).status_code == 403
    assert client.get(reverse("admin:poles_pole_import_help")).status_code == 403
    template = reverse("admin:poles_pole_import_template", args=["csv"])
    assert client.get(template).status_code == 403
    assert upload(client, IMPORT, b"nom\nPole\n").status_code == 403
    assert not Pole.objects.exists()


def test_a_confirmation_posted_twice_says_so_and_imports_once(curator_client, region):
    """A double click on « Confirmer l'import », or the page reloaded: the file was gone."""
    preview = upload(curator_client, IMPORT, "nom;région\nPôle Nouveau;84\n".encode())
    assert confirm(curator_client, preview)["Location"] == CHANGELIST
    again = confirm(curator_client, preview)
    assert again.status_code == 302 and again["Location"] == IMPORT
    page = curator_client.get(IMPORT).content.decode()
    assert "Cet import n&#x27;est plus en attente : il a déjà été confirmé" in page
    assert Pole.objects.filter(name="Pôle Nouveau").count() == 1


@pytest.mark.parametrize(
    ("field", "value"),
    [("format", "7"), ("format", "x"), ("resource", "9"), ("import_file_name", "")],
)
def test_a_forged_confirmation_is_refused_and_imports_nothing(
    curator_client, region, field, value, tmp_path
):
    preview = upload(curator_client, IMPORT, "nom;région\nPôle Nouveau;84\n".encode())
    form = preview.context["confirm_form"]
    # Any other file of the temporary folder: the library read, imported and deleted it.
    other = tempfile.NamedTemporaryFile(delete=False, suffix=".csv")  # noqa: SIM115
    other.write("nom;région\nPôle Caché;84\n".encode())
    other.close()
    value = value or other.name
    try:
        response = curator_client.post(PROCESS, {**form.initial, field: value})
        assert response.status_code == 302 and response["Location"] == IMPORT
        assert not Pole.objects.exists() and os.path.exists(other.name)
    finally:
        os.remove(other.name)


def test_a_file_is_confirmed_only_by_the_session_that_previewed_it(curator_client, region):
    preview = upload(curator_client, IMPORT, "nom;région\nPôle Nouveau;84\n".encode())
    other = Client()
    other.force_login(CuratorFactory(username="other"))
    assert other.post(PROCESS, preview.context["confirm_form"].initial)["Location"] == IMPORT
    assert not Pole.objects.exists()
    # Nor on another list's page, where it was never previewed.
    elsewhere = reverse("admin:members_organisation_process_import")
    response = curator_client.post(elsewhere, preview.context["confirm_form"].initial)
    assert response["Location"] == reverse("admin:members_organisation_import")
    assert confirm(curator_client, preview)["Location"] == CHANGELIST  # still the previewer's


def test_a_refused_preview_leaves_no_file_behind(curator_client, region, tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    upload(curator_client, IMPORT, b"nom;territoire\nA;=1+1\n")
    assert not os.listdir(tmp_path)
    upload(curator_client, IMPORT, b"nom;territoire\nA;B\n")
    assert len(os.listdir(tmp_path)) == 1  # awaiting its confirmation
