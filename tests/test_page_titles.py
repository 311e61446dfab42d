"""Each public page's title (the browser tab, search results, what a screen reader announces
first) names the page as its heading does (WCAG 2.4.2): a visitor with several tabs, or coming
from a search engine, finds the page they chose under the name they saw."""

import html
import re

import pytest

from calls.models import Call
from members.models import Organisation
from poles.models import Event, Pole, Region

SUFFIX = {"fr": " · Registre des PTCE", "en": " · PTCE registry"}


def _text(fragment: str) -> str:
    text = html.unescape(re.sub(r"<[^>]+>", "", fragment))
    return " ".join(text.replace("\u202f", " ").replace("\xa0", " ").split())


def _title_and_heading(page: str) -> tuple[str, str]:
    title = re.search(r"<title>(.*?)</title>", page, re.S).group(1)
    heading = re.search(r"<h1[^>]*>(.*?)</h1>", page, re.S).group(1)
    return _text(title), _text(heading)


def _public_pages() -> list[str]:
    pole = Pole.objects.published().order_by("pk").first()
    return [
        "/poles/", "/carte/", "/regions/", "/appels/", "/organisations/", "/reseau/",
        "/proposer/", "/chronologie/", "/charte/", "/a-propos/", "/contact/", "/statistiques/",
        "/compte/login/", "/compte/password_reset/",
        pole.get_absolute_url(), f"{pole.get_absolute_url()}porter/",
        Region.objects.filter(poles__is_published=True).order_by("pk").first().get_absolute_url(),
        Call.objects.order_by("pk").first().get_absolute_url(),
        Organisation.objects.public().order_by("pk").first().get_absolute_url(),
        Event.objects.order_by("pk").first().get_absolute_url(),
    ]


@pytest.mark.parametrize("language", ["fr", "en"])
def test_every_public_page_is_titled_as_its_heading(client, seeded, language):
    mismatched = []
    for path in _public_pages():
        response = client.get(path, {"lang": language})
        assert response.status_code == 200, path
        title, heading = _title_and_heading(response.content.decode())
        # The site's name follows; the heading leads, in the page's language.
        if title != f"{heading} {_text(SUFFIX[language])}":
            mismatched.append((path, title, heading))
    assert mismatched == []
