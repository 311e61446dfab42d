"""The map's figures by region and its form, as built since they are counted in one grouped
query (``RegionCounts``) and its selects written by ``poles/map.html`` itself."""

import json
import re
from html import unescape

import pytest
from django.urls import reverse

from calls.models import Application
from tests.factories import (
    ApplicationFactory,
    CallFactory,
    FormerRegionFactory,
    PoleFactory,
    RegionFactory,
    SectorFactory,
)

pytestmark = pytest.mark.django_db

REGIONS = reverse("poles:api-regions")
POLES = reverse("poles:api-poles")


def figures(client, **params) -> dict[str, tuple[int, int]]:
    """{region name: (poles, laureates)} as the open data gives them."""
    response = client.get(REGIONS, params)
    assert response.status_code == 200
    return {
        feature["properties"]["name"]: (
            feature["properties"]["poles"], feature["properties"]["laureates"]
        )
        for feature in json.loads(response.content)["features"]
    }


@pytest.fixture
def two_regions(db):
    """Lorraine (in Grand Est): a pole laureate of two calls, one that was not selected, one
    without application; Bretagne: a pole laureate of the later call only."""
    grand_est = RegionFactory(code="44", name="Grand Est", slug="grand-est")
    bretagne = RegionFactory(code="53", name="Bretagne", slug="bretagne")
    FormerRegionFactory(code="41", name="Lorraine", slug="lorraine", region=grand_est,
                        departments="54 55 57 88")
    FormerRegionFactory(code="B1", name="Bretagne (ancienne)", slug="bretagne-ancienne",
                        region=bretagne, departments="22 29 35 56")
    first = CallFactory(title="Appel 2013", slug="appel-2013", year=2013)
    second = CallFactory(title="Appel 2015", slug="appel-2015", year=2015)
    twice = PoleFactory(name="Deux fois lauréat", region=grand_est, commune_code="54395",
                        latitude=48.69, longitude=6.18)
    ApplicationFactory(call=first, pole=twice)
    ApplicationFactory(call=second, pole=twice)
    refused = PoleFactory(name="Non retenu", region=grand_est, commune_code="57463")
    ApplicationFactory(call=first, pole=refused, outcome=Application.Outcome.NOT_SELECTED)
    ApplicationFactory(call=second, pole=refused, outcome=Application.Outcome.LAUREATE)
    PoleFactory(name="Sans candidature", region=grand_est, commune_code="88160")
    breton = PoleFactory(name="Pôle breton", region=bretagne, commune_code="35238",
                         latitude=48.11, longitude=-1.68)
    ApplicationFactory(call=second, pole=breton)
    PoleFactory(name="Caché", region=bretagne, is_published=False)
    return {"first": first, "second": second}


def test_a_pole_laureate_of_two_calls_counts_once(client, two_regions):
    assert figures(client) == {"Bretagne": (1, 1), "Grand Est": (3, 2)}


def test_the_chosen_call_counts_only_its_own_laureates(client, two_regions):
    # "Non retenu" applied to the 2013 call, in vain, and won the 2015 one.
    assert figures(client, call="appel-2013") == {"Bretagne": (0, 0), "Grand Est": (2, 1)}
    assert figures(client, call="appel-2015") == {"Bretagne": (1, 1), "Grand Est": (2, 2)}
    assert figures(client, call="appel-2013", outcome="not_selected") == {
        "Bretagne": (0, 0), "Grand Est": (1, 0),
    }


def test_former_regions_count_the_poles_of_their_communes(client, two_regions):
    assert figures(client, level="former") == {
        "Bretagne (ancienne)": (1, 1), "Lorraine": (3, 2),
    }
    assert figures(client, level="former", call="appel-2015") == {
        "Bretagne (ancienne)": (1, 1), "Lorraine": (2, 2),
    }


def test_counts_are_the_same_whatever_the_sort(client, two_regions):
    # A search sorted by relevance annotates a rank: the grouped count must ignore it.
    searched = figures(client, q="laureat")
    assert searched == {"Bretagne": (0, 0), "Grand Est": (1, 1)}
    assert figures(client, q="laureat", sort="relevance") == searched
    assert figures(client, q="laureat", sort="-updated") == searched


def test_map_table_shows_the_same_figures_as_the_open_data(client, two_regions):
    response = client.get(reverse("poles:map"), {"call": "appel-2015"})
    assert response.status_code == 200
    table = {row["name"]: (row["poles"], row["laureates"]) for row in response.context["rows"]}
    assert table == figures(client, call="appel-2015")


def test_poles_geojson_lists_each_pole_with_its_own_calls_won(client, two_regions):
    response = client.get(POLES, {"region": "grand-est"})
    data = json.loads(response.content)
    # Only located poles of the chosen region; the Breton pole's calls are not listed.
    assert [f["properties"]["name"] for f in data["features"]] == ["Deux fois lauréat"]
    assert data["features"][0]["properties"]["laureate_of"] == ["appel-2013", "appel-2015"]


def _selects(html: str) -> list[str]:
    return [
        re.sub(r">\s+<", "><", re.sub(r"\s+", " ", select))
        for select in re.findall(r"<select.*?</select>", html, re.S)
    ]


def test_map_form_selects_are_the_filter_widgets_own_markup(client, two_regions):
    SectorFactory(name="Économie circulaire", slug="economie-circulaire")
    response = client.get(reverse("poles:map"), {
        "call": "appel-2015", "status": "operational", "sector": "economie-circulaire",
        "witness": "false", "charter": "true",
    })
    form = response.context["filter"].form
    names = ["call", "status", "witness", "sector", "objective", "member_kind", "charter"]
    expected = _selects("".join(str(form[name]) for name in names))
    assert _selects(response.content.decode()) == expected
    assert '<option value="appel-2015" selected>Appel 2015</option>' in expected[0]


def test_former_regions_read_overseas_communes_and_the_region_named_in_the_application(
    client, two_regions
):
    reunion = RegionFactory(code="04", name="La Réunion", slug="la-reunion")
    FormerRegionFactory(code="R4", name="La Réunion (ancienne)", slug="la-reunion-ancienne",
                        region=reunion, departments="974")
    PoleFactory(name="Pôle réunionnais", region=reunion, commune_code="97411")
    PoleFactory(name="Sans commune", region=reunion, commune_code="")
    # Applied under Lorraine's name from a Breton commune: counted in Lorraine only.
    moved = PoleFactory(name="Pôle déménagé", region=reunion, commune_code="35238")
    ApplicationFactory(call=two_regions["first"], pole=moved,
                       former_region=FormerRegionFactory(code="41"))
    # Applied under two names, won under one: a laureate there only.
    both = PoleFactory(name="Deux noms", region=reunion, commune_code="97411")
    ApplicationFactory(call=two_regions["first"], pole=both,
                       former_region=FormerRegionFactory(code="41"),
                       outcome=Application.Outcome.NOT_SELECTED)
    ApplicationFactory(call=two_regions["second"], pole=both,
                       former_region=FormerRegionFactory(code="B1"))
    assert figures(client, level="former") == {
        "Bretagne (ancienne)": (2, 2), "La Réunion (ancienne)": (1, 0), "Lorraine": (5, 3),
    }


def test_regions_geojson_serves_each_outline_as_stored_in_compact_json(client, two_regions):
    from poles.territories.models import Region, RegionOutline

    square = [[[-1.5, 48.0], [-1.25, 48.0], [-1.25, 48.5], [-1.5, 48.0]]]
    geometry = {"type": "MultiPolygon", "coordinates": [square, [[[-3.0, 47.3], [-2.9, 47.3],
                                                                  [-2.9, 47.4], [-3.0, 47.3]]]]}
    RegionOutline.objects.create(region=Region.objects.get(code="53"), geometry=geometry,
                                 label_longitude=-1.4, label_latitude=48.2)
    response = client.get(REGIONS)
    body = response.content.decode()
    data = json.loads(body)
    by_name = {feature["properties"]["name"]: feature for feature in data["features"]}
    assert by_name["Bretagne"]["geometry"] == geometry
    assert by_name["Bretagne"]["properties"]["label_point"] == [-1.4, 48.2]
    assert by_name["Grand Est"]["geometry"] is None  # no outline loaded: served without one
    assert body == json.dumps(data, ensure_ascii=False, separators=(",", ":"))


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("fr", ["0 lauréat", "1 lauréat", "2 lauréats", "0 pôle", "1 pôle", "2 pôles"]),
        ("en", ["0 winners", "1 winner", "2 winners", "0 clusters", "1 cluster", "2 clusters"]),
    ],
)
def test_the_map_counts_a_region_in_the_singular_or_plural_of_its_language(
    client, language, words
):
    """The words the script puts after a region's count, for 0, 1 and 2 or more."""
    page = client.get(reverse("poles:map"), {"lang": language}).content.decode()
    strings = json.loads(re.search(r'id="map-strings"[^>]*>(.*?)</script>', page, re.S)[1])
    counted = strings["counted"]
    forms = [text.replace("%(counter)s", str(n)) for what in ("laureates", "poles")
             for n, text in enumerate(counted[what])]
    assert forms == words


def test_the_maps_region_labels_are_punctuated_in_the_pages_language(client):
    """« Bretagne : 0 lauréat » in French, with a space that does not break before the colon,
    as on the pages; "Bretagne: 0 winners" in English (the script fills the page's pattern with
    the region's name and its count)."""
    for language, expected in (
        ("fr", "%(label)s\xa0: %(value)s"), ("en", "%(label)s: %(value)s")
    ):
        page = client.get(reverse("poles:map"), {"lang": language}).content.decode()
        strings = json.loads(re.search(r'id="map-strings"[^>]*>(.*?)</script>', page, re.S)[1])
        assert strings["labelled"] == expected


def test_the_tiles_attribution_is_in_the_pages_language(client):
    """OpenStreetMap's credit, under every map with tiles, in English on English pages (an
    operator's own ``MAP_TILES_ATTRIBUTION`` is shown as written)."""
    # Read as the page's map options hold it (JSON in an attribute, its « < » escaped).
    english = unescape(client.get(reverse("poles:map"), {"lang": "en"}).content.decode())
    french = unescape(client.get(reverse("poles:map")).content.decode())
    assert "OpenStreetMap contributors</a>" in english and "contributeurs" not in english
    assert "les contributeurs d" in french and "OpenStreetMap contributors" not in french
