"""A partner's page on another origin (127.0.0.1, a tiny http.server) frames the embeddable
map served by the live server (localhost): it renders, counts right, raises no CSP violation."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.servers.basehttp import WSGIServer

from tests.poles.test_map_browser import (  # noqa: F401 - fixtures
    CHROMIUM,
    assert_clean,
    new_page,
    no_tiles,
    os,
)

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Debian's chromium is not installed"),
]


@pytest.fixture
def map_site(transactional_db, seeded, no_tiles, live_server, monkeypatch):  # noqa: F811
    """The live server, whose one-request-at-a-time server (SQLite in memory) gives up on a
    silent connection after half a second: Chromium opens a spare connection to a framed
    page's origin and sends nothing on it, which held the server (and the frame) forever."""
    from tests.conftest import SerialWSGIServer

    def get_request(self):
        connection, address = WSGIServer.get_request(self)
        connection.settimeout(0.5)
        return connection, address

    monkeypatch.setattr(SerialWSGIServer, "get_request", get_request)
    return live_server


class _PartnerPage(BaseHTTPRequestHandler):
    embed_url = ""

    def do_GET(self):  # noqa: N802 - http.server's name
        body = (
            "<!doctype html><html lang='fr'><title>Partenaire</title>"
            f"<iframe id='ptce' src='{self.embed_url}' width='900' height='700'></iframe>"
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_a_partner_site_on_another_origin_frames_the_map(map_site, new_page):  # noqa: F811
    embed = f"{map_site.url}/integrer/carte/?call=appel-a-projets-2013"
    handler = type("Handler", (_PartnerPage,), {"embed_url": embed})
    partner = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=partner.serve_forever, daemon=True).start()
    try:
        page = new_page("desktop")
        page.goto(f"http://127.0.0.1:{partner.server_address[1]}/", wait_until="commit")
        frame = page.frame_locator("#ptce")
        frame.locator("#map[data-ready='true']").wait_for(state="attached", timeout=15_000)
        assert frame.locator("#map path.leaflet-interactive").count() == 18
        assert frame.locator(".embed-total").get_attribute("data-total-laureates") == "23"
        assert sum(map(int, frame.locator(".region-count").all_inner_texts())) == 23
        inner = page.frames[1]
        staying = inner.evaluate(
            "[...document.querySelectorAll('a')].filter(a => !a.closest('.leaflet-control-zoom')"
            " && !(a.target === '_blank' && a.rel === 'noopener')).map(a => a.href)"
        )
        assert staying == []  # the registry's links and the credits open a new tab
        assert inner.evaluate("window.__csp") == []
        assert_clean(page)
    finally:
        partner.shutdown()


def test_the_embed_code_is_copied_from_the_keyboard(map_site, browser_pages):
    page = browser_pages(permissions=["clipboard-read", "clipboard-write"])
    page.goto(f"{map_site.url}/poles/?region=ile-de-france")
    page.locator(".embed-code summary").focus()
    page.keyboard.press("Enter")  # opens the <details>
    page.locator(".embed-code textarea").focus()
    page.keyboard.press("Tab")  # to the copy button
    assert page.evaluate("document.activeElement.dataset.copy") == "embed-code-directory"
    page.keyboard.press("Enter")
    page.locator(".embed-copy-status").filter(has_text="Code copié.").wait_for(timeout=5_000)
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == page.locator(".embed-code textarea").input_value()
    assert copied.startswith('<iframe src="http')
    assert "/integrer/annuaire/?region=ile-de-france" in copied
