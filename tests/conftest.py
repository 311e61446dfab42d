"""Fixtures shared by the whole suite, and what keeps it fast (``make test`` on two cores,
under 90 s as issue #11 asks): each worker's database copied from a migrated
template (``tests/database_template.py``); every test run with room on CPython's frame stack
(``tests/stack_room.py``); a fast password hasher; the seed loaded once per process and copied
into the tests that ask for it (``seeded``, ``seeded_with_communes``); one Chromium (its
headless shell when installed) for all the browser tests (``shared_browser``), which run last,
its pages kept from one test to the next (``browser_pages``) and one production live server
per process; each pytest-xdist worker with its own test database (pytest-django) and its own
keys in Redis."""

import gc
import os
import uuid
from contextlib import ExitStack

import pytest
from _pytest.runner import runtestprotocol
from django.conf import settings as django_settings
from django.core.management import call_command
from django.core.servers.basehttp import WSGIServer
from django.db import connections
from django.test.utils import override_settings

from tests import seed_snapshot, set_up_state
from tests.admin_helpers import plain_rendering
from tests.browser_pages import PagePool
from tests.database_template import migrations_from_a_template
from tests.factories import CuratorFactory, PoleFactory, UserFactory
from tests.kept_builds import kept_folder, static_files_digest
from tests.stack_room import with_stack_room

# Fixtures several modules share, kept apart to keep this module short.
pytest_plugins = ["tests.shared_fixtures"]

PASSWORD = "motdepasse-solide-2026"
CHROMIUM = "/usr/bin/chromium"
# Debian's chromium-headless-shell, when installed: the same Chromium (same version, same Blink)
# in its old headless mode, without the browser's own user interface. The browser tests then
# cost Chromium half the CPU (33 s instead of 61 s for the 71 of them, one process).
HEADLESS_SHELL = "/usr/bin/chromium-headless-shell"
# The shell sends no Accept-Language of its own: the one Chromium sends (the site answers in
# French whatever it says: ptce_site.middleware.LanguageMiddleware).
HEADLESS_SHELL_ARGS = ["--accept-lang=en-US,en"]
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]
PRODUCTION_STATICFILES = {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}
# The fixtures that start a browser: the tests that use one run after all the others.
BROWSER_FIXTURES = {"shared_browser", "browser"}
# gc.set_threshold(): young collections every 100,000 allocations (Python's default: 2,000),
# full ones only after 50,000 of them.
GC_THRESHOLDS = (100_000, 50, 1000)


def pytest_collection_modifyitems(items):
    """The browser tests last, in their order. Playwright's sync API runs an asyncio loop in
    the test process, which asgiref and Django then see as running (``async_to_sync`` refuses
    to run, ORM calls need DJANGO_ALLOW_ASYNC_UNSAFE): no other test should run after the
    shared browser has started. pytest-xdist hands the tests out in this order too."""
    items.sort(key=lambda item: bool(BROWSER_FIXTURES & set(getattr(item, "fixturenames", ()))))


# -- the garbage collector -------------------------------------------------------------------


def pytest_configure(config):
    """Python's cyclic collector, at its default thresholds, collects the young objects every
    2,000 allocations and walks every live object again and again at each full collection
    (modules, models, URL patterns, the seed snapshot: long-lived). The tests' garbage is young
    cycles (requests, responses, tracebacks), which the young collections still free. Over
    tests/members, tests/calls and two poles files on two workers: 3.1 s of CPU in the
    collector, 1.7 s with these thresholds; 30 MB more memory per worker."""
    gc.set_threshold(*GC_THRESHOLDS)


def pytest_collection_finish(session):
    """What is alive once the tests are collected (modules, models, URL patterns) lives for the
    whole run: out of the collector's sight (``gc.freeze()``), so that no collection walks it."""
    gc.freeze()


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_protocol(item, nextitem):
    """pytest's own protocol (set-up, call, teardown and their reports), run with room on
    CPython's frame stack (``tests/stack_room.py``): without it, Django's requests and
    templates mapped and unmapped a chunk of that stack hundreds of times each, 36 s of the
    suite's system CPU on two workers, 12 s with it."""
    item.ihook.pytest_runtest_logstart(nodeid=item.nodeid, location=item.location)
    with_stack_room(runtestprotocol, item, nextitem=nextitem)
    item.ihook.pytest_runtest_logfinish(nodeid=item.nodeid, location=item.location)
    return True


@pytest.fixture(autouse=True, scope="session")
def _fast_password_hasher():
    """Django's default hasher costs most of a second per password set or checked; the tests
    check who may do what, not the hasher (Django's documentation recommends this)."""
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture(scope="session")
def _migrations_from_a_template(django_db_blocker):
    """Open until the test database exists (``django_db_setup`` below): it is copied from a
    migrated template (tests/database_template.py) instead of migrated again."""
    with ExitStack() as template:
        template.enter_context(django_db_blocker.unblock())
        template.enter_context(migrations_from_a_template())
        yield template


@pytest.fixture(scope="session")
def django_db_setup(_migrations_from_a_template, django_db_setup, django_db_blocker):
    """pytest-django's own, with the template while it runs (and only then: the tests of data
    migrations migrate the database for real); the database as it left it kept for the
    transactional tests' ending (tests/set_up_state.py)."""
    _migrations_from_a_template.close()
    with django_db_blocker.unblock():
        set_up_state.keep()
    yield


@pytest.fixture(autouse=True, scope="session")
def _site_url():
    """The site's address is the test client's host, as SITE_URL is the real host's."""
    with override_settings(SITE_URL="http://testserver"):
        yield


@pytest.fixture
def curator(db):
    """Network staff: staff member of the Curators group, not a superuser."""
    return CuratorFactory(username="claire")


@pytest.fixture
def curator_client(client, curator):
    client.force_login(curator)
    return client


@pytest.fixture
def stranger(db):
    """A logged-in user who is neither staff nor a leader of any pole."""
    return UserFactory(username="charlie")


@pytest.fixture
def pole(db):
    return PoleFactory(name="Pôle Sud Archer")


@pytest.fixture
def alice(pole):
    """Leads the pole."""
    user = UserFactory(username="alice")
    pole.leaders.add(user)
    return user


@pytest.fixture
def bob(db):
    """Leads another pole."""
    user = UserFactory(username="bob")
    PoleFactory(name="Autre pôle").leaders.add(user)
    return user


@pytest.fixture(autouse=True)
def _empty_cache(settings):
    """Every test starts with an empty cache, in memory or in Redis, and without the page cache
    (on by default with REDIS_URL), so that each page is built and its context and queries are
    there to check; tests/test_cache.py turns it on. Pages are rebuilt in the request, not by
    a thread of their own (``PAGE_CACHE_REFRESH_IN_BACKGROUND``): another thread cannot see
    a test's uncommitted rows (tests/test_cache_refresh.py tests that thread)."""
    from django.core.cache import cache

    settings.PAGE_CACHE_SECONDS = 0
    settings.PAGE_CACHE_REFRESH_IN_BACKGROUND = False
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def plain_templates():
    """Templates rendered as in production, without the test environment's instrumentation
    (``tests/admin_helpers.plain_rendering``): for tests that read no ``response.context``."""
    with plain_rendering():
        yield


@pytest.fixture(autouse=True)
def _french_after_each_test():
    """Django's LocaleMiddleware leaves the language of a test's last request active in the
    thread: after an English page, the next test read English names (its sectors' « Wood »
    for « Bois ») or wrote its French texts to English columns, depending on the order."""
    from django.utils import translation

    yield
    translation.activate(django_settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True, scope="session")
def _cache_keys_of_this_process():
    """With Redis, the keys of this test process under a prefix of its own (worker and run),
    and ``cache.clear()`` removing those only (tests/worker_cache.py): the pytest-xdist workers,
    and other runs on the same Redis database, never clear each other's keys."""
    default = django_settings.CACHES["default"]
    if not default["BACKEND"].endswith(".RedisCache"):
        yield
        return
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    prefix = f"{default.get('KEY_PREFIX', '')}-test-{worker}-{uuid.uuid4().hex[:8]}"
    ours = {**default, "BACKEND": "tests.worker_cache.WorkerRedisCache", "KEY_PREFIX": prefix}
    with override_settings(CACHES={**django_settings.CACHES, "default": ours}):
        yield


# -- the seed, loaded once per process -------------------------------------------------------------


@pytest.fixture(scope="session")
def _seed_snapshot(django_db_setup, django_db_blocker):
    """``load_seed_data --skip-communes`` once, on the empty test database; its rows kept."""
    with django_db_blocker.unblock():
        return seed_snapshot.kept(
            "seed", lambda: call_command("load_seed_data", "--skip-communes", verbosity=0)
        )


@pytest.fixture(scope="session")
def _seed_snapshot_with_communes(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        return seed_snapshot.kept(
            "seed-with-communes", lambda: call_command("load_seed_data", verbosity=0)
        )


@pytest.fixture
def seeded(db, _seed_snapshot):
    """The reference data and the seed registry, as ``manage.py load_seed_data --skip-communes``
    loads them (regions and their outlines, sectors, sources, organisations, calls, the 30
    poles and their history), copied from the process's one run of it. Works in transactional
    tests too (``django_db(transaction=True)``, ``live_server``)."""
    _seed_snapshot.restore()


@pytest.fixture
def seeded_with_communes(db, _seed_snapshot_with_communes):
    """``seeded`` plus the 35,000 communes: all that ``manage.py load_seed_data`` loads."""
    _seed_snapshot_with_communes.restore()


# -- live servers --------------------------------------------------------------------------------


class SerialWSGIServer(WSGIServer):
    """Django's server without threads: requests run in the live server's thread, on the
    connections it was given (``LiveServerThread.run``)."""

    def __init__(self, *args, connections_override=None, **kwargs):
        super().__init__(*args, **kwargs)


def new_live_server(static_handler=None):
    """pytest-django's live server, not yet started. On SQLite's in-memory test database the
    server's threads share the test's one connection, and Django's threaded server then runs
    two requests on it at once when a page fetches two files ("bad parameter or other API
    misuse", a 500 or 503, one run in ten under load): there it answers one request at a time
    (Django closes each connection of a server without threads, so none waits for another)."""
    from django.db import connection
    from pytest_django.live_server_helper import LiveServer

    server = LiveServer("localhost", start=False)
    # Its requests run in its thread: with room on that thread's frame stack too.
    serve = server.thread.run
    server.thread.run = lambda: with_stack_room(serve)
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        server.thread.server_class = SerialWSGIServer
    if static_handler is not None:
        server.thread.static_handler = static_handler
    return server


@pytest.fixture(scope="session")
def live_server(django_db_setup, django_db_blocker):
    """As pytest-django's, through ``new_live_server()``."""
    with django_db_blocker.unblock():
        server = new_live_server()
        server.start()
    yield server
    server.stop()


def production_static_settings(static_root) -> dict:
    """The static files as in production: hashed and compressed by ``collectstatic`` into
    STATIC_ROOT, and whitenoise serving that folder alone (listed at start-up, no finders)."""
    return {
        "STATIC_ROOT": static_root,
        "STORAGES": {**django_settings.STORAGES, "staticfiles": PRODUCTION_STATICFILES},
        "WHITENOISE_USE_FINDERS": False,
        "WHITENOISE_AUTOREFRESH": False,
    }


@pytest.fixture(scope="session")
def production_static_root():
    """``collectstatic`` as in production, into a folder kept between runs for the same static
    files (tests/kept_builds.py): made by the first test process that needs it."""

    def collect(root):
        with override_settings(**production_static_settings(root)):
            call_command("collectstatic", interactive=False, verbosity=0)

    digest = static_files_digest(PRODUCTION_STATICFILES["BACKEND"])
    return kept_folder("production-static", digest, collect)


@pytest.fixture(scope="session")
def _production_server(production_static_root, django_db_setup, django_db_blocker):
    """One server per test process for ``production_live_server``: whitenoise reads its
    settings when the server builds its handler, at start-up; starting and stopping a server
    for each test cost most of a second (its loop looks for the stop every half second)."""
    with override_settings(**production_static_settings(production_static_root)):
        with django_db_blocker.unblock():
            # Not Django's StaticFilesHandler, which finds files by their plain names only:
            # requests go through the middleware, where whitenoise serves the hashed files.
            server = new_live_server(static_handler=lambda application: application)
            server.start()
    yield server
    server.stop()


@pytest.fixture
def production_live_server(settings, production_static_root, _production_server):
    """A live server with the production static files: hashed names from the manifest in the
    pages (the settings, for the test's duration), whitenoise serving STATIC_ROOT."""
    for name, value in production_static_settings(production_static_root).items():
        setattr(settings, name, value)
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "localhost"]
    return _production_server


# -- one browser for the run -----------------------------------------------------------------------


@pytest.fixture(scope="session")
def shared_browser(django_db_setup):
    """Debian's Chromium (its headless shell if installed), started once per test process
    through Playwright's sync API. Tests take their pages from ``browser_pages`` (contexts
    kept from one test to the next), or open a context of their own
    (``shared_browser.new_context(...)``) and close it; tests that use this run last (see
    ``pytest_collection_modifyitems``). Skips the test if Chromium is not installed."""
    if not os.path.exists(CHROMIUM):
        pytest.skip("Debian's chromium is not installed")
    from playwright.sync_api import sync_playwright

    # Playwright's loop runs in this thread: Django's ORM must be allowed beside it.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    playwright = sync_playwright().start()
    if os.path.exists(HEADLESS_SHELL):
        binary, args = HEADLESS_SHELL, CHROMIUM_ARGS + HEADLESS_SHELL_ARGS
    else:
        binary, args = CHROMIUM, CHROMIUM_ARGS
    browser = playwright.chromium.launch(executable_path=binary, args=args)
    yield browser
    # Inside Playwright's context Django may have opened connections of its own: closed
    # before the test databases are dropped (PostgreSQL refuses while they are open).
    connections.close_all()
    browser.close()
    playwright.stop()


@pytest.fixture(scope="session")
def _page_pool(shared_browser):
    pool = PagePool(shared_browser)
    yield pool
    pool.close()


@pytest.fixture
def browser_pages(_page_pool):
    """Opens pages in the run's Chromium: ``browser_pages(init_script=None, network=False,
    **options)``, with ``options`` those of ``Browser.new_context`` (viewport, device,
    permissions...). Each page is as if new, and given back at the end of the test for another
    to reuse (cleaned: see tests/browser_pages.py); it records ``problems``, and with
    ``network`` its requests too (``responses``, ``requested``, ``in_flight``)."""
    taken = []

    def open_page(init_script: str | None = None, *, network: bool = False, **options):
        page = _page_pool.take(init_script, network=network, **options)
        taken.append(page)
        return page

    yield open_page
    for page in taken:
        _page_pool.give_back(page)

