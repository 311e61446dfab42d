"""Static files served by gunicorn as the README deploys it (issue #10, item 6).

`gunicorn -c ptce_site/gunicorn.conf.py` on a free loopback port with DEBUG off, once with
PLAIN_STATICFILES=true and no `collectstatic` (STATIC_ROOT is an empty folder), once with the
production settings after `collectstatic` into a temporary STATIC_ROOT. The server gets a
throw-away SQLite file: /healthz only runs `SELECT 1` and the login page reads no table, so
nothing needs migrating and the test run's own database is not involved. A few seconds each.
"""

import json
import re
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from bench.load import BASE_DIR, Gunicorn, free_port, production_env

GUNICORN = Path(sys.executable).with_name("gunicorn")
# What the pages need from the static files, and the type each must be served with.
ASSETS = {
    "css/site.css": "text/css",
    "leaflet/leaflet.css": "text/css",
    "leaflet/leaflet.js": "text/javascript",
    "js/leaflet-icons.js": "text/javascript",
    "js/pole-map.js": "text/javascript",
    "leaflet/images/marker-icon.png": "image/png",
    "leaflet/images/marker-shadow.png": "image/png",
}
STATIC_REFERENCE = re.compile(r'(?:href|src)="(/static/[^"]+)"')

pytestmark = pytest.mark.skipif(not GUNICORN.exists(), reason="gunicorn is not installed")


def fetch(url: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def media_type(headers: dict[str, str]) -> str:
    return headers.get("Content-Type", "").split(";")[0].strip()


@pytest.fixture
def server_env(tmp_path):
    """Makes the environment of a production-like gunicorn on plain HTTP (loopback), without
    the test run's database or shared cache, STATIC_ROOT in the test's folder."""
    try:
        port = free_port()
    except OSError as error:  # no loopback socket here: nothing to test gunicorn with
        pytest.skip(f"no free port on the loopback: {error}")
    # gunicorn's control socket: its own, not the user's (~/.gunicorn/gunicorn.ctl) that a
    # gunicorn already running here uses; a short path, as socket paths are limited.
    with tempfile.TemporaryDirectory(prefix="ptce-ctl-") as control:

        def make(**extra: str) -> dict[str, str]:
            env = production_env(
                port,
                DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
                STATIC_ROOT=str(tmp_path / "staticfiles"),
                PAGE_CACHE_SECONDS="0",
                LOG_LEVEL="ERROR",
                XDG_RUNTIME_DIR=control,
                **extra,
            )
            env.pop("REDIS_URL", None)
            return env

        yield make


def referenced_static_files(page: bytes) -> list[str]:
    urls = STATIC_REFERENCE.findall(page.decode())
    assert urls, "the page links no static file"
    return urls


def test_plain_staticfiles_are_served_without_collectstatic(tmp_path, server_env):
    env = server_env(PLAIN_STATICFILES="true")
    (tmp_path / "staticfiles").mkdir()  # empty: what a fresh checkout has, no collectstatic
    with Gunicorn(env) as server:
        base_url = server.base_url
        status, _, body = fetch(f"{base_url}/healthz")
        assert (status, json.loads(body)["status"]) == (200, "ok")
        for name, expected_type in ASSETS.items():
            status, headers, body = fetch(f"{base_url}/static/{name}")
            assert (status, media_type(headers)) == (200, expected_type), name
            if name.startswith(("css/", "js/")):  # the project's own, as they are in static/
                assert body == (BASE_DIR / "static" / name).read_bytes(), name
        status, _, page = fetch(f"{base_url}/compte/login/")
        assert status == 200
        for url in referenced_static_files(page):
            assert fetch(base_url + url)[0] == 200, url
    assert list((tmp_path / "staticfiles").iterdir()) == []


def collectstatic(env: dict[str, str]) -> dict[str, str]:
    """`manage.py collectstatic` as deployed; the manifest's names to their hashed names."""
    result = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input", "--verbosity", "0"],
        cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    manifest = Path(env["STATIC_ROOT"]) / "staticfiles.json"
    return json.loads(manifest.read_text())["paths"]


def test_production_serves_the_hashed_compressed_files_of_collectstatic(server_env):
    env = server_env(PLAIN_STATICFILES="false")
    hashed = collectstatic(env)
    with Gunicorn(env) as server:
        base_url = server.base_url
        for name, expected_type in ASSETS.items():
            assert hashed[name] != name
            status, headers, _ = fetch(f"{base_url}/static/{hashed[name]}",
                                       **{"Accept-Encoding": "gzip"})
            assert (status, media_type(headers)) == (200, expected_type), name
            # A hashed name never changes content: browsers may keep it for good.
            assert "immutable" in headers.get("Cache-Control", ""), name
            if expected_type != "image/png":
                assert headers.get("Content-Encoding") == "gzip", name
        # The images leaflet.css points at were renamed inside it too, and are there.
        _, _, css = fetch(f"{base_url}/static/{hashed['leaflet/leaflet.css']}")
        images = re.findall(r"url\(\"?(images/[^\")]+)\"?\)", css.decode())
        assert "images/" + Path(hashed["leaflet/images/marker-icon.png"]).name in images
        for image in images:
            assert fetch(f"{base_url}/static/leaflet/{image}")[0] == 200, image
        # The pages ask for the hashed names, and get them.
        status, _, page = fetch(f"{base_url}/compte/login/")
        assert status == 200
        for url in referenced_static_files(page):
            assert url.removeprefix("/static/") in hashed.values(), url
            assert fetch(base_url + url)[0] == 200, url
