"""Search engines: hreflang alternates, og:image, and schema.org JSON-LD on pole and call pages."""

import json
import re

import pytest
from django.contrib.staticfiles import finders

from tests.factories import PoleFactory

pytestmark = pytest.mark.django_db


def json_ld(html: str) -> dict:
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert len(blocks) == 1
    return json.loads(blocks[0])


def no_empty_values(value) -> bool:
    items = value.values() if isinstance(value, dict) else value
    if not isinstance(value, dict | list):
        return True
    return all(item not in (None, "", [], {}) and no_empty_values(item) for item in items)


def test_every_public_page_names_its_french_and_english_versions(seeded, client):
    for path in ("/", "/poles/", "/statistiques/", "/appels/appel-a-projets-2013/"):
        html = client.get(f"{path}?lang=en").content.decode()
        assert f'hreflang="fr" href="http://testserver{path}"' in html
        assert f'hreflang="en" href="http://testserver{path}?lang=en"' in html
        assert f'hreflang="x-default" href="http://testserver{path}"' in html
        assert f'rel="canonical" href="http://testserver{path}?lang=en"' in html
    html = client.get("/carte/").content.decode()
    image = re.search(r'<meta property="og:image" content="http://testserver([^"]+)"', html)
    assert finders.find(image.group(1).removeprefix("/static/"))
    assert '<meta property="og:title"' in html and '<meta property="og:description"' in html


def test_a_poles_page_describes_it_as_an_organization(seeded, client):
    pole = PoleFactory(
        name="Pôle </script><b>", commune_name="Ancenis-Saint-Géréon", territory="Pays d'Ancenis",
        website="", summary="",
    )
    html = client.get(pole.get_absolute_url()).content.decode()
    assert "</script><b>" not in html.split('application/ld+json">')[1].split("</script>")[0]
    data = json_ld(html)
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "Organization"
    assert data["name"] == "Pôle </script><b>"
    assert data["url"] == f"http://testserver{pole.get_absolute_url()}"
    assert data["address"]["@type"] == "PostalAddress"
    assert data["address"]["addressLocality"] == "Ancenis-Saint-Géréon"
    assert data["address"]["addressCountry"] == "FR"
    assert data["areaServed"] == {"@type": "AdministrativeArea", "name": "Pays d'Ancenis"}
    assert "sameAs" not in data and "description" not in data  # unknown stays out
    assert no_empty_values(data)


def test_a_calls_page_lists_its_milestones_as_events(seeded, client):
    data = json_ld(client.get("/appels/appel-a-candidature-2011/").content.decode())
    assert data["@context"] == "https://schema.org"
    events = data["@graph"]
    assert len(events) == 5
    for event in events:
        assert event["@type"] == "Event"
        assert event["name"] and re.fullmatch(r"\d{4}-\d{2}-\d{2}", event["startDate"])
        assert event["url"] == "http://testserver/appels/appel-a-candidature-2011/"
        assert all(o["@type"] == "Organization" and o["name"] for o in event["organizer"])
    assert events[0]["startDate"] == "2011-10-30"
    assert no_empty_values(data)
    english = json_ld(client.get("/appels/appel-a-candidature-2011/?lang=en").content.decode())
    assert english["@graph"][0]["name"].startswith("Launch of the call for candidates")
