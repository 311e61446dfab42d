"""The point pickers in a real browser: the leaders' space and the admin share one script
(static/js/point-picker.js) on django-leaflet's map. Set-up and checks: test_map_browser."""

import os

import pytest
from django.urls import reverse

from tests.factories import CuratorFactory, PoleFactory, UserFactory
from tests.poles import test_map_browser as maps
from tests.poles.test_map_browser import (
    CHROMIUM,
    assert_clean,
    expected_marker,
    log_in,
    screenshot,
    shown_marker,
)

# The map tests' fixtures, shared (the browser: one for this module).
browser, new_page, page, site, map_site = (
    maps.browser, maps.new_page, maps.page, maps.site, maps.map_site
)
no_tiles = maps.no_tiles

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API beside the ORM

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Debian's chromium is not installed"),
]


@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_the_leaders_point_picker_shows_and_moves_the_marker(site, new_page, device):
    pole = PoleFactory(name="Pôle des Pentes", latitude=45.7676, longitude=4.8344)
    pole.leaders.add(UserFactory(username="alice"))
    page = new_page(device)
    log_in(page, site.url, "alice")
    page.goto(site.url + reverse("space:edit-pole", args=[pole.slug]))
    page.locator("#pole-point-map").scroll_into_view_if_needed()
    assert shown_marker(page, "#pole-point-map") == expected_marker(site, device)
    screenshot(page, site, f"point-picker-{device}")

    # A click north-west of the point (clear of the zoom buttons) moves the marker there.
    marker = page.locator("#pole-point-map img.leaflet-marker-icon")
    before, area = marker.bounding_box(), page.locator("#pole-point-map").bounding_box()
    page.mouse.click(area["x"] + area["width"] * 0.3, area["y"] + area["height"] * 0.3)
    assert float(page.input_value("#id_latitude")) > 45.7676
    assert float(page.input_value("#id_longitude")) < 4.8344
    after = marker.bounding_box()
    assert after["x"] < before["x"] and after["y"] < before["y"]

    # Typing a point moves the marker back.
    page.fill("#id_latitude", "45.7676")
    page.fill("#id_longitude", "4.8344")
    page.locator("#id_longitude").dispatch_event("change")
    page.wait_for_function(  # the map pans (animated) to the typed point
        """([x, y]) => { const r = document.querySelector(
             '#pole-point-map img.leaflet-marker-icon').getBoundingClientRect();
             return Math.abs(r.x - x) < 2 && Math.abs(r.y - y) < 2; }""",
        arg=[before["x"], before["y"]], timeout=5_000,
    )
    assert_clean(page)


def test_staff_place_a_pole_by_clicking_the_admin_map(map_site, page):
    from poles.models import Pole

    CuratorFactory(username="curatrice")
    pole = Pole.objects.get(slug="coopaxis")
    log_in(page, map_site.url, "curatrice")
    page.goto(f"{map_site.url}/admin/poles/pole/{pole.pk}/change/")
    page.wait_for_selector("#pole-point-map.leaflet-container")
    page.locator("#pole-point-map").scroll_into_view_if_needed()
    box = page.locator("#pole-point-map").bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    latitude = float(page.input_value("#id_latitude"))
    longitude = float(page.input_value("#id_longitude"))
    assert 44 < latitude < 49 and 0 < longitude < 5
    # The same picker as the leaders' space: the click placed its marker.
    assert page.locator("#pole-point-map img.leaflet-marker-icon").count() == 1
    page.click("input[name=_save]")
    page.wait_for_selector(".messagelist")
    pole.refresh_from_db()
    assert round(pole.latitude, 4) == round(latitude, 4)
    assert_clean(page)
