"""The directory's filter panel in Chromium: folded on a phone, unfolded on a wide screen,
decided before the page is drawn (nothing moves after load), usable without JavaScript and
from the keyboard."""

import os

import pytest

from tests.factories import PoleFactory, RegionFactory
from tests.poles.test_map_browser import CHROMIUM

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Debian's chromium is not installed"),
]

PHONE = {"width": 412, "height": 823}
WIDE = {"width": 1280, "height": 900}
# The layout shifts of the page since it started loading (what Lighthouse adds up as CLS).
LAYOUT_SHIFT = """() => new Promise(resolve => {
  let total = 0;
  new PerformanceObserver(list => {
    for (const entry of list.getEntries()) if (!entry.hadRecentInput) total += entry.value;
  }).observe({type: "layout-shift", buffered: true});
  setTimeout(() => resolve(total), 600);
})"""


@pytest.fixture
def directory(live_server):
    region = RegionFactory(name="Grand Est", slug="grand-est")
    for n in range(12):
        PoleFactory(name=f"Pôle {n}", region=region)
    return live_server.url + "/poles/"


def open_page(browser_pages, url, viewport, *, javascript=True):
    # JavaScript on is a context's default: not named, so that the page is shared with the
    # other tests of that viewport (a context made costs Chromium a renderer process).
    options = {} if javascript else {"java_script_enabled": False}
    page = browser_pages(viewport=viewport, **options)
    page.goto(url)
    page.wait_for_load_state("load")
    return page


@pytest.mark.parametrize("viewport", [PHONE, WIDE], ids=["phone", "wide"])
@pytest.mark.parametrize("path", ["", "?region=grand-est"], ids=["all", "filtered"])
def test_the_directory_does_not_move_after_load(browser_pages, directory, viewport, path):
    page = open_page(browser_pages, directory + path, viewport)
    assert page.evaluate(LAYOUT_SHIFT) < 0.01
    assert page.locator(".filters-panel form").is_visible() == (viewport is WIDE)


@pytest.mark.parametrize("viewport", [PHONE, WIDE], ids=["phone", "wide"])
def test_the_panel_works_without_javascript(browser_pages, directory, viewport):
    page = open_page(browser_pages, directory, viewport, javascript=False)
    form = page.locator(".filters-panel form")
    assert form.is_visible() == (viewport is WIDE)
    if viewport is PHONE:
        page.locator(".filters-panel summary").click()
        assert form.is_visible()
        page.select_option("#id_region", "grand-est")
        page.locator(".filters-panel button[type=submit]").click()
        page.wait_for_url("**region=grand-est**")


def test_the_panel_opens_from_the_keyboard_on_a_phone(browser_pages, directory):
    page = open_page(browser_pages, directory, PHONE)
    page.locator(".filters-panel summary").focus()
    page.keyboard.press("Enter")
    assert page.locator(".filters-panel form").is_visible()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "id_q"
