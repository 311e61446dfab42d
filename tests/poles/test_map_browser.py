"""The maps in a real browser: Playwright driving Debian's Chromium against the live server.

Every map is django-leaflet's `{% leaflet_map %}` with LEAFLET_CONFIG. Tiles are off (no tile
layer, as with MAP_TILES_URL empty): the region layer alone must draw France, offline; one
test turns them on and serves the tiles from the test itself. Most tests run twice: with the
development static files (plain names, found by the finders) and as in production (hashed and
compressed by `collectstatic` into a temporary STATIC_ROOT, served by whitenoise), where
Leaflet used to ask for "marker-icon.png" next to the page; each ends with every image and
static file answered 200, no script error and no CSP violation.
"""

import os
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.templatetags.static import static

from tests.factories import PoleFactory

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API beside the ORM

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-results"
DEVICES = {
    "desktop": {"viewport": {"width": 1280, "height": 1000}},
    # A phone's high-density screen: Leaflet then shows the retina marker image.
    "phone": {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 3,
              "is_mobile": True, "has_touch": True},
}

pytestmark = [
    # serialized_rollback: the data of migrations (Curators group, objectives) survives flushes.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Debian's chromium is not installed"),
]


@dataclass
class Site:
    url: str
    static_files: str  # "development" or "production"


@pytest.fixture
def browser(shared_browser):
    """The run's one Chromium (tests/conftest.py)."""
    return shared_browser


@pytest.fixture
def no_tiles(monkeypatch):
    """As with MAP_TILES_URL empty: LEAFLET_CONFIG is read once, at start-up, into
    django-leaflet's app_settings, which `{% leaflet_map %}` copies at each call."""
    import leaflet

    monkeypatch.setitem(leaflet.app_settings, "TILES", [])


@pytest.fixture(params=["development", "production"])
def site(request, no_tiles):
    if request.param == "production":
        server = request.getfixturevalue("production_live_server")
    else:
        server = request.getfixturevalue("live_server")
    return Site(url=server.url, static_files=request.param)


@pytest.fixture
def map_site(site, seeded):
    return site


# Content-Security-Policy violations, kept by the page for `assert_clean`.
CSP_RECORDER = (
    "window.__csp = []; document.addEventListener('securitypolicyviolation',"
    " e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));"
)


@pytest.fixture
def new_page(browser_pages):
    """Opens pages (tests/conftest.py's ``browser_pages``, as if new) that record what
    `assert_clean` checks: their script errors, the status of each image and static file
    (``network``: their requests, which `open_map` waits for too)."""

    def open_page(device: str = "desktop"):
        return browser_pages(CSP_RECORDER, network=True, **DEVICES[device])

    return open_page


@pytest.fixture
def page(new_page):
    return new_page("desktop")


def failed_responses(page) -> list[str]:
    return [f"{status} {url}" for status, url in page.responses if status != 200]


def assert_clean(page):
    """No script error, no Content-Security-Policy violation (Chromium logs them as console
    errors too), and every image and static file the page asked for answered 200."""
    assert failed_responses(page) == []
    assert page.problems == []
    assert page.evaluate("window.__csp") == []


def shown_marker(page, map_selector: str) -> str:
    """The URL of the marker image shown inside the map, once the image has really loaded."""
    marker = page.locator(f"{map_selector} img.leaflet-marker-icon")
    marker.wait_for(state="visible", timeout=10_000)
    for image in (marker, page.locator(f"{map_selector} img.leaflet-marker-shadow")):
        element = image.element_handle()
        # `complete` is true once the image has loaded or failed to: then it has a size or not.
        page.wait_for_function("image => image.complete", arg=element, timeout=10_000)
        assert element.evaluate("image => image.naturalWidth") > 0, (
            f"broken image {element.get_attribute('src')}: {failed_responses(page)}"
        )
    area, icon = page.locator(map_selector).bounding_box(), marker.bounding_box()
    assert area["x"] <= icon["x"] and icon["x"] + icon["width"] <= area["x"] + area["width"]
    assert area["y"] <= icon["y"] and icon["y"] + icon["height"] <= area["y"] + area["height"]
    return marker.get_attribute("src")


def expected_marker(site: Site, device: str) -> str:
    """What `{% static %}` gives for the marker image, hashed under production static files."""
    name = "leaflet/images/" + ("marker-icon-2x.png" if device == "phone" else "marker-icon.png")
    url = static(name)
    assert (url == f"/static/{name}") == (site.static_files == "development")
    return url


def screenshot(page, site: Site, name: str) -> None:
    """A picture of the page for people to look at (``SCREENSHOTS=1 make test``), not checked:
    each costs a quarter of a second."""
    if not os.environ.get("SCREENSHOTS"):
        return
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}-{site.static_files}.png"), full_page=True)


def log_in(page, url: str, username: str) -> None:
    """The user's session in the page's cookies for the server at ``url``, as after the login
    form, without its two page loads: the form itself is tested in the browser elsewhere
    (tests/test_hostile_registry_filling.py, tests/test_accessibility.py)."""
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client

    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": url}])


def open_map(page, url: str):
    page.goto(url)
    page.wait_for_selector("#map[data-ready='true']", timeout=15_000)
    # The poles' points and the fonts load after the regions: a key pressed before they are in
    # could meet a page still settling (seen once in two runs of this file after others).
    page.wait_for_selector("#map[data-points-ready='true']", state="attached", timeout=15_000)
    page.evaluate("document.fonts.ready.then(() => true)")
    # And the map still: the keyboard test of the clusters failed once in a CI run, and one
    # run in two here, once Playwright's "networkidle" (half a second of silence, 12% of this
    # file's time) was no longer waited for. The cause: the map's first fitBounds is animated
    # (a quarter of a second, begun at the next frame), and Leaflet drops a fitBounds asked
    # during a zoom animation, so the Enter on a region did not zoom in.
    page.evaluate("new Promise(done => requestAnimationFrame(() => done(true)))")
    page.wait_for_selector("#map .leaflet-zoom-anim", state="detached", timeout=5_000)
    # And nothing in flight (the favicon, at most: no web fonts, no tiles here).
    page.wait_for_load_state("load")
    while page.in_flight:
        page.wait_for_timeout(10)  # Playwright's events, answers included, come in meanwhile


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

    screenshot(page, map_site, "map-current-regions")
    assert_clean(page)


def focused(page) -> dict:
    return page.evaluate(
        "() => { const e = document.activeElement; return {tag: e.tagName.toLowerCase(),"
        " role: e.getAttribute('role'), label: e.getAttribute('aria-label') || ''}; }"
    )


def test_the_keyboard_reaches_each_region_and_enter_lists_its_poles(map_site, page):
    open_map(page, f"{map_site.url}/carte/?call=appel-a-projets-2013")
    page.focus("#map")
    names = []
    for _ in range(18):
        page.keyboard.press("Tab")
        now = focused(page)
        assert (now["tag"], now["role"]) == ("path", "button"), now
        names.append(now["label"])
    # Each of the 18 regions in turn, its name and count announced.
    assert len(set(names)) == 18
    assert "Île-de-France\xa0: 4 lauréats" in names
    # French counts 0 and 1 in the singular (« 1 lauréats » was read out).
    assert "Bretagne\xa0: 0 lauréat" in names
    assert any(name.endswith("\xa0: 1 lauréat") for name in names)

    page.focus("#map")
    while focused(page)["label"] != "Île-de-France\xa0: 4 lauréats":
        page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.wait_for_selector("#region-panel ul.region-poles li", timeout=10_000)
    assert page.locator("#region-panel h2").inner_text() == "Île-de-France"
    assert page.locator("#region-panel ul.region-poles li").count() == 4
    assert page.locator("#region-panel p").first.inner_text() == "4 pôles"
    assert_clean(page)


def test_switching_to_former_regions_draws_27(map_site, page):
    open_map(page, f"{map_site.url}/carte/?call=appel-a-projets-2013")
    page.check("input[name=level][value=former]")
    page.click("form.map-controls button[type=submit]")
    page.wait_for_selector("#map[data-ready='true']", timeout=15_000)
    assert "level=former" in page.url
    assert page.locator("#map path.leaflet-interactive").count() == 27
    labels = page.locator(".region-count").all_inner_texts()
    assert sorted((int(t) for t in labels if t != "0"), reverse=True)[:5] == [4, 3, 2, 2, 2]
    screenshot(page, map_site, "map-former-regions")
    assert_clean(page)


def test_overseas_regions_are_reachable(map_site, page):
    open_map(page, f"{map_site.url}/carte/")
    page.click(".map-jump button[data-zoom='04']")
    # Leaflet may animate the move: wait until the map shows the island, not for a time.
    page.wait_for_function(
        "() => { const c = window.__ptceMap.map.getCenter(); return c.lat < -20; }",
        timeout=5_000,
    )
    center = page.evaluate("window.__ptceMap.map.getCenter()")
    assert -22 < center["lat"] < -20 and 55 < center["lng"] < 56
    assert_clean(page)


def test_many_poles_in_one_town_are_clustered(map_site, page):
    from poles.models import Region

    rhone_alpes = Region.objects.get(code="84")
    from poles.registry.search.indexer import deferred_indexing

    with deferred_indexing():  # the 30 poles indexed at once
        for number in range(30):  # around Lyon, a few hundred metres apart
            PoleFactory(name=f"Pôle lyonnais {number}", region=rhone_alpes,
                        latitude=45.75 + (number % 6) * 0.004,
                        longitude=4.84 + (number // 6) * 0.004)
    open_map(page, f"{map_site.url}/carte/")
    assert page.locator(".pole-cluster").count() == 0  # no points over the whole of France
    page.focus("#map")
    while not focused(page)["label"].startswith("Auvergne-Rhône-Alpes"):
        page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # zooms in on the region: its poles appear, in one cluster
    cluster = page.locator(".pole-cluster")
    cluster.wait_for(timeout=10_000)
    assert cluster.count() == 1
    assert cluster.get_attribute("role") == "button"
    assert cluster.inner_text().split() == ["30", "pôles"]

    zoom = page.evaluate("window.__ptceMap.map.getZoom()")
    cluster.focus()
    page.keyboard.press("Enter")  # a cluster opens from the keyboard too: the map zooms in
    page.wait_for_function(f"window.__ptceMap.map.getZoom() > {zoom}", timeout=10_000)
    screenshot(page, map_site, "map-clusters")
    assert_clean(page)


def test_the_home_pages_small_map_starts_when_scrolled_into_view(map_site, new_page):
    page = new_page("phone")
    page.goto(f"{map_site.url}/")
    page.wait_for_load_state("load")
    # Below the fold: not built yet, nothing fetched.
    assert page.locator(".mini-map.leaflet-container").count() == 0
    # (Every request: `responses` holds images and static files only, never the regions.)
    assert not any("regions.geojson" in url for url in page.requested)
    assert any("/static/js/map." in url for url in page.requested)  # its script, though
    page.locator(".mini-map").scroll_into_view_if_needed()
    page.wait_for_selector(".mini-map[data-ready='true']", timeout=15_000)
    assert page.locator(".mini-map path.leaflet-interactive").count() == 18
    assert_clean(page)


@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_a_poles_page_shows_its_marker(site, new_page, device):
    pole = PoleFactory(name="Pôle des Olivettes", latitude=47.2184, longitude=-1.5536)
    page = new_page(device)
    page.goto(site.url + pole.get_absolute_url())
    page.locator("#pole-map").scroll_into_view_if_needed()
    assert shown_marker(page, "#pole-map") == expected_marker(site, device)
    assert page.locator("#pole-map img.leaflet-marker-icon").get_attribute("alt") == pole.name
    screenshot(page, site, f"pole-marker-{device}")
    assert_clean(page)


# A tile, served by the test: no request leaves the machine.
TILE = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c63f8cfc0f01f0005000201a2dd6a5a0000000049454e44ae426082"
)


def test_tiles_and_their_attribution_come_from_leaflet_config(live_server, new_page):
    from django.conf import settings

    pole = PoleFactory(name="Pôle des Tuiles", latitude=45.7676, longitude=4.8344)
    page = new_page("desktop")
    tiles = []

    def serve_tile(route):
        tiles.append(route.request.url)
        route.fulfill(status=200, content_type="image/png", body=TILE)

    origin = settings.MAP_TILES_URL.split("/{z}")[0]
    page.route(origin + "/**", serve_tile)
    page.goto(live_server.url + pole.get_absolute_url())
    page.locator("#pole-map").scroll_into_view_if_needed()
    page.wait_for_selector("#pole-map img.leaflet-tile-loaded", timeout=10_000)
    assert tiles and all(url.startswith(origin + "/11/") for url in tiles)
    links = page.locator("#pole-map .leaflet-control-attribution a")
    assert links.all_inner_texts() == ["Leaflet", "les contributeurs d'OpenStreetMap"]
    # Told apart from the text around them without relying on colour (axe: link-in-text-block).
    decorations = links.evaluate_all(
        "links => links.map(a => getComputedStyle(a).textDecorationLine)"
    )
    assert decorations == ["underline", "underline"]
    assert_clean(page)
