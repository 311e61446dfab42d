"""Settings read from the environment: good values are used, bad ones refused loudly."""

import os
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured

from ptce_site.env import database_from_url, env_bool, env_int, env_list
from ptce_site.settings import BASE_DIR
from tests import production


@pytest.mark.parametrize(
    ("raw", "expected"), [("1", True), ("TRUE", True), ("off", False), ("", False)]
)
def test_env_bool_reads_usual_spellings(monkeypatch, raw, expected):
    monkeypatch.setenv("SOME_FLAG", raw)
    assert env_bool("SOME_FLAG", not expected) is expected


def test_env_bool_refuses_anything_else(monkeypatch):
    monkeypatch.setenv("SOME_FLAG", "peut-être")
    with pytest.raises(ImproperlyConfigured, match="SOME_FLAG"):
        env_bool("SOME_FLAG", False)


def test_env_int_refuses_text_and_values_below_minimum(monkeypatch):
    monkeypatch.setenv("SOME_INT", "douze")
    with pytest.raises(ImproperlyConfigured, match="not an integer"):
        env_int("SOME_INT", 1)
    monkeypatch.setenv("SOME_INT", "-3")
    with pytest.raises(ImproperlyConfigured, match="at least 0"):
        env_int("SOME_INT", 1, minimum=0)


def test_env_list_splits_on_commas(monkeypatch):
    monkeypatch.setenv("HOSTS", " ptce.example.org, www.ptce.example.org ,")
    assert env_list("HOSTS", []) == ["ptce.example.org", "www.ptce.example.org"]


def test_postgres_url_becomes_a_psycopg_database():
    db = database_from_url("postgres://ptce:s%40cret@db.internal:5433/registre?sslmode=require")
    assert db["ENGINE"] == "django.db.backends.postgresql"
    assert (db["NAME"], db["USER"], db["PASSWORD"]) == ("registre", "ptce", "s@cret")
    assert (db["HOST"], db["PORT"], db["OPTIONS"]) == (
        "db.internal",
        "5433",
        {"sslmode": "require"},
    )


def test_sqlite_url_is_relative_to_the_project():
    assert database_from_url("sqlite:///data/ptce.sqlite3")["NAME"] == str(
        BASE_DIR / "data/ptce.sqlite3"
    )


@pytest.mark.parametrize("url", ["mysql://root@localhost/ptce", "postgres://localhost", "nonsense"])
def test_unsupported_database_urls_are_refused(url):
    with pytest.raises(ImproperlyConfigured):
        database_from_url(url)


def _django_check(**env) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY"}}
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_secret_key_is_required_when_debug_is_off():
    result = _django_check(DEBUG="false")
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_site_url_is_required_when_debug_is_off():
    result = production.run([sys.executable, "manage.py", "check"], SITE_URL="")
    assert result.returncode != 0
    assert "SITE_URL must be set when DEBUG is off" in result.stderr


def test_bad_time_zone_is_refused_at_start():
    result = _django_check(TIME_ZONE="Europe/Lutece")
    assert result.returncode != 0
    assert "not a known time zone" in result.stderr


def test_admin_starts_without_gdal_although_leaflet_is_installed():
    """leaflet.admin imports GeoDjango (GDAL): the admin must not autodiscover it."""
    code = (
        "import django, sys; django.setup();"
        "from django.contrib import admin; from poles.models import Pole;"
        "assert 'leaflet' in sys.modules and 'leaflet.admin' not in sys.modules;"
        "assert 'django.contrib.gis.gdal' not in sys.modules;"
        "assert admin.site.is_registered(Pole); print('ok')"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=BASE_DIR,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "ptce_site.settings"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.stdout.strip() == "ok", result.stderr


def test_deploy_check_is_clean_with_production_settings():
    result = production.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"]
    )
    assert result.returncode == 0, result.stdout + result.stderr
