"""Site-wide behaviour: health check, languages, error pages."""

import pytest
from django.db import DatabaseError
from django.test import Client

pytestmark = pytest.mark.django_db


def test_healthz_answers_ok_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
    assert "sessionid" not in response.cookies


def test_healthz_answers_503_when_the_database_fails(client, monkeypatch):
    from django.db.backends.utils import CursorWrapper

    def broken(self, sql, params=None):
        raise DatabaseError("connection refused")

    monkeypatch.setattr(CursorWrapper, "execute", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "unreachable"


def test_french_plural_rules_make_zero_singular(client):
    html = client.get("/poles/").content.decode()
    assert "0 pôle trouvé" in html


def test_english_on_request_with_lang_or_the_switcher(client):
    html = client.get("/poles/", {"lang": "en"}).content.decode()
    assert '<html lang="en">' in html
    assert "Version française" in html
    assert "Cluster directory" in html and "0 clusters found" in html
    switch = client.post("/i18n/setlang/", {"language": "en", "next": "/poles/"})
    assert switch.status_code == 302
    assert '<html lang="en">' in client.get("/").content.decode()
    client.post("/i18n/setlang/", {"language": "fr", "next": "/"})
    assert '<html lang="fr">' in client.get("/").content.decode()


def test_language_switch_refuses_an_offsite_next():
    client = Client()
    response = client.post("/i18n/setlang/", {"language": "en", "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_server_error_page_is_in_the_sites_look():
    from ptce_site.views import server_error

    response = server_error(None)
    assert response.status_code == 500
    assert "Le site a rencontré une erreur" in response.content.decode()


def test_unknown_page_is_a_404_in_the_sites_look(client):
    response = client.get("/nulle-part/")
    assert response.status_code == 404
    assert "Page introuvable" in response.content.decode()
    assert 'href="/poles/"' in response.content.decode()


@pytest.mark.parametrize("url", ["/", "/poles/", "/carte/", "/appels/", "/api/regions.geojson"])
def test_main_pages_send_the_security_headers_and_answer_head(client, url):
    response = client.get(url)
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert client.head(url).status_code == 200


def test_every_response_carries_a_request_id_and_keeps_a_sane_incoming_one(client):
    made = client.get("/healthz")["X-Request-ID"]
    assert len(made) == 32
    assert client.get("/healthz", HTTP_X_REQUEST_ID="proxy-1234abcd")["X-Request-ID"] == (
        "proxy-1234abcd"
    )
    forged = client.get("/healthz", HTTP_X_REQUEST_ID="<script>")["X-Request-ID"]
    assert forged != "<script>" and len(forged) == 32


def test_log_lines_are_json_with_the_request_id():
    import json
    import logging

    from ptce_site.logging import JsonFormatter, RequestIdFilter, request_id_var

    token = request_id_var.set("abc123def456")
    try:
        record = logging.LogRecord("django.request", logging.ERROR, __file__, 1, "boom %s", ("x",),
                                   None)
        RequestIdFilter().filter(record)
        line = json.loads(JsonFormatter().format(record))
    finally:
        request_id_var.reset(token)
    assert line["request_id"] == "abc123def456"
    assert line["message"] == "boom x" and line["level"] == "ERROR"
