"""The chronology (#15): events and the calls' milestones in date order, filters, an event's
page, the events on the pages of the poles and organisations that took part, the API and the
sitemap."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from poles.models import Event
from tests.factories import (
    EventFactory,
    MilestoneFactory,
    OrganisationFactory,
    PoleFactory,
    SourceDocumentFactory,
)

pytestmark = pytest.mark.django_db

D = datetime.date


def text(response) -> str:
    assert response.status_code == 200
    return re.sub(r"\s+", " ", response.content.decode())


def timeline_titles(page: str) -> list[str]:
    listed = page[page.index('<ol class="timeline chronology">') :]
    listed = listed[: listed.index("</ol>")]
    return re.findall(r'<p class="timeline-label"><a href="[^"]+">([^<]+)</a>', listed)


def test_chronology_lists_events_and_milestones_together_in_date_order(client, seeded):
    page = text(client.get("/chronologie/"))
    titles = timeline_titles(page)
    assert titles[0] == "Proposition des PTCE lors des États généraux de l&#x27;ESS"
    # The 2011 call's launch (a milestone) comes between February 2011 and June 2012.
    assert (
        titles.index("Note « Premiers éléments caractérisant les PTCE »")
        < titles.index(
            "Lancement de l&#x27;appel à candidature à l&#x27;initiative des réseaux partenaires"
        )
        < titles.index("1re Journée nationale des PTCE")
    )
    assert titles[-1] == "2e Journée nationale des PTCE"
    assert len(titles) == 10 + 6  # the ten seeded events and the six milestones
    # Dates as precisely as known, machine-readable too.
    assert '<time datetime="2013-05">mai 2013</time>' in page
    assert '<time datetime="2009">2009</time>' in page
    assert '<time datetime="2013-02-28">28 février 2013</time>' in page
    # Each with its sources.
    assert "Sources : Communiqué de presse : 3e séminaire de travail des PTCE" in page


def test_chronology_filters_by_kind_and_year(client, seeded):
    seminars = timeline_titles(text(client.get("/chronologie/", {"kind": "seminar"})))
    assert seminars == ["3e séminaire de travail des PTCE"]
    in_2011 = timeline_titles(text(client.get("/chronologie/", {"year": "2011"})))
    assert len(in_2011) == 4 and in_2011[0].startswith("Note « Premiers")  # note + 3 milestones
    steps = timeline_titles(text(client.get("/chronologie/", {"kind": "call_milestone"})))
    assert "Lancement du 1er appel à projets interministériel" in steps
    assert "Annonce des 23 lauréats par Benoît Hamon, Cécile Duflot et François Lamy" in steps
    assert len(steps) == 7
    both = text(client.get("/chronologie/", {"kind": "law", "year": "2013"}))
    assert "Aucun événement ne correspond à ces critères." in both


@pytest.mark.parametrize(
    "query", [{"year": "abc"}, {"kind": "zz"}, {"year": "1e999", "kind": "<script>"}]
)
def test_chronology_ignores_values_it_does_not_understand_and_says_so(client, seeded, query):
    page = text(client.get("/chronologie/", query))
    assert "ont pas été compris et ont été ignorés" in page
    assert len(timeline_titles(page)) == 16
    assert "<script>" not in page.split("</header>", 1)[1].split("<footer", 1)[0]


def _chronology_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/chronologie/").status_code == 200
    return len(queries)


def test_chronology_runs_the_same_queries_for_few_or_many_dates(client):
    source = SourceDocumentFactory()
    EventFactory().sources.add(source)
    MilestoneFactory(call__title="Appel A").call.sources.add(source)
    few = _chronology_queries(client)
    for _ in range(6):
        EventFactory(start_date=D(2014, 1, 2)).sources.add(source, SourceDocumentFactory())
        MilestoneFactory().call.sources.add(SourceDocumentFactory())
    assert _chronology_queries(client) == few


def test_an_event_page_shows_what_is_known_and_says_what_is_not(client, seeded):
    page = text(client.get("/chronologie/2013-02-28-3e-seminaire-de-travail/"))
    assert "Maison des Associations de Solidarité, Paris 13e" in page
    assert "<dt>Participants</dt><dd>70</dd>" in page
    assert "<dt>Pôles représentés</dt><dd>20</dd>" in page
    assert "<dt>Régions concernées</dt><dd>16</dd>" in page
    first_day = text(client.get("/chronologie/2012-06-25-1re-journee-nationale/"))
    assert '<dt>Lieu</dt> <dd><span class="muted">Non renseigné</span></dd>' in first_day
    assert "Participants" not in first_day
    second_day = text(client.get("/chronologie/2014-09-19-2e-journee-nationale/"))
    assert "<dd>plus de 300</dd>" in second_day
    assert client.get("/chronologie/pas-un-evenement/").status_code == 404


def test_an_event_without_a_date_comes_last_and_says_so(client):
    EventFactory(title="Sans date", start_date=None)
    EventFactory(title="Daté", start_date=D(2012, 6, 25))
    page = text(client.get("/chronologie/"))
    assert timeline_titles(page) == ["Daté", "Sans date"]
    assert "Date non renseignée" in page
    assert "Date non renseignée" in text(client.get("/chronologie/sans-date/"))


def test_only_published_poles_show_among_the_participants(client):
    shown, hidden = PoleFactory(name="Pôle visible"), PoleFactory(name="Pôle caché")
    hidden.is_published = False
    hidden.save()
    organiser = OrganisationFactory(name="Réseau organisateur")
    event = EventFactory(title="Journée des pôles")
    event.poles.add(shown, hidden)
    event.organisers.add(organiser)
    page = text(client.get(event.get_absolute_url()))
    assert "Pôle visible" in page and "Pôle caché" not in page
    assert "Journée des pôles" in text(client.get(shown.get_absolute_url()))
    assert client.get(hidden.get_absolute_url()).status_code == 404
    organisation_page = text(client.get(organiser.get_absolute_url()))
    assert "Événements organisés" in organisation_page and "Journée des pôles" in organisation_page
    api = client.get(f"/api/v1/events/{event.slug}/").json()
    assert [pole["slug"] for pole in api["poles"]] == [shown.slug]


def test_a_date_known_to_the_month_or_year_is_written_on_its_first_day():
    with pytest.raises(ValidationError, match="premier jour du mois"):
        Event(
            title="x", slug="x", kind="study", start_date=D(2013, 5, 12), date_precision="month"
        ).full_clean()
    with pytest.raises(ValidationError, match="1er janvier"):
        Event(
            title="x", slug="x", kind="other", start_date=D(2009, 3, 1), date_precision="year"
        ).full_clean()
    with pytest.raises(ValidationError, match="fin ne peut pas précéder"):
        Event(
            title="x", slug="x", kind="other", start_date=D(2013, 3, 1), end_date=D(2013, 2, 1)
        ).full_clean()


def test_events_in_the_api_and_the_sitemap(client, seeded):
    listed = client.get("/api/v1/events/", {"year": "2013"}).json()
    assert [e["slug"] for e in listed["results"]][:2] == [
        "2013-appel-a-projets-interministeriel",
        "2013-02-28-3e-seminaire-de-travail",
    ]
    seminar = listed["results"][1]
    assert (seminar["participants"], seminar["date_label"]) == (70, "28 février 2013")
    assert client.get("/api/v1/events/", {"year": "zz"}).status_code == 400
    assert "/chronologie/2014-07-21-loi-ess/" in client.get("/sitemap.xml").content.decode()


def test_the_chronology_speaks_english(client, seeded):
    page = text(client.get("/chronologie/", {"lang": "en", "year": "2013"}))
    assert "Timeline of the PTCE approach" in page
    assert '<time datetime="2013-02-28">28 February 2013</time>' in page
    assert '<time datetime="2013-05">May 2013</time>' in page
    assert '<span class="badge">Seminar</span>' in page


def test_the_footer_and_the_about_page_link_to_the_chronology(client):
    page = text(client.get("/a-propos/"))
    assert page.count('href="/chronologie/"') == 2


def test_national_curators_record_an_event_and_regional_ones_only_view_it(client, curator):
    from tests.poles.test_regional_curators import regional_curator

    source, pole = SourceDocumentFactory(title="Compte rendu"), PoleFactory(name="Pôle Sud")
    client.force_login(curator)
    response = client.post(
        "/admin/poles/event/add/",
        {
            "title_fr": "3e Journée nationale", "title_en": "3rd national day",
            "slug": "3e-journee-nationale",
            "kind": "national_day", "start_date": "2015-10-01", "date_precision": "month",
            "end_date": "", "place_fr": "", "place_en": "", "description_fr": "",
            "description_en": "", "participants": "",
            "poles_represented": "", "regions_concerned": "",
            "organisers": [], "poles": [pole.pk], "sources": [source.pk],
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    event = Event.objects.get(slug="3e-journee-nationale")
    assert event.participants is None and list(event.poles.all()) == [pole]
    listing = text(client.get("/admin/poles/event/", {"q": "journée"}))
    assert "3e Journée nationale" in listing
    found = client.get(
        "/admin/autocomplete/",
        {"app_label": "poles", "model_name": "event", "field_name": "poles", "term": "Sud"},
    ).json()
    assert [item["text"] for item in found["results"]] == ["Pôle Sud"]
    page = text(client.get("/chronologie/", {"lang": "fr"}))
    assert '<time datetime="2015-10">octobre 2015</time>' in page
    assert "3rd national day" in text(client.get("/chronologie/", {"lang": "en"}))
    client.force_login(regional_curator(pole.region, username="rosa"))
    assert client.get(f"/admin/poles/event/{event.pk}/change/").status_code == 200
    assert client.get("/admin/poles/event/add/").status_code == 403


def test_the_english_chronology_separates_its_sources_in_english(client, seeded):
    """« Sources: A ; B » mixed French spacing into English; French keeps « A ; B »."""
    english = text(client.get("/chronologie/", {"lang": "en"}))
    assert "(19 septembre 2014)</span>; <span" in english and " ; " not in english
    french = text(client.get("/chronologie/"))
    assert "(19 septembre 2014) ; Pôle" in french
