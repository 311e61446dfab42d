"""Browser pages kept open from one browser test to the next (``browser_pages`` in
tests/conftest.py). A new context and its first page cost Chromium a new renderer process, a
quarter of a second or more per test on two busy cores; a page given back is instead cleaned:
its routes removed, its document replaced by about:blank (nothing left running or fetching),
its context's cookies and HTTP cache emptied. The site keeps nothing else in the browser (no
local or session storage, no service worker). Pages are shared only between tests asking for
the same context options and init script: those stay as each test asked.

Every page records, for the test that holds it, its script errors (``problems``); and, when
the test asks for it (``network=True``), the status of each image and static file
(``responses``), the URL of every request (``requested``) and the requests still unanswered
(``in_flight``). Playwright sends a page's network events to the test process only while
something listens to them (four messages a request, each read and turned into Python objects):
the tests that check no request do without, and a page without them has no such attribute,
so that a test reading one cannot pass on an empty list."""

from __future__ import annotations

import json

# Pages left open between tests, at most: the least recently used beyond it are closed.
IDLE_PAGES = 8
NETWORK_RECORDS = ("responses", "in_flight", "requested")


class PagePool:
    def __init__(self, browser):
        self.browser = browser
        self.idle: list = []  # least recently given back first

    def take(self, init_script: str | None = None, *, network: bool = False, **options):
        """A page of a context made with ``options`` (``Browser.new_context``'s) and
        ``init_script`` added to it, as if new: only the test's own events recorded, its
        requests too with ``network``."""
        key = json.dumps([init_script, options], sort_keys=True, default=str)
        page = next((page for page in reversed(self.idle) if page.pool_key == key), None)
        if page is None:
            page = self._new_page(init_script, options)
            page.pool_key = key
        else:
            self.idle.remove(page)
        page.problems = []  # script errors and console errors
        if network:
            page.responses = []  # (status, url) of every image and static file
            page.in_flight = set()  # requests sent and not yet answered
            page.requested = []  # the URL of every request sent
            for event, handler in page.network_handlers.items():
                page.on(event, handler)
        return page

    def give_back(self, page) -> None:
        recorded = hasattr(page, "requested")
        for name in NETWORK_RECORDS if recorded else ():
            delattr(page, name)
        try:
            for event, handler in page.network_handlers.items() if recorded else ():
                page.remove_listener(event, handler)
            page.unroute_all(behavior="ignoreErrors")
            page.goto("about:blank")  # stops the test's document: no request comes after it
            page.context.clear_cookies()
            page.cdp.send("Network.clearBrowserCache")
        except Exception:  # a page left unusable (crashed, closed): not kept
            page.context.close()
            return
        self.idle.append(page)
        while len(self.idle) > IDLE_PAGES:
            self.idle.pop(0).context.close()

    def close(self) -> None:
        for page in self.idle:
            page.context.close()
        self.idle = []

    def _new_page(self, init_script, options):
        context = self.browser.new_context(**options)
        if init_script:
            context.add_init_script(init_script)
        page = context.new_page()
        page.cdp = context.new_cdp_session(page)

        def record(response):
            if response.request.resource_type == "image" or "/static/" in response.url:
                page.responses.append((response.status, response.url))

        def sent(request):
            page.in_flight.add(request)
            page.requested.append(request.url)

        def answered(request):
            page.in_flight.discard(request)

        # Registered once per page: each reads the list of the test holding the page.
        page.on("console", lambda m: page.problems.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda error: page.problems.append(str(error)))
        # Listened to only while a test that asked for them holds the page (``take``).
        page.network_handlers = {
            "response": record,
            "request": sent,
            "requestfinished": answered,
            "requestfailed": answered,
        }
        return page
