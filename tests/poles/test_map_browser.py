"""The map in a real browser: Playwright driving Debian's Chromium against the live server.

Tiles are off (MAP_TILES_URL empty): the region layer alone must draw France, offline.
"""

import os
from pathlib import Path

import pytest
from django.core.management import call_command

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API beside the ORM

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-results"

pytestmark = [
    # serialized_rollback: the data of migrations (Curators group, objectives) survives flushes.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Debian's chromium is not installed"),
]


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync"],
        )
        yield chromium
        chromium.close()


@pytest.fixture
def map_site(live_server, settings):
    settings.MAP_TILES_URL = ""
    call_command("load_seed_data", "--skip-communes", verbosity=0)
    return live_server


@pytest.fixture
def page(browser):
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    page.problems = []
    page.on("console", lambda m: page.problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: page.problems.append(str(error)))
    page.add_init_script(
        "window.__csp = []; document.addEventListener('securitypolicyviolation',"
        " e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));"
    )
    yield page
    page.close()


def open_map(page, url: str):
    page.goto(url)
    page.wait_for_selector("#map[data-ready='true']", timeout=15_000)


def test_map_draws_regions_counts_and_lists_a_regions_laureates(map_site, page):
    open_map(page, f"{map_site.url}/carte/?call=appel-a-projets-2013")
    assert page.locator("#map path.leaflet-interactive").count() == 18
    labels = page.locator(".region-count").all_inner_texts()
    assert sorted(int(text) for text in labels if text != "0") == sorted(
        [4, 4, 3, 2, 2, 2, 2, 2, 1, 1]
    )
    assert page.locator(".map-legend").is_visible()

    # Click Île-de-France: a real mouse click at the centre of its shape.
    box = page.evaluate(
        """() => { const layer = window.__ptceMap.layersByCode['11'];
                   const point = window.__ptceMap.map.latLngToContainerPoint(layer.getCenter());
                   const rect = document.getElementById('map').getBoundingClientRect();
                   return {x: rect.left + point.x, y: rect.top + point.y}; }"""
    )
    page.mouse.click(box["x"], box["y"])
    page.wait_for_selector("#region-panel ul.region-poles li", timeout=10_000)
    items = page.locator("#region-panel ul.region-poles li").all_inner_texts()
    assert len(items) == 4
    assert any("PHARES" in item for item in items)
    assert page.locator("#region-panel h2").inner_text() == "Île-de-France"

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "map-current-regions.png"), full_page=True)
    assert page.problems == []
    assert page.evaluate("window.__csp") == []


def test_switching_to_former_regions_draws_27(map_site, page):
    open_map(page, f"{map_site.url}/carte/?call=appel-a-projets-2013")
    page.check("input[name=level][value=former]")
    page.click("form.map-controls button[type=submit]")
    page.wait_for_selector("#map[data-ready='true']", timeout=15_000)
    assert "level=former" in page.url
    assert page.locator("#map path.leaflet-interactive").count() == 27
    labels = page.locator(".region-count").all_inner_texts()
    assert sorted((int(t) for t in labels if t != "0"), reverse=True)[:5] == [4, 3, 2, 2, 2]
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "map-former-regions.png"), full_page=True)
    assert page.problems == []
    assert page.evaluate("window.__csp") == []


def test_overseas_regions_are_reachable(map_site, page):
    open_map(page, f"{map_site.url}/carte/")
    page.click(".map-jump button[data-zoom='04']")
    center = page.evaluate("window.__ptceMap.map.getCenter()")
    assert -22 < center["lat"] < -20 and 55 < center["lng"] < 56
    # No Content-Security-Policy violation (Chromium logs them as console errors too).
    assert page.problems == [] and page.evaluate("window.__csp") == []


def test_staff_place_a_pole_by_clicking_the_admin_map(map_site, page, settings):
    from django.contrib.auth.models import Group

    from poles.models import Pole
    from poles.permissions import CURATORS_GROUP
    from tests.factories import UserFactory

    user = UserFactory(username="curatrice", is_staff=True)
    user.groups.add(Group.objects.get(name=CURATORS_GROUP))
    pole = Pole.objects.get(slug="coopaxis")
    page.goto(f"{map_site.url}/admin/login/")
    page.fill("#id_username", "curatrice")
    page.fill("#id_password", "motdepasse-solide-2026")
    page.click("input[type=submit]")
    page.goto(f"{map_site.url}/admin/poles/pole/{pole.pk}/change/")
    page.wait_for_selector("#pole-point-map.leaflet-container")
    page.locator("#pole-point-map").scroll_into_view_if_needed()
    box = page.locator("#pole-point-map").bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    latitude = float(page.input_value("#id_latitude"))
    longitude = float(page.input_value("#id_longitude"))
    assert 44 < latitude < 49 and 0 < longitude < 5
    page.click("input[name=_save]")
    page.wait_for_selector(".messagelist")
    pole.refresh_from_db()
    assert round(pole.latitude, 4) == round(latitude, 4)
    assert page.problems == [] and page.evaluate("window.__csp") == []
