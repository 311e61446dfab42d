"""English pages mark the texts they show in French (a pole's summary and description, an
organisation's description, a call's or an event's text without its English version) with
``lang="fr"``: a screen reader reads them with a French voice, not as English words (WCAG
3.1.2). French pages, and texts written in English, carry no mark."""

import re

import pytest
from django.urls import reverse

from tests.factories import (
    CallFactory,
    EventFactory,
    OrganisationFactory,
    PoleFactory,
    SourceDocumentFactory,
)

pytestmark = pytest.mark.django_db


def marked(client, url: str, text: str, language: str) -> bool:
    """Whether the element holding ``text`` on the page says it is French."""
    page = client.get(url, {"lang": language}).content.decode()
    opening = re.search(rf"<(?:p|div)([^>]*)>\s*(?:<p>)?{re.escape(text)}", page)
    assert opening, f"{text!r} not found on {url}"
    return 'lang="fr"' in opening[1]


def test_a_poles_summary_and_description_are_marked_french_on_english_pages(client):
    pole = PoleFactory(summary="Coopérer sur le territoire", description="Une longue histoire")
    for url in (pole.get_absolute_url(), reverse("poles:pole-list")):
        assert marked(client, url, "Coopérer sur le territoire", "en")
        assert not marked(client, url, "Coopérer sur le territoire", "fr")
    assert marked(client, pole.get_absolute_url(), "Une longue histoire", "en")
    # Under a search, the card's extract of them, its words marked.
    searched = client.get(reverse("poles:pole-list"), {"q": "histoire", "lang": "en"})
    extract = re.search(r'<p class="snippet"([^>]*)>', searched.content.decode())
    assert extract and 'lang="fr"' in extract[1]


def test_an_organisations_description_is_marked_french_on_english_pages(client):
    organisation = OrganisationFactory(description="Recyclerie associative")
    PoleFactory().memberships.create(organisation=organisation)
    assert marked(client, organisation.get_absolute_url(), "Recyclerie associative", "en")


def test_a_translated_text_is_marked_only_where_its_english_is_missing(client):
    translated = CallFactory(summary_fr="Premier appel", summary_en="First call")
    untranslated = CallFactory(summary_fr="Second appel", summary_en="")
    for call in (translated, untranslated):
        url = call.get_absolute_url()
        english = "First call" if call is translated else "Second appel"
        assert marked(client, url, english, "en") is (call is untranslated)
    event = EventFactory(description_fr="Journée nationale", description_en="")
    assert marked(client, event.get_absolute_url(), "Journée nationale", "en")
    assert not marked(client, event.get_absolute_url(), "Journée nationale", "fr")


def test_a_source_documents_french_title_is_marked_on_english_pages(client):
    """The documents' titles are French (the seed gives no English one): the lists of sources
    (a pole's, an event's, a call's, the charter's, the about page's), the chronology's, and
    the provenance notes read aloud with the numbered links read them in an English voice."""
    untranslated = SourceDocumentFactory(title_fr="Annonce des lauréats", title_en="")
    translated = SourceDocumentFactory(title_fr="Note de travail", title_en="Working note")
    pole = PoleFactory()
    pole.sources.add(untranslated, translated)
    event = EventFactory()
    event.sources.add(untranslated)
    for url in (pole.get_absolute_url(), event.get_absolute_url(), reverse("about")):
        english = client.get(url, {"lang": "en"}).content.decode()
        assert '<span lang="fr">Annonce des lauréats</span>' in english, url
        if url != event.get_absolute_url():
            assert ">Working note" in english and '"fr">Working note' not in english
        french = client.get(url, {"lang": "fr"}).content.decode()
        assert '<span lang="fr">' not in french and ">Annonce des lauréats" in french
