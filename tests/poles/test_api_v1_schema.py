"""The JSON API's schema and documentation, and what it answers that is not a list of rows."""

import csv
import html
import io
import json
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.urls import clear_script_prefix, reverse, set_script_prefix

from poles.registry.api_v1.docs import openapi_schema
from tests.cross_origin import FROM_A_PARTNER
from tests.factories import (
    CharterSignatureFactory,
    EventFactory,
    MembershipFactory,
    OrganisationFactory,
    PoleFactory,
)
from tests.poles.test_api_v1 import POLES

pytestmark = pytest.mark.django_db


def test_schema_and_its_documentation_page(client, db):
    schema = client.get(reverse("api-v1:schema")).json()
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/poles/" in schema["paths"]
    names = {p["name"] for p in schema["paths"]["/api/v1/poles/"]["get"]["parameters"]}
    assert {"q", "region", "call", "outcome", "page", "page_size"} <= names
    yaml = client.get(reverse("api-v1:schema"), HTTP_ACCEPT="application/yaml")
    assert yaml.content.startswith(b"openapi: 3.")
    page = client.get(reverse("api-v1:docs"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "/api/v1/poles/{slug}/" in html and "laureate_of" in html
    assert "<script" not in html.split("</header>")[1]


def test_the_schema_says_what_the_dates_and_the_unknowns_mean(client, db):
    """A partner read « charter_signed_on: null » as "did not sign", and could not tell
    content_changed_at from updated_at (no description): the documents name no signatory.
    « witness » is null where no source nor person says whether the pole is one."""
    fields = client.get(reverse("api-v1:schema"), {"lang": "en"}).json()["components"][
        "schemas"
    ]["Pole"]["properties"]
    assert "null where that is not known" in fields["witness"]["description"]
    assert fields["witness"]["nullable"] is True
    assert "not that it did not sign" in fields["charter_signed_on"]["description"]
    assert "a person" in fields["content_changed_at"]["description"]
    assert "not that of the facts" in fields["updated_at"]["description"]
    assert "only that of its commune" in fields["latitude"]["description"]
    schemas = client.get(reverse("api-v1:schema"), {"lang": "en"}).json()["components"][
        "schemas"
    ]
    for name in ("Organisation", "Call", "Event", "Charter"):
        assert "not that of the facts" in schemas[name]["properties"]["updated_at"]["description"]
    # The CSV's Table Schema, in both languages.
    for lang, witness, charter, updated in [
        ("fr", "pôle témoin", "signature de la charte", "mis à jour le"),
        ("en", "witness cluster", "charter signature", "updated on"),
    ]:
        columns = {
            field["name"]: field.get("description", "")
            for field in client.get(reverse("poles:pole-table-schema"), {"lang": lang}).json()[
                "fields"
            ]
        }
        empty = "vide quand on ne le sait pas" if lang == "fr" else "empty where it is not known"
        assert empty in columns[witness]
        assert ("aucun signataire" if lang == "fr" else "no signatory") in columns[charter]
        assert ("une personne" if lang == "fr" else "a person") in columns[updated]


@pytest.mark.parametrize("first", ["fr", "en"])
def test_schema_and_documentation_describe_the_filters_in_the_requests_language(
    client, db, first
):
    """The filters' labels are read in each request's language, whichever came first (they
    were frozen in the language of the module's import: « Région — slug » in English)."""
    expected = {"fr": ("Région — slug", "Nom ou SIREN"), "en": ("Region — slug", "Name or SIREN")}
    for lang in (first, "en" if first == "fr" else "fr"):
        schema = client.get(reverse("api-v1:schema"), {"lang": lang}).json()
        described, organisations = (
            {p["name"]: p["description"] for p in schema["paths"][path]["get"]["parameters"]}
            for path in ("/api/v1/poles/", "/api/v1/organisations/")
        )
        region, search = expected[lang]
        assert described["region"] == region
        assert organisations["q"].startswith(search)
        page = client.get(reverse("api-v1:docs"), {"lang": lang}).content.decode()
        other_region = expected["en" if lang == "fr" else "fr"][0]
        assert region in page and other_region not in page


def texts(schema: dict) -> set[str]:
    """Every summary and description the schema says (operations, parameters, fields)."""
    found = set()

    def walk(value):
        if isinstance(value, dict):
            for key, inner in value.items():
                if key in {"summary", "description"} and isinstance(inner, str) and inner:
                    found.add(inner.strip())
                else:
                    walk(inner)
        elif isinstance(value, list):
            for inner in value:
                walk(inner)

    walk(schema)
    return found


SAID = {  # what the schema and the documentation page say, in each language
    "fr": {
        "summary": "Pôles publiés",
        "witness": "Si le pôle est un pôle témoin de la démarche nationale",
        "updated_at": "une date technique, pas celle des faits",
        "page": "Un numéro de page dans les résultats paginés.",
        "page_size": "Le nombre de résultats par page (20 par défaut, jusqu'à 100).",
        "root": "Le point d'entrée de l'API",
        "volunteers": "Bénévoles",  # the field's title (its name says it in English)
    },
    "en": {
        "summary": "Published clusters",
        "witness": "Whether the cluster is a witness cluster (pôle témoin)",
        "updated_at": "a technical date, not that of the facts",
        "page": "A page number within the paginated results.",
        "page_size": "The number of results per page (20 by default, up to 100).",
        "root": "The API's entry point",
        "volunteers": None,
    },
}


@pytest.mark.parametrize("first", ["fr", "en"])
def test_the_schema_and_its_documentation_speak_the_requests_language(client, db, first):
    """The summaries, the fields' descriptions and the pagination's parameters were English
    only, even on the French page: each language's schema is built and kept apart, whichever
    is asked first."""
    openapi_schema.cache_clear()  # the process keeps one schema per language: built here
    for lang in (first, "en" if first == "fr" else "fr"):
        said = SAID[lang]
        schema = client.get(reverse("api-v1:schema"), {"lang": lang}).json()
        poles = schema["paths"]["/api/v1/poles/"]["get"]
        assert poles["summary"] == said["summary"]
        described = {p["name"]: p["description"] for p in poles["parameters"]}
        assert described["page"] == said["page"]
        assert described["page_size"] == said["page_size"]
        assert schema["paths"]["/api/v1/"]["get"]["summary"] == said["root"]
        fields = schema["components"]["schemas"]["Pole"]["properties"]
        assert fields["witness"]["description"].startswith(said["witness"])
        assert said["updated_at"] in fields["updated_at"]["description"]
        year = schema["components"]["schemas"]["Year"]["properties"]  # a pole's indicators
        assert year["volunteers"].get("title") == said["volunteers"]
        page = html.unescape(client.get(reverse("api-v1:docs"), {"lang": lang}).content.decode())
        assert f"— {said['summary']}</li>" in page and f"<p>{said['summary']}. " in page
        assert said["witness"] in page and said["page_size"] in page
        other = SAID["en" if lang == "fr" else "fr"]
        assert other["summary"] not in page and other["witness"] not in page


def test_a_process_whose_first_schema_is_english_gives_the_whole_french_schema():
    """A serializer instance made at import kept its fields as built for the first schema of
    the process: after an English one, the French schema lost the titles of a pole's yearly
    figures (« Bénévoles »). A fresh process, as a worker whose first request is ``?lang=en``."""
    code = """
import json, django; django.setup()
from django.utils import translation
from poles.registry.api_v1.docs import openapi_schema
for lang in ("en", "fr"):
    with translation.override(lang):
        schema = openapi_schema(lang)
print(json.dumps(schema["components"]["schemas"]["Year"]["properties"]["volunteers"]))
"""
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=settings.BASE_DIR, capture_output=True, text=True,
        timeout=120, env={**os.environ, "DJANGO_SETTINGS_MODULE": "ptce_site.settings"},
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]).get("title") == "Bénévoles"


def test_no_english_sentence_of_the_schema_shows_on_the_french_documentation(client, db):
    french_schema = texts(client.get(reverse("api-v1:schema")).json())
    english_schema = texts(client.get(reverse("api-v1:schema"), {"lang": "en"}).json())
    # Sentences: a one-word label may be an object's name too (« Objective »).
    english_only = {text for text in english_schema - french_schema if " " in text}
    assert len(english_only) > 50  # the summaries, descriptions and help texts: translated
    page = html.unescape(client.get(reverse("api-v1:docs")).content.decode())
    assert not [text for text in english_only if text in page]
    main = page.split("<main")[1].split("</main>")[0]
    assert 'lang="en"' not in main  # no longer English to mark (WCAG 3.1.2)
    assert "A page number within the paginated result set." not in page  # DRF's own wording


def test_csv_export_is_valid_against_its_table_schema(client, seeded, tmp_path):
    frictionless = pytest.importorskip("frictionless")
    from frictionless.formats import CsvControl

    PoleFactory(name="=Pôle piégé", founded_year=2012, charter_signed_on="2015-01-02",
                latitude=45.1, longitude=4.2, website="https://example.org/")
    for lang in ("fr", "en"):
        schema = client.get(reverse("poles:pole-table-schema"), {"lang": lang}).json()
        content = client.get(reverse("poles:pole-export-csv"), {"lang": lang}).content
        path = tmp_path / f"poles-{lang}.csv"
        path.write_bytes(content)
        semicolons = frictionless.Dialect(controls=[CsvControl(delimiter=";")])
        resource = frictionless.Resource(
            path=path.name, basepath=str(tmp_path), encoding="utf-8-sig", dialect=semicolons,
            schema=frictionless.Schema.from_descriptor(schema),
        )
        report = resource.validate()
        assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:5]
        header = next(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))
        assert header == [field["name"] for field in schema["fields"]]
        # Each row's key: the pole's address, unique, in the file's language.
        assert schema["primaryKey"] == [{"fr": "adresse", "en": "address"}[lang]]


def test_each_statistics_csv_is_valid_against_its_schema_in_the_datapackage(
    client, seeded, tmp_path
):
    frictionless = pytest.importorskip("frictionless")
    from frictionless.formats import CsvControl

    from poles.models import YearlyIndicators

    pole = PoleFactory(is_published=True, name="=Pôle; piégé")  # its members unknown: empty
    for year, share in ((2022, 100), (2023, 37.5)):
        YearlyIndicators.objects.create(
            pole=pole, year=year, status="checked", jobs_fte=12.5, public_funding_share=share
        )
    package = client.get(reverse("poles:datapackage")).json()
    statistics = [r for r in package["resources"] if r["name"].startswith("statistiques-")]
    assert len(statistics) == 10
    assert {"statistiques-indicateurs-annuels", "statistiques-indicateurs-par-region"} <= {
        r["name"] for r in statistics
    }
    semicolons = frictionless.Dialect(controls=[CsvControl(delimiter=";")])
    for resource in statistics:
        content = client.get(resource["path"].removeprefix("http://testserver")).content
        path = tmp_path / f"{resource['name']}.csv"
        path.write_bytes(content)
        checked = frictionless.Resource(
            path=path.name, basepath=str(tmp_path), encoding="utf-8-sig", dialect=semicolons,
            schema=frictionless.Schema.from_descriptor(resource["schema"]),
        )
        report = checked.validate()
        assert report.valid, (resource["name"], report.flatten(["rowNumber", "note"])[:5])


def test_datapackage_lists_the_files_with_their_licences(client, db):
    frictionless = pytest.importorskip("frictionless")
    package = client.get(reverse("poles:datapackage")).json()
    names = {resource["name"] for resource in package["resources"]}
    assert {"poles-csv", "poles-geojson", "regions-geojson", "api-v1"} <= names
    assert all(r["licenses"][0]["name"] == "etalab-2.0" for r in package["resources"])
    assert [error.note for error in frictionless.Package.metadata_validate(package)] == []


def test_feeds_of_poles_calls_and_a_region(client, seeded):
    response = client.get(reverse("poles:pole-feed"))
    assert response["Content-Type"].startswith("application/atom+xml")
    assert b"<entry>" in response.content and b"http://testserver/poles/" in response.content
    english = client.get(reverse("poles:pole-feed"), {"lang": "en"}).content
    assert b"new and updated" in english.lower()
    assert client.get(reverse("calls:call-feed")).status_code == 200
    region = client.get(reverse("poles:region-feed", args=["grand-est"]))
    assert region.status_code == 200 and b"Grand Est" in region.content
    assert client.get(reverse("poles:region-feed", args=["atlantide"])).status_code == 404
    home = client.get("/").content.decode()
    assert 'type="application/atom+xml"' in home
    english_region = client.get("/regions/grand-est/", {"lang": "en"}).content.decode()
    assert 'href="/regions/grand-est/flux.atom?lang=en"' in english_region


@pytest.mark.parametrize(
    "path", ["/api/v1/inconnu/", "/api/v1/poles/a%20b/", "/api/v1/poles/pole/membres/"]
)
def test_an_address_no_endpoint_answers_is_the_apis_json_404(client, db, path):
    """Under /api/v1/, a program gets the API's JSON 404, not the site's HTML page."""
    response = client.get(path, {"lang": "en"}, **FROM_A_PARTNER)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response.json()["detail"] == "Nothing public at this address of the API."
    assert response.json()["messages"]["fr"] == "Rien de public à cette adresse de l'API."
    assert "<html" in client.get("/inconnu/").content.decode()  # the site's pages keep theirs


def test_the_apis_json_404_under_a_url_prefix(client, db):
    """Served under a prefix (SCRIPT_NAME=/registre), the API's addresses are still its own."""
    set_script_prefix("/registre/")  # what the handler does for SCRIPT_NAME=/registre
    try:
        response = client.get("/api/v1/inconnu/", SCRIPT_NAME="/registre")
        site_page = client.get("/inconnu/", SCRIPT_NAME="/registre")
    finally:
        clear_script_prefix()
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert "<html" in site_page.content.decode()


def test_an_accept_header_the_api_cannot_answer_is_a_406_in_the_sites_languages(client, db):
    for url in (POLES, reverse("api-v1:schema")):
        response = client.get(url, HTTP_ACCEPT="text/html")
        assert response.status_code == 406
        assert response.json()["detail"].startswith("L'API ne répond pas dans les formats")
        assert response.json()["messages"]["en"].startswith("The API cannot answer in")
    assert client.get(POLES, HTTP_ACCEPT="text/html,*/*;q=0.8").status_code == 200


def test_the_organisations_the_charter_and_events_name_have_their_api_page(client, db):
    """A network that only signed the charter (Ufisc, in 2014) or only organised an event:
    the API linked to it and answered 404. One only in an unpublished pole stays hidden."""
    signatory, organiser, hidden = (OrganisationFactory() for _ in range(3))
    CharterSignatureFactory(pole=None, organisation=signatory)
    EventFactory().organisers.add(organiser)
    MembershipFactory(organisation=hidden, pole=PoleFactory(is_published=False))
    charter = client.get(reverse("api-v1:charter")).json()
    events = client.get(reverse("api-v1:event-list")).json()["results"]
    links = [item["organisation"]["url"] for item in charter["organisations"]]
    links += [named["url"] for event in events for named in event["organisers"]]
    assert len(links) == 2
    for link in links:
        assert client.get(link.removeprefix("http://testserver")).status_code == 200
    listed = {o["slug"] for o in client.get(reverse("api-v1:organisation-list")).json()["results"]}
    assert listed == {signatory.slug, organiser.slug}
    hidden_url = reverse("api-v1:organisation-detail", args=[hidden.slug])
    assert client.get(hidden_url).status_code == 404


def test_the_apis_errors_speak_the_sites_languages(client, db):
    """DRF's own English texts (« Not found. », « Invalid page. », « Method not allowed »)
    are replaced by the site's, in the request's language with both beside."""
    PoleFactory(name="Pôle Seul")
    missing = client.get(reverse("api-v1:pole-detail", args=["inconnu"]))
    assert missing.status_code == 404
    assert missing.json()["detail"] == "Rien de public à cette adresse de l'API."
    assert missing.json()["messages"]["en"] == "Nothing public at this address of the API."
    english = client.get(reverse("api-v1:pole-detail", args=["inconnu"]), {"lang": "en"})
    assert english.json()["detail"] == "Nothing public at this address of the API."
    beyond = client.get(reverse("api-v1:pole-list"), {"page": 99})
    assert beyond.status_code == 404
    assert beyond.json()["detail"] == "Cette page de résultats n'existe pas."
    posted = client.post(reverse("api-v1:pole-list"), {})
    assert posted.status_code == 405
    assert "POST" in posted.json()["detail"] and "se lit seulement" in posted.json()["detail"]
