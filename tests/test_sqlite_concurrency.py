"""SQLite under concurrent writes: every loser of a race gets the conflict page, never a 503.

Eight leaders save the same pole at the same instant against a real gunicorn (eight threads,
each with its own SQLite connection: the same locking as between processes) on a temporary
SQLite file. pytest-django's in-memory test database cannot be shared between processes or
threads, so this test copies the test database's schema (the run's migrations, already applied)
into a file, fills it in a subprocess and never writes to the test database. It takes about
three seconds.

Before the fix (deferred transactions, no WAL), two transactions that had both read the pole
and then both tried to write deadlocked, and SQLite answered the second one "database is
locked" at once, without waiting: a 503 for that leader.
"""

from __future__ import annotations

import html
import http.client
import json
import os
import secrets
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.conf import settings

from ptce_site.env import database_from_url, sqlite_database
from ptce_site.settings import BASE_DIR

LEADERS = 8
STALE = "a modifié cette fiche pendant que vous l'éditiez"

# Run in a subprocess on the temporary database (migrated: see ``_migrated_copy``): a pole,
# its eight leaders logged in (database sessions), and the form as each of them opened it.
SETUP = """
import json
import django
django.setup()
from django.test import Client
from django.test.utils import override_settings
from poles.leadership.space.forms import PoleProfileForm
from tests.factories import PoleFactory, UserFactory

pole = PoleFactory(name="Pôle Concurrent")
sessions = []
# The default hasher costs most of a second per user: nobody logs in with a password here.
with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
    for number in range(LEADERS):
        user = UserFactory(username=f"leader{number}")
        pole.leaders.add(user)
        client = Client()
        client.force_login(user)
        sessions.append(client.cookies["sessionid"].value)
form = PoleProfileForm(instance=pole)
data = {}
for name, field in form.fields.items():
    value = form.initial.get(name, field.initial)
    if name == "logo":
        continue
    if name in ("sectors", "objectives"):
        data[name] = [item.pk for item in value] if value else []
    else:
        data[name] = "" if value is None else str(value)
print(json.dumps({
    "slug": pole.slug, "pk": pole.pk, "version": pole.version, "table": pole._meta.db_table,
    "sessions": sessions, "form": data,
}))
"""


def _is_sqlite() -> bool:
    return settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3"


class UnixHTTPConnection(http.client.HTTPConnection):
    """HTTP over gunicorn's Unix socket: no port to pick, so no port another test could take."""

    def __init__(self, path: str):
        super().__init__("localhost", timeout=30)
        self.socket_path = path

    def connect(self) -> None:
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(self.timeout)
        self.sock.connect(self.socket_path)


def _environment(database: Path) -> dict:
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in {"DATABASE_URL", "REDIS_URL", "PAGE_CACHE_SECONDS"}
    }
    env.update(
        DATABASE_URL=f"sqlite:///{database}",
        DEBUG="true",  # no static manifest, plain HTTP: only the database is under test
        LEADER_EDIT_NOTIFICATIONS="off",
        DJANGO_SETTINGS_MODULE="ptce_site.settings",
    )
    return env


def _wait_until_ready(socket_path: str, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert server.poll() is None, "gunicorn stopped while starting"
        try:
            connection = UnixHTTPConnection(socket_path)
            connection.request("GET", "/healthz", headers={"Host": "localhost"})
            if connection.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.1)
    raise AssertionError("gunicorn did not answer within 30 s")


def _migrated_copy(database: Path) -> None:
    """The test database (SQLite, in this process's memory), schema and all, copied into a
    file with sqlite3's backup API: a few milliseconds, where ``migrate`` in the subprocess
    took 4 to 5 s. Outside any transaction (``transactional_db``: a backup waits for the test's
    transaction to end), before the test writes anything: what the run's migrations made."""
    from django.db import connection

    connection.ensure_connection()
    copy = sqlite3.connect(database)
    try:
        connection.connection.backup(copy)
    finally:
        copy.close()


@pytest.fixture
def sqlite_site(tmp_path, transactional_db):
    """A migrated SQLite file with the pole and its leaders, served by gunicorn."""
    database = tmp_path / "race.sqlite3"
    _migrated_copy(database)
    env = _environment(database)
    script = f"LEADERS = {LEADERS}\n{SETUP}"
    setup = subprocess.run(
        [sys.executable, "-c", script],
        cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=120, check=False,
    )
    assert setup.returncode == 0, setup.stderr[-3000:]
    state = json.loads(setup.stdout.strip().splitlines()[-1])
    socket_path = str(tmp_path / "gunicorn.sock")
    log = (tmp_path / "gunicorn.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "ptce_site.wsgi", "--bind", f"unix:{socket_path}",
         "--workers", "1", "--threads", str(LEADERS), "--worker-class", "gthread"],
        cwd=BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    try:
        _wait_until_ready(socket_path, server)
        yield {**state, "socket": socket_path, "database": database}
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


def _save_at_once(site: dict) -> list[tuple[int, str]]:
    """Every leader posts their own summary; a barrier releases the eight requests together."""
    barrier = threading.Barrier(LEADERS)
    results: list[tuple[int, str] | None] = [None] * LEADERS
    path = f"/espace/poles/{site['slug']}/"

    def save(number: int) -> None:
        csrf = secrets.token_hex(16)  # an unmasked 32-character secret: cookie and field agree
        body = urlencode(
            {**site["form"], "summary": f"Résumé de la personne {number}",
             "csrfmiddlewaretoken": csrf},
            doseq=True,
        )
        headers = {
            "Host": "localhost",
            "Cookie": f"sessionid={site['sessions'][number]}; csrftoken={csrf}",
            "Content-Type": "application/x-www-form-urlencoded",
        }
        connection = UnixHTTPConnection(site["socket"])
        connection.connect()
        barrier.wait(timeout=30)
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        results[number] = (response.status, response.read().decode(errors="replace"))

    threads = [threading.Thread(target=save, args=(number,)) for number in range(LEADERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert all(result is not None for result in results), "a request did not finish"
    return results


@pytest.mark.skipif(not _is_sqlite(), reason="SQLite's locking only: PostgreSQL locks rows")
def test_eight_simultaneous_saves_give_one_success_and_seven_conflicts(sqlite_site):
    results = _save_at_once(sqlite_site)
    statuses = Counter(status for status, _body in results)
    unexpected = [body[:300] for status, body in results if status not in {302, 409}]
    assert statuses == Counter({302: 1, 409: LEADERS - 1}), (statuses, unexpected)
    for status, body in results:
        if status == 409:
            assert STALE in html.unescape(body)
    winner = next(number for number, (status, _body) in enumerate(results) if status == 302)
    with sqlite3.connect(sqlite_site["database"]) as database:
        summary, version = database.execute(
            f'SELECT summary, version FROM "{sqlite_site["table"]}" WHERE id = ?',
            [sqlite_site["pk"]],
        ).fetchone()
        journal_mode = database.execute("PRAGMA journal_mode").fetchone()[0]
    # Saved once, by the one who got the success page: no lost update, no double save.
    assert summary == f"Résumé de la personne {winner}"
    assert version == sqlite_site["version"] + 1
    assert journal_mode == "wal"


def test_both_sqlite_paths_get_the_same_options(tmp_path):
    """DATABASE_URL=sqlite:///… and the default db.sqlite3 wait for the write lock alike."""
    from_url = database_from_url("sqlite:///db.sqlite3")
    assert from_url == sqlite_database(BASE_DIR / "db.sqlite3")
    options = from_url["OPTIONS"]
    assert options["transaction_mode"] == "IMMEDIATE"
    assert options["timeout"] >= 10
    assert "journal_mode=WAL" in options["init_command"].replace(" ", "")
    # The default entry, built when DATABASE_URL is unset (read in a fresh interpreter: the
    # settings of this process were built from this run's environment).
    env = {name: value for name, value in os.environ.items() if name != "DATABASE_URL"}
    printed = subprocess.run(
        [sys.executable, "-c", "import json, ptce_site.settings as s; "
         "print(json.dumps(s.DATABASES['default']))"],
        cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=60, check=True,
    )
    assert json.loads(printed.stdout.strip().splitlines()[-1]) == from_url
