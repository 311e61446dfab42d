"""« Pôle témoin »: yes or no where a source or a person says it, and not known elsewhere (the
truth rule). The announcement of the 2013 call marks its 8 witness poles among its 23
laureates, so the seed says yes or no of those 23; of the 2011 call's examples, as of any pole
nobody described, it says nothing: no « non » in the API, the CSV, the page or the filter."""

import csv
import io
import json
import re
from html import unescape

import pytest
from django.test import Client
from django.urls import reverse

from poles.models import Pole
from poles.registry.resources import PoleResource
from ptce_site.import_templates import describe_columns
from ptce_site.imports import read_table
from ptce_site.resources import all_errors, summary
from tests.factories import PoleFactory
from tests.poles.test_admin import pole_form_data
from tests.poles.test_facets import check_counts_follow_links, options

pytestmark = pytest.mark.django_db

DIRECTORY = reverse("poles:pole-list")
WITNESS, NOT_WITNESS, NOT_KNOWN = "ardaynes", "cis-dt-52", "sicoval"
# The 2011 call's examples that were not laureates in 2013 (Pôle Sud Archer was: ★).
EXAMPLES_OF_2011 = {
    "entreprendre-en-cooperant", "pole-d-economie-solidaire-sud-essonne",
    "pole-de-cooperation-economique-sociale-et-environnemental-de-seignanx",
    "prides-services-a-la-personne", "initiatives-et-cite", "sicoval", "lieu-mutualise-ecossolies",
}
LINE = "Pôle témoin de la démarche nationale :"


def page_text(slug: str) -> str:
    """The pole's public page as a visitor reads it (tags out, spaces collapsed)."""
    response = Client().get(reverse("poles:pole-detail", args=[slug]))
    assert response.status_code == 200
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


def csv_cells(response, column: str) -> dict[str, str]:
    """The directory CSV's ``column`` by the pole's name."""
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    return {row["nom"]: row[column] for row in rows}


# -- the seed's poles, as every reader of the registry sees them ---------------------------------


def test_the_seed_says_yes_or_no_of_the_2013_laureates_and_nothing_of_the_others(seeded):
    witness = dict(Pole.objects.values_list("slug", "is_witness"))
    assert sorted(map(str, witness.values())).count("True") == 8
    assert {slug for slug, value in witness.items() if value is None} == EXAMPLES_OF_2011
    assert list(witness.values()).count(False) == 15

    api = Client().get(reverse("api-v1:pole-list"), {"page_size": 100}).json()["results"]
    said = {pole["slug"]: pole["witness"] for pole in api}
    assert (said[WITNESS], said[NOT_WITNESS], said[NOT_KNOWN]) == (True, False, None)
    assert {slug for slug, value in said.items() if value is None} == EXAMPLES_OF_2011

    names = dict(Pole.objects.values_list("slug", "name"))
    cells = csv_cells(Client().get(reverse("poles:pole-export-csv")), "pôle témoin")
    assert [cells[names[slug]] for slug in (WITNESS, NOT_WITNESS, NOT_KNOWN)] == ["oui", "non", ""]
    assert sorted(cells.values()).count("") == 7


def test_the_pole_page_says_yes_no_or_not_known_and_who_says_it(seeded):
    text = page_text(NOT_KNOWN)
    assert f"{LINE} Non renseigné" in text
    assert f"{LINE} Non " not in text.replace(f"{LINE} Non renseigné", "")
    assert "badge-witness" not in Client().get(f"/poles/{NOT_KNOWN}/").content.decode()
    # « Non » and « Oui » come from the announcement of the laureates.
    announcement = r" — source : .{0,200}annonce des 23 lauréats"
    assert re.search(f"{LINE} Non{announcement}", page_text(NOT_WITNESS))
    assert re.search(f"{LINE} Oui{announcement}", page_text(WITNESS))
    english = Client().get(f"/poles/{NOT_KNOWN}/", {"lang": "en"}).content.decode()
    assert "Witness cluster of the national approach: Not given" in unescape(english)


def test_the_open_data_say_null_where_it_is_not_known(client):
    for witness in (True, False, None):
        PoleFactory(name=f"Pôle {witness}", is_witness=witness, latitude=45.0, longitude=4.0)
    features = client.get(reverse("poles:api-poles")).json()["features"]
    said = {feature["properties"]["name"]: feature["properties"]["witness"] for feature in features}
    assert said == {"Pôle True": True, "Pôle False": False, "Pôle None": None}
    listed = client.get(reverse("poles:api-poles-list")).json()["poles"]
    assert {pole["name"]: pole["witness"] for pole in listed} == said


def test_the_csvs_table_schema_reads_an_empty_cell_as_missing(client, tmp_path):
    frictionless = pytest.importorskip("frictionless")
    from frictionless.formats import CsvControl

    for witness in (True, False, None):
        PoleFactory(name=f"Pôle {witness}", is_witness=witness)
    path = tmp_path / "poles.csv"
    path.write_bytes(client.get(reverse("poles:pole-export-csv")).content)
    schema = client.get(reverse("poles:pole-table-schema")).json()
    resource = frictionless.Resource(
        path=str(path), encoding="utf-8-sig", schema=frictionless.Schema.from_descriptor(schema),
        dialect=frictionless.Dialect(controls=[CsvControl(delimiter=";")]),
    )
    rows = {row["nom"]: row["pôle témoin"] for row in resource.read_rows()}
    assert rows == {"Pôle True": True, "Pôle False": False, "Pôle None": None}


# -- the directory's filter --------------------------------------------------------------------


def test_the_filter_offers_yes_no_and_not_known_with_the_counts_of_their_links(client, seeded):
    choices = {value: text for value, text, *_ in options(client.get(DIRECTORY))["witness"]}
    assert choices == {"": "Témoins ou non", "true": "Oui (8)", "false": "Non (15)",
                       "unknown": "Non renseigné (7)"}
    found = {
        value: {pole.slug for pole in client.get(DIRECTORY, {"witness": value}).context["page_obj"]}
        for value in ("false", "unknown")
    }
    assert found["unknown"] == EXAMPLES_OF_2011
    assert NOT_WITNESS in found["false"] and len(found["false"]) == 15
    assert check_counts_follow_links(client, {"witness": "unknown"}) > 10
    english = {text for _v, text, *_ in options(client.get(DIRECTORY, {"lang": "en"}))["witness"]}
    assert {"Yes (8)", "No (15)", "Not given (7)"} <= english


def test_shared_links_keep_their_meaning_and_a_bad_value_is_ignored_with_a_notice(client, seeded):
    # ?witness=false: the poles recorded as not witness poles, no longer every other one.
    assert client.get(DIRECTORY, {"witness": "false"}).context["page_obj"].paginator.count == 15
    chosen = client.get(DIRECTORY, {"witness": "unknown"})
    assert "Pôle témoin\xa0: Non renseigné" in unescape(chosen.content.decode())
    response = client.get(DIRECTORY, {"witness": "peut-être"})
    assert "ont été ignorés" in response.content.decode()
    assert response.context["page_obj"].paginator.count == 30
    facets = client.get(reverse("poles:api-poles"), {"facets": "1"}).json()["facets"]
    assert facets["witness"] == {"true": 8, "false": 15, "unknown": 7}
    api = client.get(reverse("api-v1:pole-list"), {"witness": "unknown"}).json()
    assert {pole["slug"] for pole in api["results"]} == EXAMPLES_OF_2011


# -- what people enter: the admin and imports ---------------------------------------------------


def test_the_admin_offers_three_states_and_filters_the_unknown(curator_client):
    unknown = PoleFactory(name="Pôle inconnu")
    PoleFactory(name="Pôle non", is_witness=False)
    changelist = reverse("admin:poles_pole_changelist")
    page = unescape(curator_client.get(changelist).content.decode())
    assert "?is_witness__isnull=True" in page and "Non renseigné" in page
    listed = curator_client.get(changelist, {"is_witness__isnull": "True"})
    assert [pole.name for pole in listed.context["cl"].result_list] == ["Pôle inconnu"]
    form = curator_client.get(reverse("admin:poles_pole_change", args=[unknown.pk]))
    select = re.search(r'<select name="is_witness".*?</select>', form.content.decode(), re.S)
    assert re.findall(r'<option value="(\w*)"( selected)?>(.*?)</option>', select[0]) == [
        ("", " selected", "Non renseigné"), ("True", "", "Oui"), ("False", "", "Non"),
    ]


def test_a_no_entered_by_the_team_says_so_on_the_page(curator_client):
    pole = PoleFactory(is_published=True)
    data = pole_form_data(pole, is_witness="False")
    response = curator_client.post(reverse("admin:poles_pole_change", args=[pole.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    pole.refresh_from_db()
    assert pole.is_witness is False
    assert re.search(f"{LINE} Non — renseigné par l'équipe du registre, le ", page_text(pole.slug))
    # Back to « Non renseigné »: the page says so, and no origin.
    data = pole_form_data(pole, is_witness="")
    curator_client.post(reverse("admin:poles_pole_change", args=[pole.pk]), data)
    pole.refresh_from_db()
    assert pole.is_witness is None
    text = page_text(pole.slug)
    assert f"{LINE} Non renseigné" in text and "renseigné par l'équipe" not in text


def test_an_imports_empty_cell_is_not_known(reference):
    PoleFactory(name="Pôle Ancien", slug="pole-ancien", is_witness=True)
    data = (
        "nom;identifiant;pôle témoin\n"
        "Pôle Muet;;\n"
        "Pôle Non;;non\n"
        "Pôle Oui;;oui\n"
        "Pôle Ancien;pole-ancien;\n"
    ).encode()
    result = PoleResource().import_data(read_table(data), dry_run=False, file_name="f.csv")
    assert all_errors(result) == []
    assert dict(Pole.objects.values_list("name", "is_witness")) == {
        "Pôle Muet": None, "Pôle Non": False, "Pôle Oui": True, "Pôle Ancien": None,
    }
    # Exported as an empty cell, which reads back as not known: the file round-trips.
    exported = PoleResource().export(queryset=Pole.objects.all())
    assert {row["nom"]: row["pôle témoin"] for row in exported.dict}["Pôle Muet"] == ""
    again = PoleResource().import_data(exported, dry_run=False, file_name="f.csv")
    assert summary(again)["unchanged"] == 4


def test_a_cell_saying_not_known_is_not_known_and_a_doubtful_one_is_not_turned_into_no(
    reference,
):
    """« Non renseigné » is the admin's and the page's word for the third state: a curator who
    copies it is understood. A cell that says some other doubt (« n/a », « ? ») is refused
    with a message that offers the empty cell, not only « oui » or « non » (which would make
    a careless user write the « non » that nobody stated)."""
    data = "nom;pôle témoin\nPôle Muet;Non renseigné\nPôle Ouvert;NON RENSEIGNE\n".encode()
    result = PoleResource().import_data(read_table(data), dry_run=False, file_name="f.csv")
    assert all_errors(result) == []
    assert set(Pole.objects.values_list("is_witness", flat=True)) == {None}

    data = "nom;pôle témoin\nPôle Douteux;n/a\nPôle Incertain;?\n".encode()
    result = PoleResource().import_data(read_table(data), dry_run=True, file_name="f.csv")
    errors = all_errors(result)
    assert len(errors) == 2 and all("laissez la case vide" in error for error in errors)


def test_the_import_template_leaves_the_example_blank_and_says_what_blank_means():
    columns = {column["name"]: column for column in describe_columns(PoleResource())}
    assert columns["pôle témoin"]["example"] == ""
    assert "Vide" in columns["pôle témoin"]["help"]
    # The XLSX template's sheet of allowed values shows these (and not the help).
    allowed = json.dumps(columns["pôle témoin"]["allowed"], ensure_ascii=False)
    assert allowed == '["oui", "non", "vide ou « non renseigné »"]'
