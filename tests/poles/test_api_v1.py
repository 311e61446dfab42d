"""The JSON API /api/v1/, its schema and documentation, its throttle, the Table Schema and
data package of the open data, and the Atom feeds."""

import csv
import gzip
import io
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import clear_script_prefix, reverse, set_script_prefix

from tests.factories import (
    ApplicationFactory,
    CallFactory,
    CharterSignatureFactory,
    EventFactory,
    FormerRegionFactory,
    MembershipFactory,
    MilestoneFactory,
    OrganisationFactory,
    PoleFactory,
    RegionFactory,
    SectorFactory,
)

pytestmark = pytest.mark.django_db

POLES = reverse("api-v1:pole-list")


def all_pages(client, url, params=None):
    """Every object of a paginated list, following ``next`` (absolute, on SITE_URL)."""
    results, response = [], client.get(url, params or {})
    while True:
        assert response.status_code == 200, response.content
        data = response.json()
        results += data["results"]
        if not data["next"]:
            return results, data["count"]
        assert data["next"].startswith("http://testserver/")
        response = client.get(data["next"].removeprefix("http://testserver"))


def directory(client, query: str) -> list[str]:
    slugs, page = [], 1
    while True:
        response = client.get(f"/poles/?{query}&page={page}")
        slugs += [pole.slug for pole in response.context["page_obj"].object_list]
        if not response.context["page_obj"].has_next():
            return slugs
        page += 1


@pytest.mark.parametrize(
    "query",
    ["", "witness=true", "q=solidaire", "call=appel-a-projets-2013&outcome=laureate",
     "region=grand-est&sort=-updated", "q=cooperasion"],
)
def test_api_poles_are_the_directorys_for_the_same_query(client, seeded, query):
    params = dict(pair.split("=") for pair in query.split("&") if pair)
    poles, count = all_pages(client, POLES, {**params, "page_size": 7})
    assert [pole["slug"] for pole in poles] == directory(client, query)
    assert count == len(poles)


def test_a_bad_filter_value_is_a_400_with_the_reason(client, seeded):
    response = client.get(POLES, {"region": "atlantide"})
    assert response.status_code == 400
    assert "region" in response.json()


def test_memberships_filtered_by_pole_and_current(client, db):
    membership = MembershipFactory()
    MembershipFactory(pole=membership.pole, left_on="2020-01-01")
    MembershipFactory()
    url = reverse("api-v1:membership-list")
    assert client.get(url, {"pole": membership.pole.slug}).json()["count"] == 2
    current = client.get(url, {"pole": membership.pole.slug, "current": "true"}).json()
    assert [m["id"] for m in current["results"]] == [membership.pk]
    assert client.get(url, {"current": "maybe"}).status_code == 400


def test_unpublished_poles_and_what_hangs_on_them_are_404(client, db):
    membership = MembershipFactory(pole__is_published=False)
    pole, organisation = membership.pole, membership.organisation
    assert client.get(reverse("api-v1:pole-detail", args=[pole.slug])).status_code == 404
    assert client.get(reverse("api-v1:membership-detail", args=[membership.pk])).status_code == 404
    url = reverse("api-v1:organisation-detail", args=[organisation.slug])
    assert client.get(url).status_code == 404
    assert client.get(POLES).json()["count"] == 0
    assert client.get(reverse("api-v1:membership-list")).json()["count"] == 0


def test_pole_detail_in_english_field_names_and_iso_dates(client, db):
    membership = MembershipFactory(joined_on="2015-03-01")
    data = client.get(reverse("api-v1:pole-detail", args=[membership.pole.slug])).json()
    assert data["status"] == "operational"
    assert data["memberships"][0]["joined_on"] == "2015-03-01"
    assert data["memberships"][0]["organisation"]["slug"] == membership.organisation.slug
    assert data["updated_at"].startswith("20") and "T" in data["updated_at"]
    assert data["html_url"] == f"http://testserver/poles/{membership.pole.slug}/"


def test_etag_304_gzip_and_cors(client, seeded):
    first = client.get(POLES, HTTP_ACCEPT_ENCODING="gzip")
    assert first["Content-Encoding"] == "gzip"
    assert first["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in first
    assert json.loads(gzip.decompress(first.content))["count"] > 20
    again = client.get(POLES, HTTP_ACCEPT_ENCODING="gzip", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    plain = client.get(POLES, HTTP_IF_NONE_MATCH=first["ETag"])
    assert plain.status_code == 304
    other = client.get(POLES, {"witness": "true"}, HTTP_IF_NONE_MATCH=first["ETag"])
    assert other.status_code == 200


LISTS = ("pole", "organisation", "membership", "call", "region", "former-region", "sector")


def list_queries(client) -> dict[str, int]:
    counts = {}
    for name in LISTS:
        url = reverse(f"api-v1:{name}-list")
        client.get(url, {"page_size": 100})  # the directory's sets are read once per change
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url, {"page_size": 100}).status_code == 200
        counts[name] = len(queries)
    return counts


def test_every_list_in_constant_queries(client, seeded):
    before = list_queries(client)
    call = CallFactory()
    for _ in range(4):
        membership = MembershipFactory(pole__sectors=[SectorFactory()])
        ApplicationFactory(pole=membership.pole, call=call)
        MilestoneFactory(call=call)
    assert list_queries(client) == before
    assert max(before.values()) <= 6


def test_a_calls_and_a_poles_details_in_constant_queries(client, db):
    """Each application's former region links to its page through its current region: read
    with it, not once per application."""
    call, pole = CallFactory(), PoleFactory()

    def apply_twice():
        former = FormerRegionFactory(region=RegionFactory())
        ApplicationFactory(call=call, former_region=former)
        ApplicationFactory(pole=pole, former_region=former)

    def queries() -> list[int]:
        counts = []
        for url in (reverse("api-v1:call-detail", args=[call.slug]),
                    reverse("api-v1:pole-detail", args=[pole.slug])):
            with CaptureQueriesContext(connection) as captured:
                assert client.get(url).status_code == 200
            counts.append(len(captured))
        return counts

    apply_twice()
    before = queries()
    for _ in range(3):
        apply_twice()
    assert queries() == before


def test_throttle_answers_429_with_retry_after_in_both_languages(client, db, settings):
    settings.API_THROTTLE_RATE = "3/min"
    for _ in range(3):
        assert client.get(reverse("api-v1:sector-list")).status_code == 200
    refused = client.get(reverse("api-v1:sector-list"), REMOTE_ADDR="127.0.0.1")
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    body = refused.json()
    assert "Trop de requêtes" in body["messages"]["fr"]
    assert "Too many requests" in body["messages"]["en"]
    # Another client address is counted on its own.
    assert client.get(reverse("api-v1:sector-list"), REMOTE_ADDR="10.0.0.9").status_code == 200


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
    """A partner read « witness: false » and « charter_signed_on: null » as "not a witness",
    "did not sign", and could not tell content_changed_at from updated_at (no description):
    the documents name no signatory and do not say which 2011 examples were witness poles."""
    fields = client.get(reverse("api-v1:schema")).json()["components"]["schemas"]["Pole"][
        "properties"
    ]
    assert "not a statement that it is not" in fields["witness"]["description"]
    assert "not that it did not sign" in fields["charter_signed_on"]["description"]
    assert "a person" in fields["content_changed_at"]["description"]
    assert "not that of the facts" in fields["updated_at"]["description"]
    assert "only that of its commune" in fields["latitude"]["description"]
    schemas = client.get(reverse("api-v1:schema")).json()["components"]["schemas"]
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
        assert ("sans affirmer" if lang == "fr" else "does not state") in columns[witness]
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
    response = client.get(path, {"lang": "en"})
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
