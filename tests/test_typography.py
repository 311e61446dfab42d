"""Texts built from parts (« label : value », « quoted ») are punctuated as the page's language
wants: French puts a space before the colon and writes « guillemets », English does neither
(``ptce_site/typography.py``). Each page here showed "Status : Operational" or
"Search : « bois »" in English."""

from __future__ import annotations

import datetime
import html

import pytest
from django.urls import reverse

from poles.models import Pole, YearlyIndicators
from tests.factories import MembershipFactory, PoleFactory, RegionFactory

pytestmark = pytest.mark.django_db


def text_of(response) -> str:
    return html.unescape(response.content.decode())


@pytest.fixture
def pole(db):
    region = RegionFactory(code="53", name="Bretagne", slug="bretagne")
    return PoleFactory(name="Pôle des Bois", region=region, status=Pole.Status.OPERATIONAL)


@pytest.mark.parametrize("name", ["poles:pole-list", "poles:embed-directory"])
def test_the_directorys_chips_follow_the_language(client, pole, name):
    query = {"q": "bois", "status": "operational"}
    french = text_of(client.get(reverse(name), query))
    assert "Statut\xa0: Opérationnel" in french and "«\xa0bois\xa0»" in french
    english = text_of(client.get(reverse(name), {**query, "lang": "en"}))
    assert "Status: Operational" in english and "“bois”" in english
    assert "Status : " not in english and "« bois »" not in english
    assert "Status\xa0: " not in english and "«\xa0bois\xa0»" not in english


def test_the_statistics_charts_name_their_bars_in_the_pages_language(client, pole):
    french = text_of(client.get(reverse("poles:statistics")))
    assert "<title>Bretagne\xa0: 1 · 0</title>" in french
    english = text_of(client.get(reverse("poles:statistics"), {"lang": "en"}))
    assert "<title>Bretagne: 1 · 0</title>" in english


def test_a_poles_indicators_read_in_the_pages_language(client, pole):
    year = datetime.date.today().year - 1
    MembershipFactory(pole=pole, joined_on=datetime.date(year - 3, 1, 1))
    YearlyIndicators.objects.create(pole=pole, year=year, status="checked", jobs_fte=12)
    french = text_of(client.get(pole.get_absolute_url()))
    assert f"{year}\xa0: 12" in french and "Entreprise de l'ESS\xa0: 1" in french
    english = text_of(client.get(pole.get_absolute_url(), {"lang": "en"}))
    assert f"{year}: 12" in english and f"{year} : " not in english
    assert f"{year}\xa0: " not in english
    assert "Social and solidarity economy (ESS) enterprise: 1" in english


def test_the_history_writes_english_dates_in_british_order(pole):
    """« 5 January 2020 » in English as on every English page, not Django's American
    « Jan. 5, 2020 »; French « 5 janvier 2020 »."""
    from django.utils import translation

    from poles.leadership.history import recent_changes

    membership = MembershipFactory(pole=pole, joined_on=datetime.date(2019, 3, 1))
    membership.joined_on = datetime.date(2020, 1, 5)
    membership.save()
    for language, before, after in [
        ("en", "1 March 2019", "5 January 2020"), ("fr", "1 mars 2019", "5 janvier 2020")
    ]:
        with translation.override(language):
            [change] = recent_changes(pole, limit=1)
            assert [(field.before, field.after) for field in change.fields] == [(before, after)]


def test_the_history_writes_decimal_numbers_as_the_language_does(pole):
    """A point's latitude read « 48.85727 » on a French page; « 48,85727 » now, and « 48.85727 »
    in English. Years stay whole numbers without a separator."""
    from django.utils import translation

    from poles.leadership.history import recent_changes

    pole.latitude, pole.longitude, pole.founded_year = 48.85727, 2.3201, 2012
    pole.save()
    for language, latitude in [("fr", "48,85727"), ("en", "48.85727")]:
        with translation.override(language):
            [change] = recent_changes(pole, limit=1)
            values = {field.after for field in change.fields}
            assert latitude in values and "2012" in values


def test_french_spaces_do_not_break_before_a_colon_or_inside_guillemets(client, pole):
    """At 360 px lines started with « : », « ; » or « » » (« Statut » then « : Opérationnel »
    below, « Coopérer, mutualiser » cut after its « »): every page's text gets no-break spaces
    there, whoever wrote it. What a form sends back (a textarea), attributes and scripts keep
    their spaces, so nothing typed changes."""
    from tests.factories import UserFactory

    pole.summary = "Exemple « Coopérer, mutualiser » : deux pôles ; et alors ?"
    pole.save()
    page = client.get(pole.get_absolute_url()).content.decode()
    assert "Exemple «\xa0Coopérer, mutualiser\xa0»\xa0: deux pôles\xa0; et alors\xa0?" in page
    assert "Statut\xa0: Opérationnel" in page and "Statut : " not in page.split("<body")[1]
    assert 'content="Exemple « Coopérer, mutualiser » : deux pôles ; et alors ?"' in page
    leader = UserFactory()
    pole.leaders.add(leader)
    client.force_login(leader)
    form = client.get(reverse("space:edit-pole", args=[pole.slug])).content.decode()
    assert ">\nExemple « Coopérer, mutualiser » : deux pôles ; et alors ?</textarea>" in form


def test_a_cached_page_is_stored_spaced(client, pole, settings, monkeypatch):
    """The page cache keeps the page as served (its size as the cap counts it): a hit has
    nothing left to space, and is not scanned again."""
    from ptce_site import typography
    from ptce_site.typography import french_spacing

    settings.PAGE_CACHE_SECONDS = 60
    client.get(pole.get_absolute_url())
    scanned = []
    monkeypatch.setattr(typography, "french_spacing", lambda text: scanned.append(text) or text)
    second = client.get(pole.get_absolute_url())
    assert scanned == []
    assert second.get("X-Page-Cache") == "hit"
    assert french_spacing(second.content.decode()) == second.content.decode()
    assert "Statut\xa0: Opérationnel" in second.content.decode()
