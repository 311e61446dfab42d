"""The statistics page: its figures agree with the map and the directory, in a constant
number of queries, each downloadable as a neutralised CSV."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from poles.registry.api import RegionCounts
from poles.registry.filters import PoleFilterSet
from poles.registry.models import Pole
from poles.registry.stats.figures import by_region, by_sector, laureates_by_call_and_region
from tests.factories import PoleFactory

pytestmark = pytest.mark.django_db


def _directory_count(client, query: str) -> int:
    page = client.get(f"/poles/?{query}").content.decode()
    return int(re.search(r"(\d+) pôles? trouvés?", page).group(1))


def test_figures_agree_with_the_map_and_the_directory(seeded, client):
    rows = RegionCounts(PoleFilterSet(queryset=Pole.objects.published()), "current").rows()
    assert by_region("current").rows[:-1] == [
        (r["name"], [r["poles"], r["laureates"]]) for r in rows
    ]
    for row in rows[:3]:
        assert row["poles"] == _directory_count(client, f"region={row['slug']}")
    sector_rows = dict(by_sector().rows)
    assert sector_rows["Agriculture"] == [_directory_count(client, "sector=agriculture")]
    figure, _calls = laureates_by_call_and_region()
    map_2013 = RegionCounts(PoleFilterSet({"call": "appel-a-projets-2013"},
                                          queryset=Pole.objects.published()), "current")
    column = figure.series.index("Appel 2013")
    shown = {label: values[column] for label, values in figure.rows if values[column]}
    assert shown == {r["name"]: r["laureates"] for r in map_2013.rows() if r["laureates"]}
    assert sum(shown.values()) == 23


def test_page_shows_each_figure_as_chart_and_table(seeded, client):
    PoleFactory(is_published=True, founded_year=2012)
    page = client.get("/statistiques/").content.decode()
    assert page.count('<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img"') == 8
    assert page.count("<table class=\"statistic-table\">") == 8
    assert "<title id=\"chart-poles-par-secteur-title\">Pôles par secteur d&#x27;activité" in page
    assert 'pattern id="chart-poles-par-region-p1"' in page  # laureates hatched, not only blue
    english = client.get("/statistiques/?lang=en").content.decode()
    assert '<html lang="en">' in english


def test_page_is_cached_like_the_other_public_pages(seeded, client, settings):
    settings.PAGE_CACHE_SECONDS = 600
    client.get("/statistiques/")
    assert client.get("/statistiques/")["X-Page-Cache"] == "hit"
    assert "/statistiques/" in client.get("/sitemap.xml").content.decode()


def test_page_runs_a_constant_number_of_queries(seeded, client, settings):
    settings.PAGE_CACHE_SECONDS = 0

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/statistiques/").status_code == 200
        return len(captured)

    before = queries()
    PoleFactory.create_batch(5, is_published=True, founded_year=2015)
    assert queries() == before


def test_each_figure_downloads_as_csv_with_formulas_neutralised(seeded, client):
    PoleFactory(is_published=True, founded_year=2019)
    response = client.get("/statistiques/poles-par-annee-de-creation.csv")
    assert response["Content-Type"].startswith("text/csv")
    assert '"2019";' in response.content.decode("utf-8-sig")
    from poles.registry.models import Sector

    Sector.objects.create(name="=HYPERLINK(1)", slug="formule")
    text = client.get("/statistiques/poles-par-secteur.csv").content.decode("utf-8-sig")
    assert "\"'=HYPERLINK(1)\"" in text
    assert client.get("/statistiques/inconnue.csv").status_code == 404


@pytest.mark.parametrize("figure", ["poles-par-region", "poles-par-ancienne-region"])
def test_the_poles_by_region_add_up_to_the_directorys_count(seeded, client, figure):
    """A journalist adding up « Pôles » by region got 24 of the directory's 30 poles: the 2011
    call's examples, whose region no document gives, were in no row. They are now a row of
    their own, said unknown rather than left out."""
    text = client.get(f"/statistiques/{figure}.csv").content.decode("utf-8-sig")
    rows = [line.split(";") for line in text.splitlines()[1:]]
    assert sum(int(poles) for _name, poles, _laureates in rows) == _directory_count(client, "")
    assert sum(int(laureates) for _name, _poles, laureates in rows) == 23
    name, poles, laureates = rows[-1]
    assert "non renseignée" in name and (int(poles), int(laureates)) == (
        (6, 0) if figure == "poles-par-region" else (7, 0)
    )
    assert name.strip('"') in client.get("/statistiques/").content.decode()


def test_the_maps_totals_count_the_poles_of_no_known_region(seeded, client):
    """The embedded map said « 24 pôles, dont 23 lauréats » of a registry of 30; the map's
    table left the six others out too."""
    embed = client.get("/integrer/carte/").content.decode()
    assert 'data-total-poles="30"' in embed and "30 pôles, dont 23 lauréats" in embed
    assert "Région non renseignée" in embed
    page = client.get("/carte/?level=former").content.decode()
    assert re.search(r"Ancienne région non renseignée</th>\s*<td></td>\s*"
                     r'<td class="number">7</td>', page)


def test_poles_without_a_recorded_member_are_not_said_to_have_none(seeded, client):
    """« Organisations membres : 0 — 25 pôles » read as 25 poles without members, when no
    document gives any pole's members (the page says what the registry does not know is not
    counted): their row says that none is recorded."""
    text = client.get("/statistiques/membres-par-pole.csv").content.decode("utf-8-sig")
    first = text.splitlines()[1]
    assert first == '"aucune enregistrée";29'
    page = client.get("/statistiques/?lang=en").content.decode()
    assert "none recorded" in page
