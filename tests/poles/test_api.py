"""The GeoJSON open data and the map page's accessible figures."""

import gzip
import json
import re
import time
from collections import Counter

import pytest
from django.urls import reverse
from django.utils.http import http_date

from poles.models import Region
from tests.cross_origin import FROM_A_PARTNER
from tests.factories import (
    ApplicationFactory,
    CallFactory,
    MembershipFactory,
    OrganisationFactory,
    PoleFactory,
    RegionFactory,
)

pytestmark = pytest.mark.django_db

REGIONS = reverse("poles:api-regions")
POLES = reverse("poles:api-poles")


def features(response) -> list[dict]:
    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json"
    data = json.loads(response.content)
    assert data["type"] == "FeatureCollection"
    return data["features"]


def counts(response, key="laureates") -> Counter:
    return Counter({f["properties"]["name"]: f["properties"][key] for f in features(response)
                    if f["properties"][key]})


def test_2013_laureates_by_former_region(client, seeded):
    response = client.get(REGIONS, {"level": "former", "call": "appel-a-projets-2013"})
    assert len(features(response)) == 27
    by_region = counts(response)
    assert by_region.pop("Île-de-France") == 4
    assert by_region.pop("Rhône-Alpes") == 3
    assert by_region.pop("Champagne-Ardenne") == 2
    assert by_region.pop("Midi-Pyrénées") == 2
    assert by_region.pop("Provence-Alpes-Côte d'Azur") == 2
    assert sorted(by_region.values()) == [1] * 10
    lorraine = next(f for f in features(response) if f["properties"]["name"] == "Lorraine")
    assert lorraine["properties"]["current_code"] == "44"


def test_2013_laureates_by_current_region(client, seeded):
    response = client.get(REGIONS, {"call": "appel-a-projets-2013"})
    assert len(features(response)) == 18
    assert counts(response) == {
        "Île-de-France": 4, "Auvergne-Rhône-Alpes": 4, "Grand Est": 3, "Occitanie": 2,
        "Provence-Alpes-Côte d'Azur": 2, "Bourgogne-Franche-Comté": 2, "Nouvelle-Aquitaine": 2,
        "Hauts-de-France": 2, "Centre-Val de Loire": 1, "Pays de la Loire": 1,
    }


def test_region_counts_honour_the_directory_filters(client, seeded):
    response = client.get(REGIONS, {"witness": "true"})
    assert sum(counts(response, "poles").values()) == 8
    assert counts(response)["Auvergne-Rhône-Alpes"] == 2


def test_bad_level_is_a_400_with_a_message(client, seeded):
    response = client.get(REGIONS, {"level": "departements"}, **FROM_A_PARTNER)
    assert response.status_code == 400
    assert "current" in json.loads(response.content)["error"]
    # A partner site's script reads the message, as it reads the files.
    assert response["Access-Control-Allow-Origin"] == "*"


def test_poles_geojson_lists_located_published_poles_with_their_properties(client):
    region = RegionFactory(name="Auvergne-Rhône-Alpes", code="84", slug="ara")
    call = CallFactory(slug="aap-2013")
    pole = PoleFactory(name="Pôle Sud Archer", region=region, latitude=45.04, longitude=5.05,
                       is_witness=True)
    ApplicationFactory(call=call, pole=pole)
    PoleFactory(name="Caché", latitude=45.0, longitude=5.0, is_published=False)
    PoleFactory(name="Sans point")
    [feature] = features(client.get(POLES))
    assert feature["geometry"]["coordinates"] == [5.05, 45.04]
    assert feature["properties"] == {
        "name": "Pôle Sud Archer", "slug": pole.slug,
        "url": "http://testserver" + pole.get_absolute_url(), "region": "Auvergne-Rhône-Alpes",
        "status": "operational", "witness": True, "laureate_of": ["aap-2013"],
    }


def test_geojson_is_cached_and_revalidated(client, seeded):
    first = client.get(REGIONS)
    assert first["Cache-Control"] == "public, max-age=300"
    assert not first.has_header("Last-Modified")  # the ETag decides (see the next test)
    etag = first["ETag"]
    second = client.get(REGIONS, HTTP_IF_NONE_MATCH=etag)
    assert second.status_code == 304
    changed = client.get(REGIONS, {"witness": "true"}, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200


def test_a_client_revalidating_by_date_gets_a_membership_change(client):
    """A membership changes the poles a filter gives without changing any pole: a client
    that sends If-Modified-Since alone gets the new file, not a 304 of its stale copy."""
    pole = PoleFactory(latitude=45.0, longitude=5.0)
    wanted = {"member_kind": "local_authority"}
    assert features(client.get(POLES, wanted)) == []
    MembershipFactory(pole=pole, organisation=OrganisationFactory(kind="local_authority"))
    later = http_date(time.time() + 3600)
    response = client.get(POLES, wanted, HTTP_IF_MODIFIED_SINCE=later)
    assert response.status_code == 200
    assert [feature["properties"]["slug"] for feature in features(response)] == [pole.slug]


def test_geojson_is_gzipped_for_clients_that_accept_it(client, seeded):
    response = client.get(REGIONS, HTTP_ACCEPT_ENCODING="gzip")
    assert response["Content-Encoding"] == "gzip"
    assert json.loads(gzip.decompress(response.content))["type"] == "FeatureCollection"


def test_a_change_shows_in_the_next_response(client, seeded):
    before = client.get(REGIONS)
    PoleFactory(region=Region.objects.get(code="94"))
    after = client.get(REGIONS, HTTP_IF_NONE_MATCH=before["ETag"])
    assert after.status_code == 200
    assert counts(after, "poles")["Corse"] == 1


def test_poles_list_for_the_map_panel_includes_unlocated_poles(client, seeded):
    data = json.loads(client.get(reverse("poles:api-poles-list"),
                                 {"region": "ile-de-france", "call": "appel-a-projets-2013",
                                  "outcome": "laureate"}).content)
    assert data["count"] == 4
    assert {p["name"] for p in data["poles"]} >= {"Le PHARES", "PTCE La Verrière"}


def test_map_page_has_the_figures_in_an_accessible_table(client, seeded):
    response = client.get(reverse("poles:map"), {"level": "former",
                                                 "call": "appel-a-projets-2013"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "<caption>" in html and "Pôles et lauréats par ancienne région" in html
    rows = {row["name"]: row for row in response.context["rows"]}
    assert len(rows) == 27 and rows["Rhône-Alpes"]["laureates"] == 3
    assert html.count("<h1") == 1
    assert "<script>" not in html  # only external scripts and a JSON data block


def test_map_page_ignores_a_bad_level_and_a_bad_filter(client, seeded):
    response = client.get(reverse("poles:map"), {"level": "x", "call": "nope"})
    assert response.status_code == 200
    assert len(response.context["rows"]) == 18
    assert "ont été ignorés" in response.content.decode()


def test_api_page_documents_both_endpoints_with_examples(client, seeded):
    html = client.get(reverse("poles:api-index")).content.decode()
    assert "/api/regions.geojson?level=former&amp;call=appel-a-projets-2013" in html
    assert "/api/poles.geojson" in html


def test_every_file_of_the_data_package_is_open_to_other_origins_even_when_not_modified(client):
    """A partner site's script reads the package's descriptor, then its files: the CSV files
    (the directory's, the statistics') said no ``Access-Control-Allow-Origin``, and neither
    did any 304, so that a revalidated file could not be read either."""
    PoleFactory(name="Pôle Sud", latitude=45.0, longitude=5.0)
    package = client.get(reverse("poles:datapackage")).json()
    paths = [resource["path"] for resource in package["resources"]]
    paths += [reverse("poles:pole-export-geojson"), reverse("api-v1:pole-list")]
    for path in paths:
        first = client.get(path, **FROM_A_PARTNER)
        assert (first.status_code, first.get("Access-Control-Allow-Origin")) == (200, "*"), path
        again = client.get(path, HTTP_IF_NONE_MATCH=first["ETag"], **FROM_A_PARTNER)
        assert (again.status_code, again.get("Access-Control-Allow-Origin")) == (304, "*"), path


def test_the_apis_redirect_to_its_address_with_a_slash_is_open_to_other_origins(client):
    """A partner site's script asking ``/api/v1/poles?region=…`` (no final slash): the browser
    follows the redirect only if it says ``Access-Control-Allow-Origin`` too, which it did
    not (a « CORS error » with no hint of the missing slash)."""
    response = client.get("/api/v1/poles", {"region": "bretagne"}, **FROM_A_PARTNER)
    assert response.status_code == 301
    assert response["Location"] == "/api/v1/poles/?region=bretagne"
    assert response["Access-Control-Allow-Origin"] == "*"
    # The site's own pages.
    assert "Access-Control-Allow-Origin" not in client.get("/a-propos", **FROM_A_PARTNER)
ETALAB = "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"


@pytest.mark.parametrize(
    ("language", "words"),
    [("fr", "Les données du registre sont publiées sous la"),
     ("en", "The registry's data is published under the")],
)
def test_the_pages_offering_the_data_say_under_which_licence(client, language, words):
    """A partner read « Les données sont ouvertes » and the geodata's licence, never the
    registry's own (only datapackage.json declared it): now the open-data page, the JSON API's
    documentation and the about page state it, with what reuse asks."""
    from ptce_site.links import DATA_LICENCE

    for url in (reverse("poles:api-index"), reverse("api-v1:docs"), reverse("about")):
        html = client.get(url, {"lang": language}).content.decode()
        licence = re.search(rf'{words} <a href="([^"]+)">Licence Ouverte 2.0 \(Etalab\)</a>', html)
        assert licence and licence[1] == DATA_LICENCE["path"] == ETALAB, url


def test_the_english_api_page_punctuates_its_headings_in_english(client):
    html = client.get(reverse("poles:api-index"), {"lang": "en"}).content.decode()
    assert "<h2>Regions: <code>/api/regions.geojson</code></h2>" in html
    assert "<h2>Clusters: <code>/api/poles.geojson</code></h2>" in html


@pytest.mark.parametrize("url", [REGIONS, POLES, reverse("poles:api-poles-list")])
def test_a_filter_value_the_open_data_does_not_understand_is_a_400_saying_which(client, seeded,
                                                                               url):
    """A partner's misspelt region (``ile-de-franc``) was ignored with a 200: the whole
    country's poles, drawn as if they were the region's. The JSON API refuses it with the
    form's reason; the GeoJSON now does too, in the same shape, readable from another site."""
    response = client.get(url, {"region": "ile-de-franc", "witness": "true"}, **FROM_A_PARTNER)
    assert response.status_code == 400
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response["Content-Type"] == "application/json"
    refused = json.loads(response.content)
    assert list(refused) == ["region"]
    assert "choix valide" in refused["region"][0]


def test_the_map_pages_ask_the_open_data_only_for_the_filters_they_understood(client, seeded):
    """The map pages ignore a bad filter and say so; the files their script reads must then
    be asked without it, or the map would draw nothing (a 400)."""
    for page in (reverse("poles:map"), reverse("poles:embed-map")):
        html = client.get(page, {"call": "nope", "witness": "true"}).content.decode()
        urls = re.findall(r'data-(?:regions|poles|list)-url="([^"]+)"', html)
        assert len(urls) == 3, page
        for url in urls:
            assert "nope" not in url and "witness=true" in url, url
            assert client.get(url.replace("&amp;", "&")).status_code == 200, url
