"""The public pages beyond the directory's search and filters: its exports, a pole's page, the
regions, the lists' query counts, and what every page holds."""

import csv
import io
import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from calls.models import Call
from members.models import Organisation
from poles.models import Pole
from poles.registry.provenance import mark_content_changed
from poles.registry.search.indexer import deferred_indexing
from tests.constant_queries import counted_then_grown
from tests.cross_origin import FROM_A_PARTNER
from tests.factories import (
    ApplicationFactory,
    CallFactory,
    MembershipFactory,
    OrganisationFactory,
    PoleFactory,
    RegionFactory,
    SectorFactory,
)
from tests.poles.test_views import DIRECTORY

pytestmark = pytest.mark.django_db


# -- exports ---------------------------------------------------------------------------------


def test_csv_export_opens_in_a_french_spreadsheet(client, seeded):
    response = client.get(reverse("poles:pole-export-csv"), {"region": "grand-est"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    raw = response.content
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:5] == ["nom", "adresse", "statut", "pôle témoin", "région"]
    assert len(rows) == 1 + 3
    ardaynes = next(row for row in rows if row[0] == "Ardaynes")
    assert ardaynes[3] == "oui" and ardaynes[4] == "Grand Est"
    assert "Écoconstruction" in ardaynes[8]
    assert ardaynes[9] == "Appel à projets interministériel PTCE (2013)"


def test_csv_export_dates_only_what_a_person_updated(client, seeded):
    """« mis à jour le » is the pole page's date: the seed's facts were updated by no one (the
    documents give no such date), a publication is no update; a person's change is."""
    import datetime

    from django.utils import timezone

    coursive = Pole.objects.get(slug="la-coursive-boutaric")
    coursive.save()  # a save without a change of content (a publication, a version)
    when = timezone.make_aware(datetime.datetime(2026, 3, 4, 15, 30))
    mark_content_changed(Pole.objects.get(slug="ardaynes"), when=when)
    response = client.get(reverse("poles:pole-export-csv"))
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    dates = {row["nom"]: row["mis à jour le"] for row in rows}
    assert dates["Ardaynes"] == "2026-03-04 15:30"
    assert dates["La Coursive Boutaric"] == "" and dates["Le Damier"] == ""


@pytest.mark.parametrize("export", ["poles:pole-export-csv", "poles:pole-export-geojson"])
def test_an_export_refuses_a_filter_it_does_not_understand(client, seeded, export):
    # A misspelt region gave every pole of the country as the region's, as the open data
    # did before it refused: a 400 naming it, in the JSON API's shape.
    response = client.get(
        reverse(export), {"region": "grand-es", "status": "operational"}, **FROM_A_PARTNER
    )
    assert response.status_code == 400
    assert list(response.json()) == ["region"]
    assert response["Access-Control-Allow-Origin"] == "*"


def test_the_directorys_download_links_leave_out_what_the_page_ignored(client, seeded):
    page = client.get(DIRECTORY, {"region": "grand-es", "q": "coursive"}).content.decode()
    assert "Région" in page and "grand-es" not in page.split('class="exports"')[1][:400]
    links = re.findall(r'href="(/poles/export\.(?:csv|geojson)[^"]*)"', page)
    assert links == ["/poles/export.csv?q=coursive", "/poles/export.geojson?q=coursive"]
    for link in links:
        assert client.get(link.replace("&amp;", "&")).status_code == 200


def test_csv_export_with_comma_separator(client, seeded):
    response = client.get(reverse("poles:pole-export-csv"), {"sep": ",", "q": "coursive"})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[1][0] == "La Coursive Boutaric" and len(rows) == 2


def test_geojson_export_is_valid_and_follows_the_filters(client):
    region = RegionFactory(name="Occitanie", slug="occitanie", code="76")
    call = CallFactory(slug="aap-2013")
    placed = PoleFactory(name="Placé", region=region, latitude=43.6, longitude=1.44)
    ApplicationFactory(call=call, pole=placed)
    PoleFactory(name="Sans point", region=region)
    PoleFactory(name="Ailleurs", latitude=48.85, longitude=2.35)
    response = client.get(reverse("poles:pole-export-geojson"), {"region": "occitanie"})
    assert response["Content-Type"] == "application/geo+json"
    data = json.loads(response.content)
    assert data["type"] == "FeatureCollection"
    assert len(data["features"]) == 1
    feature = data["features"][0]
    assert feature["geometry"] == {"type": "Point", "coordinates": [1.44, 43.6]}
    assert feature["properties"]["name"] == "Placé"
    assert feature["properties"]["laureate_of"] == ["aap-2013"]
    assert feature["properties"]["url"].endswith("/poles/place/")


# -- pole page -------------------------------------------------------------------------------


def test_pole_page_shows_badges_members_by_kind_and_calls(client, seeded):
    pole = Pole.objects.get(slug__startswith="restauration-solidaire")
    OrganisationFactory(name="Ville de Paris", slug="ville-de-paris",
                        kind=Organisation.Kind.LOCAL_AUTHORITY)
    MembershipFactory(pole=pole, organisation=Organisation.objects.get(slug="ville-de-paris"),
                      role="funder")
    response = client.get(pole.get_absolute_url())
    html = response.content.decode()
    assert response.status_code == 200
    assert "Lauréat\xa0: Appel à projets interministériel PTCE (2013)" in html
    groups = {g["kind"]: g for g in response.context["member_groups"]}
    assert [o["organisation"].name for o in groups["Type non renseigné"]["organisations"]] == [
        "Appui", "Coallia", "Marmite d'Afrique", "Taf et Maffe"
    ]
    assert groups["Collectivité territoriale"]["organisations"][0]["roles"] == ["Financeur"]
    assert "Ile de France" in html  # the region as named in 2014
    # A membership written by code (no person) is no update of the page: its facts still
    # come from the documents.
    assert "Fiche mise à jour le" not in html
    assert "ni le pôle ni l'équipe du registre ne les ont encore mises à jour" in html


def test_witness_pole_page_shows_its_former_region(client, seeded):
    html = client.get("/poles/ardaynes/").content.decode()
    assert "Pôle témoin" in html and "Champagne-Ardenne" in html and "Grand Est" in html


def test_unpublished_pole_is_a_404(client):
    pole = PoleFactory(is_published=False)
    response = client.get(pole.get_absolute_url())
    assert response.status_code == 404
    assert "Page introuvable" in response.content.decode()


def test_pole_with_a_location_has_a_small_map_without_inline_script(client):
    pole = PoleFactory(latitude=45.04, longitude=5.05)
    html = client.get(pole.get_absolute_url()).content.decode()
    assert 'id="pole-map"' in html and 'data-lat="45.040000"' in html
    assert "leaflet/leaflet.js" in html
    assert "<script>" not in html


# -- regions ---------------------------------------------------------------------------------


def test_region_list_counts_poles_and_laureates(client, seeded):
    response = client.get(reverse("poles:region-list"))
    regions = {row["name"]: row for row in response.context["rows"]}
    assert len(regions) == 18
    assert (regions["Grand Est"]["poles"], regions["Grand Est"]["laureates"]) == (3, 3)
    assert regions["Auvergne-Rhône-Alpes"]["laureates"] == 4


def test_region_list_adds_up_to_the_directory_with_the_poles_of_no_known_region(client, seeded):
    # The 2011 call's examples have no region in any document: a row says so, and the total
    # is the directory's number of poles, as a journalist adding the column would expect.
    unplaced = Pole.objects.published().filter(region__isnull=True).count()
    assert unplaced > 0
    html = client.get(reverse("poles:region-list")).content.decode()
    rows = re.findall(r'<th scope="row">([^<]*)</th>\s*<td></td>\s*<td class="number">(\d+)</td>'
                      r'\s*<td class="number">(\d+)</td>', html)
    assert rows == [
        ("Région non renseignée", str(unplaced), "0"),
        ("Total", str(Pole.objects.published().count()), "23"),
    ]
    directory = client.get(DIRECTORY).context["page_obj"].paginator.count
    assert int(rows[-1][1]) == directory


def test_region_page_names_the_former_regions_and_lists_laureates(client, seeded):
    html = client.get("/regions/grand-est/").content.decode()
    assert "Alsace, Champagne-Ardenne, Lorraine" in html
    assert "Florange e2i" in html and "CIS DT 52" in html


def test_unknown_region_is_a_404(client, seeded):
    assert client.get("/regions/atlantide/").status_code == 404


# -- query counts ----------------------------------------------------------------------------


@deferred_indexing()  # the poles indexed once, at the end
def _make_poles(count: int) -> None:
    region = RegionFactory(code="84", name="Auvergne-Rhône-Alpes", slug="auvergne-rhone-alpes")
    call = Call.objects.filter(slug="aap").first() or CallFactory(slug="aap")
    sector = SectorFactory(slug="secteur-0", name="Secteur 0")
    for _ in range(count):
        pole = PoleFactory(region=region, sectors=[sector], latitude=45.0, longitude=5.0)
        MembershipFactory(pole=pole)
        MembershipFactory(pole=pole, role="funder")
        ApplicationFactory(call=call, pole=pole)


def _count_queries(client, url: str, params=None) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(queries)


PAGES = [
    ("/", None),
    (DIRECTORY, None),
    (DIRECTORY, {"q": "pôle", "sector": "secteur-0", "witness": "false", "call": "aap"}),
    ("/poles/export.csv", None),
    ("/poles/export.geojson", None),
    ("/regions/", None),
    ("/regions/auvergne-rhone-alpes/", None),
    ("/carte/", None),
    ("/carte/", {"level": "former", "call": "aap"}),
    ("/api/regions.geojson", {"level": "former"}),
    ("/api/poles.geojson", None),
    ("/api/poles.json", {"region": "auvergne-rhone-alpes"}),
]


@pytest.fixture(scope="class")
def grown_poles(django_db_setup, django_db_blocker):
    """1 pole, the pages' queries counted, then 11 more: a query per row would show as 11
    more (and factories cost 40 ms a pole: written once for the pages, not once for each)."""
    with counted_then_grown(
        django_db_blocker, PAGES, lambda: _make_poles(1), lambda: _make_poles(11), curator=False
    ) as grown:
        yield grown


class TestListPageQueries:
    """Every list page on the same poles, written once for the class."""

    @pytest.mark.parametrize(("url", "params"), PAGES)
    def test_list_pages_run_a_constant_number_of_queries(self, grown_poles, url, params):
        assert grown_poles.count(url, params) == grown_poles.before(url, params)


def test_pole_page_runs_a_constant_number_of_queries(client):
    pole = PoleFactory()
    MembershipFactory(pole=pole)
    ApplicationFactory(pole=pole)
    few = _count_queries(client, pole.get_absolute_url())
    for _ in range(10):
        MembershipFactory(pole=pole)
        ApplicationFactory(pole=pole)
    assert _count_queries(client, pole.get_absolute_url()) == few


# -- site-wide -------------------------------------------------------------------------------


def test_robots_and_sitemap(client, seeded):
    robots = client.get("/robots.txt").content.decode()
    assert "Disallow: /admin/" in robots and "Disallow: /espace/" in robots
    assert "Sitemap: http://testserver/sitemap.xml" in robots
    sitemap = client.get("/sitemap.xml").content.decode()
    assert "/poles/la-coursive-boutaric/" in sitemap
    assert "/regions/grand-est/" in sitemap
    assert "<loc>http://testserver/proposer/</loc>" in sitemap
    assert "<loc>http://testserver/contact/</loc>" in sitemap


def test_every_page_has_title_description_canonical_and_opengraph(client, seeded):
    for url in ["/", DIRECTORY, "/poles/ardaynes/", "/regions/", "/regions/grand-est/"]:
        html = client.get(url).content.decode()
        assert html.count("<h1") == 1, url
        assert '<meta name="description" content="' in html, url
        assert '<link rel="canonical" href="http://testserver' in html, url
        assert '<meta property="og:title"' in html, url
        assert 'href="#contenu"' in html, url


def test_a_point_taken_from_the_commune_is_said_to_be_approximate(client):
    """A pole given only its commune got the commune's point, and its page pinned it on the
    map as if it were the pole's address (« Les Gouttes d'Or » in the middle of Paris). The
    map now says so; a point someone placed says nothing."""
    from tests.factories import CommuneFactory

    commune = CommuneFactory(code="75056", name="Paris", latitude=48.8566, longitude=2.3522)
    pole = PoleFactory(region=commune.region, commune_code="75056", commune_name="Paris",
                       latitude=48.8566, longitude=2.3522)
    notice = "Position approximative\xa0: celle de la commune (Paris)"
    assert notice in client.get(pole.get_absolute_url()).content.decode()
    english = client.get(pole.get_absolute_url(), {"lang": "en"}).content.decode()
    assert "Approximate position: that of the municipality (Paris)" in english
    Pole.objects.filter(pk=pole.pk).update(latitude=48.8925, longitude=2.3542)
    assert "Position approximative" not in client.get(pole.get_absolute_url()).content.decode()


def test_a_region_without_poles_offers_to_propose_one_not_an_empty_network(client, seeded):
    """Bretagne's page said « Aucun pôle publié… » and linked to the network of its poles,
    an empty drawing; a local authority looking for its poles is now offered to propose one."""
    html = client.get(reverse("poles:region-detail", args=["bretagne"])).content.decode()
    assert "Aucun pôle publié dans cette région pour l'instant." in html
    assert f'href="{reverse("poles:proposal-create")}"' in html.split("<main")[1]
    assert "/reseau/?region=bretagne" not in html
    html = client.get(reverse("poles:region-detail", args=["grand-est"])).content.decode()
    assert "/reseau/?region=grand-est" in html


def test_the_sort_select_shows_the_order_the_results_are_in(client, seeded):
    """Without a search the poles come by name, but « Pertinence », the first option, was
    shown as the order; « Pertinence » asked without a search is by name too."""
    selected = re.compile(r'<option value="([^"]+)" selected>')
    for params, order in [
        ({}, "name"), ({"sort": "relevance"}, "name"), ({"q": "coursive"}, "relevance"),
        ({"sort": "-updated"}, "-updated"),
    ]:
        html = client.get(DIRECTORY, params).content.decode()
        select = html.split('name="sort"')[1].split("</select>")[0]
        assert selected.findall(select) == [order], params
