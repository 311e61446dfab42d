"""Accessibility of the pages, checked in Chromium by axe-core (WCAG 2 A and AA rules and
best practices): labels, names, contrast, landmarks, headings, ARIA, language."""

import functools
import json
import os
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from tests.conftest import PASSWORD
from tests.factories import MembershipFactory, PoleFactory, UserFactory
from tests.poles.test_map_browser import CHROMIUM, TILE

AXE = Path(__file__).parent / "assets" / "axe.min.js"

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Debian's chromium is not installed"),
]

PUBLIC_PAGES = [
    "/",
    "/poles/",
    "/poles/?q=solidaire&region=nope",
    "/poles/ardaynes/",
    "/poles/ardaynes/porter/",
    "/regions/",
    "/appels/",
    "/organisations/",
    "/carte/",
    "/statistiques/",
    "/integrer/carte/?call=appel-a-projets-2013",
    "/integrer/annuaire/?region=ile-de-france",
    "/appels/appel-a-projets-2013/",
    "/appels/appel-a-candidature-2011/",  # its examples, no laureates (#12)
    "/a-propos/",
    "/chronologie/?year=abc",  # the timeline and the notice of an ignored filter (#15)
    "/chronologie/2013-02-28-3e-seminaire-de-travail/",
    "/charte/",  # the charter and its signatories (#15): the pole below signed it
    "/reseau/?region=nulle-part",  # the country's drawing and the notice of a bad region (#15)
    "/api/v1/docs/",
    "/compte/login/",
    "/compte/password_reset/",
    "/compte/invitation/lien-inconnu/",
    "/page-qui-n-existe-pas/",
]


def violations(page, url: str) -> list[str]:
    page.goto(url)
    wait_for_maps(page)
    return axe_violations(page)


def wait_for_maps(page) -> None:
    """Brings each map into view (the small ones start only then) and waits until it is drawn:
    axe then sees the regions, markers, controls and attribution the visitor sees."""
    for element in page.locator("[data-leaflet-map]").all():
        name = element.get_attribute("data-leaflet-map")
        target = page.locator(f"#{name}") if name else element
        if target.is_hidden():
            continue
        target.scroll_into_view_if_needed()
        target.and_(page.locator(".leaflet-container")).wait_for(timeout=10_000)
        if target.get_attribute("data-ptce-map") is not None:
            target.and_(page.locator("[data-ready='true']")).wait_for(timeout=15_000)
            # Its first fitBounds is animated, from the next frame on; Leaflet drops a fitBounds
            # asked meanwhile (a region chosen from the keyboard, then, did not zoom in).
            page.evaluate("new Promise(done => requestAnimationFrame(() => done(true)))")
            target.locator(".leaflet-zoom-anim").wait_for(state="detached", timeout=5_000)


@functools.cache
def axe_source() -> str:
    return AXE.read_text()


def axe_page(browser_pages, **options):
    """A page (``browser_pages``) that gets axe-core as each document starts, in the top frame
    only (as when a test injected it into a loaded page): not 650 kB sent and evaluated again
    for each page. ``bypass_csp``: the site's CSP would refuse a script it did not serve."""
    script = "if (window === window.top) {\n" + axe_source() + "\n}"
    return browser_pages(script, bypass_csp=True, **options)


def axe_violations(page) -> list[str]:
    if page.evaluate("typeof window.axe === 'undefined'"):  # a page without axe_page()'s script
        page.evaluate(axe_source())
    found = page.evaluate(
        """async () => {
            const result = await axe.run(document, {
                runOnly: ['wcag2a', 'wcag2aa', 'wcag21aa', 'best-practice'],
                resultTypes: ['violations'],  // no details kept for the rules that pass
            });
            return result.violations.map(v => ({
                rule: v.id, impact: v.impact, where: v.nodes.slice(0, 3).map(n => n.target),
            }));
        }"""
    )
    return [json.dumps(item, ensure_ascii=False) for item in found]


@pytest.fixture
def site(live_server, seeded):
    return live_server


@pytest.fixture
def page(browser_pages):
    page = axe_page(browser_pages, viewport={"width": 1280, "height": 900})
    # The maps' tiles (LEAFLET_CONFIG, from MAP_TILES_URL) served here: their attribution, with
    # its links, is on the page as in production, and no request leaves the machine.
    tiles = settings.MAP_TILES_URL.split("/{z}")[0]
    page.route(tiles + "/**", lambda route: route.fulfill(content_type="image/png", body=TILE))
    return page


# The pages are checked in slices, one test each, so that pytest-xdist's workers share them
# (one test of 20 s at the end of the run set the length of the whole run).
SHARES = 3


@pytest.mark.parametrize("share", range(SHARES))
def test_public_pages_have_no_accessibility_violation(site, page, share):
    from poles.models import YearlyIndicators

    placed = PoleFactory(
        is_published=True, latitude=47.2, longitude=-1.55, commune_name="Nantes",
        charter_signed_on="2015-03-02",
    )
    shared = MembershipFactory(pole=placed).organisation
    # A second pole of its region sharing that member: /reseau/ draws and lists their link.
    MembershipFactory(organisation=shared, pole=PoleFactory(
        is_published=True, latitude=47.3, longitude=-1.4, region=placed.region))
    for year, jobs in ((2022, 12), (2023, 14.5)):  # its trend charts, and the statistics' (#15)
        YearlyIndicators.objects.create(
            pole=placed, year=year, jobs_fte=jobs, budget_euros=400_000, status="checked"
        )
    network = f"/reseau/?region={placed.region.slug}"
    urls = [*PUBLIC_PAGES, placed.get_absolute_url(), network, f"{network}&list=organisations"]
    problems = {url: violations(page, site.url + url) for url in urls[share::SHARES]}
    assert {url: found for url, found in problems.items() if found} == {}


def test_the_api_pages_have_no_accessibility_violation_on_a_phone(site, browser_pages):
    """At 320 px their example and tables were wider than the screen: regions that scroll
    sideways, which a keyboard could not reach (axe's scrollable-region-focusable)."""
    phone = axe_page(browser_pages, viewport={"width": 320, "height": 800})
    urls = [reverse("poles:api-index"), reverse("api-v1:docs"), reverse("api-v1:docs") + "?lang=en"]
    problems = {url: violations(phone, site.url + url) for url in urls}
    assert {url: found for url, found in problems.items() if found} == {}


def test_the_leaders_space_has_no_accessibility_violation(site, page):
    from poles.models import Pole

    pole = Pole.objects.get(slug="ardaynes")
    MembershipFactory(pole=pole)
    leader = UserFactory(username="alice")
    pole.leaders.add(leader)

    page.goto(site.url + reverse("login"))
    page.fill("#id_username", "alice")
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert page.url.endswith(reverse("space:my-poles"))

    urls = [
        reverse("space:my-poles"),
        reverse("space:edit-pole", args=[pole.slug]),
        reverse("space:pole-members", args=[pole.slug]),
        reverse("space:pole-history", args=[pole.slug]),
        reverse("space:pole-indicators", args=[pole.slug]),
        reverse("space:pole-indicator", args=[pole.slug, 2023]),
    ]
    problems = {url: violations(page, site.url + url) for url in urls}
    assert {url: found for url, found in problems.items() if found} == {}


def test_the_map_with_a_region_chosen_and_clustered_poles_has_no_violation(site, page):
    from poles.models import Region

    region = Region.objects.get(code="84")
    for number in range(12):
        PoleFactory(region=region, latitude=45.75 + number * 0.002, longitude=4.84)
    page.goto(site.url + "/carte/")
    wait_for_maps(page)
    page.focus("#map")
    page.keyboard.press("Tab")
    while not (page.evaluate("document.activeElement.getAttribute('aria-label')") or "").startswith(
        "Auvergne-Rhône-Alpes"
    ):
        page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.wait_for_selector("#region-panel ul.region-poles li")
    page.wait_for_selector(".pole-cluster")
    assert axe_violations(page) == []
