"""Security headers of the main pages, production-only settings (HSTS, secure cookies), and
a clean 503 when the database is unreachable."""

import os
import re
import subprocess
import sys

import pytest
from django.db import OperationalError
from django.test import Client

from ptce_site.settings import BASE_DIR
from tests import production
from tests.factories import CallFactory, OrganisationFactory

pytestmark = pytest.mark.django_db

SCRIPT_TAG = re.compile(r"<script\b([^>]*)>")


@pytest.fixture
def urls(pole):
    call = CallFactory(slug="appel-2013")
    organisation = OrganisationFactory(slug="cooperative-lumiere")
    return [
        "/",
        "/poles/",
        "/poles/?q=archer",
        pole.get_absolute_url(),
        pole.region.get_absolute_url(),
        "/regions/",
        "/carte/",
        "/appels/",
        call.get_absolute_url(),
        "/organisations/",
        organisation.get_absolute_url(),
        "/a-propos/",
        "/api/poles.geojson",
        "/api/regions.geojson",
        "/compte/login/",
        "/admin/login/",
    ]


def assert_secure_headers(response, url: str) -> None:
    csp = response["Content-Security-Policy"]
    directives = dict(
        (part.strip().split(" ", 1) + [""])[:2] for part in csp.split(";") if part.strip()
    )
    assert directives["default-src"] == "'self'", url
    assert directives["script-src"].startswith("'self'"), url
    assert directives["style-src"] == "'self'", url
    assert directives["object-src"] == "'none'", url
    assert directives["frame-ancestors"] == "'none'", url
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp, url
    assert response["X-Frame-Options"] == "DENY", url
    assert response["X-Content-Type-Options"] == "nosniff", url
    assert response["Referrer-Policy"] == "same-origin", url
    assert response["Cross-Origin-Opener-Policy"] == "same-origin", url


def assert_scripts_are_allowed(response, url: str) -> None:
    """Each script is a file of the site, JSON data (JSON-LD included: data, never run), or
    carries this response's nonce."""
    if not response["Content-Type"].startswith("text/html"):
        return
    nonce = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"])
    for attributes in SCRIPT_TAG.findall(response.content.decode()):
        if 'src="/' in attributes or re.search(r'type="application/(ld\+)?json"', attributes):
            continue
        assert nonce and f'nonce="{nonce.group(1)}"' in attributes, (url, attributes)


def test_main_pages_carry_the_security_headers(client, urls):
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_secure_headers(response, url)
        assert_scripts_are_allowed(response, url)


def test_main_pages_from_the_page_cache_carry_them_too(client, urls, settings):
    settings.PAGE_CACHE_SECONDS = 600
    for url in urls:
        client.get(url)
        response = client.get(url)
        assert_secure_headers(response, url)
        assert_scripts_are_allowed(response, url)


def test_inline_scripts_get_a_fresh_nonce_that_the_policy_names(client):
    """The admin's inline scripts: one nonce per response, in the header and the tags."""
    first, second = client.get("/admin/login/"), client.get("/admin/login/")
    nonces = [re.search(r"'nonce-([^']+)'", r["Content-Security-Policy"]).group(1)
              for r in (first, second)]
    assert nonces[0] != nonces[1]
    assert f'nonce="{nonces[1]}"' in second.content.decode()


def test_production_settings_send_hsts_redirect_to_https_and_secure_cookies():
    code = """
from django.http import HttpResponse
from django.middleware.csrf import CsrfViewMiddleware, get_token
from django.test import Client, RequestFactory
client = Client(HTTP_HOST="ptce.example.org")
plain = client.get("/robots.txt")
assert plain.status_code == 301, plain
assert plain["Location"] == "https://ptce.example.org/robots.txt"
secure = client.get("/robots.txt", secure=True)
assert secure.status_code == 200
assert secure["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
request = RequestFactory().get("/", secure=True, HTTP_HOST="ptce.example.org")
get_token(request)
response = CsrfViewMiddleware(lambda r: HttpResponse())(request)
cookie = response.cookies["csrftoken"]
assert cookie["secure"] is True and cookie["samesite"] == "Lax", cookie
from django.conf import settings
assert settings.SESSION_COOKIE_SECURE and settings.SESSION_COOKIE_HTTPONLY
assert settings.CSRF_COOKIE_SECURE
print("ok")
"""
    result = production.run_python(code)
    assert result.stdout.strip().endswith("ok"), result.stdout + result.stderr


@pytest.mark.parametrize("wrapped", [True, False], ids=["django-error", "driver-error"])
def test_database_outage_answers_a_clean_503(monkeypatch, pole, wrapped):
    """Django's OperationalError, or the driver's own: psycopg raises AdminShutdown unwrapped
    when PostgreSQL stops while Django closes a server-side cursor (found by make drill)."""
    from django.db import connection
    from django.db.backends.utils import CursorWrapper

    error = OperationalError if wrapped else connection.Database.OperationalError

    def unreachable(self, sql, params=None):
        raise error("terminating connection due to administrator command")

    monkeypatch.setattr(CursorWrapper, "execute", unreachable)
    visitor = Client(raise_request_exception=False)
    for url in ["/poles/", pole.get_absolute_url(), "/api/poles.geojson"]:
        response = visitor.get(url)
        assert response.status_code == 503, url
        assert response["Retry-After"] == "10" and response["Cache-Control"] == "no-store"
        body = response.content.decode()
        assert "réessayez dans quelques instants" in body
        assert "Traceback" not in body and "OperationalError" not in body


def test_other_errors_stay_500():
    from ptce_site import views

    try:
        raise ValueError("bug")
    except ValueError:
        response = views.server_error(None)
    assert response.status_code == 500


def test_uploaded_files_go_to_s3_compatible_storage_when_a_bucket_is_set():
    pytest.importorskip("storages", reason="the [s3] extra is not installed")
    code = """
import django; django.setup()
from django.conf import settings
from django.core.files.storage import storages
default_storage = storages["default"]
assert type(default_storage).__name__ == "S3Storage", type(default_storage)
assert default_storage.bucket_name == "ptce-media"
assert default_storage.endpoint_url == "https://s3.fr-par.scw.cloud"
assert "https://s3.fr-par.scw.cloud" in settings.SECURE_CSP["img-src"]
print("ok")
"""
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=BASE_DIR, capture_output=True, text=True, timeout=120,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "ptce_site.settings",
             "AWS_STORAGE_BUCKET_NAME": "ptce-media",
             "AWS_S3_ENDPOINT_URL": "https://s3.fr-par.scw.cloud",
             "AWS_S3_REGION_NAME": "fr-par"},
    )
    assert result.stdout.strip().endswith("ok"), result.stdout + result.stderr
