"""Fault drill (``make drill``): PostgreSQL stops for a few seconds under load, then comes back.

gunicorn (2 workers, production settings) serves the site on loopback while 16 connections
load the directory ``/poles/``: half the same URL (served from the page cache when Redis is
there), half with a query string never seen before, which always reaches the database. Then
PostgreSQL is stopped (``pg_ctlcluster … stop -m fast``) and started again OUTAGE_SECONDS
later, whatever happens (``finally``). The drill checks:

- before the outage every request succeeds;
- during it, a request either succeeds (from the cache) or gets the clean 503 page: no 500,
  no traceback, no dropped connection;
- after it, the site recovers by itself, without restarting gunicorn, within RECOVERY_SECONDS,
  and every request of the last phase succeeds.

It prints the requests of each phase and exits 1 when one of these does not hold. Loopback
only, bounded in time (about 25 s). Needs root (pg_ctlcluster) and the cluster's version/name.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections import Counter

from . import load

PG_VERSION = os.environ.get("DRILL_PG_VERSION", "15")
PG_CLUSTER = os.environ.get("DRILL_PG_CLUSTER", "main")
BEFORE_SECONDS = 4
OUTAGE_SECONDS = 3  # from "stop" to "start": with both commands, about 5 s down at most
AFTER_SECONDS = 12
RECOVERY_SECONDS = 8  # the site must answer again within this after PostgreSQL is back


def pg_ctl(action: str) -> None:
    command = ["pg_ctlcluster", "--skip-systemctl-redirect", PG_VERSION, PG_CLUSTER, action]
    if action == "stop":
        command += ["-m", "fast"]
    subprocess.run(command, check=True, timeout=60, capture_output=True)


Event = tuple[float, int, bool]  # (ended, status, a traceback in the body)


def main() -> int:
    port = load.free_port()
    env = load.production_env(port, GUNICORN_MAX_REQUESTS="0")
    if not env.get("DATABASE_URL", "").startswith("postgres"):
        print("DATABASE_URL must name a PostgreSQL database (make drill sets it).")
        return 2
    total = BEFORE_SECONDS + OUTAGE_SECONDS + AFTER_SECONDS
    print(f"gunicorn (2 workers) sur 127.0.0.1:{port} ; 16 connexions sur /poles/ pendant "
          f"{total} s, PostgreSQL arrêté {OUTAGE_SECONDS} s")
    events, marks = _outage_under_load(env, total)
    return _verdict(events, marks)


def _outage_under_load(env: dict[str, str], total: int) -> tuple[list[Event], dict[str, float]]:
    """The load for ``total`` seconds, PostgreSQL stopped after BEFORE_SECONDS: every
    request's end and answer, and the moments of the stop, the restart and the end."""
    events: list[Event] = []
    lock = threading.Lock()

    def record(started: float, ended: float, status: int, body: bytes) -> None:
        with lock:
            events.append((ended, status, b"Traceback" in body))

    marks: dict[str, float] = {}
    with load.Gunicorn(env) as server:
        loads = [
            threading.Thread(
                target=load.run_python,
                args=(f"{server.base_url}{path}",),
                # A page number that is not one: the page says so and is never stored, so
                # each of these requests reaches the database (an unknown parameter such as
                # nocache= would share the clean URL's cached entry).
                kwargs={"seconds": total, "connections": 8, "uncached": uncached,
                        "uncached_parameter": "page", "record": record},
            )
            for path, uncached in [("/poles/", False), ("/poles/", True)]
        ]
        started = time.monotonic()
        for thread in loads:
            thread.start()
        try:
            time.sleep(BEFORE_SECONDS)
            marks["stop"] = time.monotonic()
            print(f"{marks['stop'] - started:5.1f} s  arrêt de PostgreSQL")
            pg_ctl("stop")
            time.sleep(max(0.0, OUTAGE_SECONDS - (time.monotonic() - marks["stop"])))
        finally:
            pg_ctl("start")  # always, even if the drill itself failed
            marks["started"] = time.monotonic()
            print(f"{marks['started'] - started:5.1f} s  PostgreSQL redémarré")
        for thread in loads:
            thread.join()
        marks["end"] = time.monotonic()
    return events, marks


def _verdict(events: list[Event], marks: dict[str, float]) -> int:
    """Prints each phase's answers and what did not hold; 0 when everything did."""
    # The last failure after the restart marks the recovery; every later request succeeded.
    after_restart = [e for e in events if e[0] >= marks["started"]]
    failed_after = [ended for ended, status, _tb in after_restart if status != 200]
    recovered = max(failed_after) if failed_after else marks["started"]
    phases = {
        "avant": [e for e in events if e[0] < marks["stop"]],
        "pendant": [e for e in events if marks["stop"] <= e[0] <= recovered],
        "après": [e for e in events if e[0] > recovered],
    }
    for name, phase in phases.items():
        statuses = Counter(status for _t, status, _tb in phase)
        shown = ", ".join(f"{status or 'connexion perdue'} : {count}"
                          for status, count in sorted(statuses.items()))
        print(f"{name:8} {len(phase):6d} requêtes  ({shown})")
    print(f"Rétabli {recovered - marks['started']:.1f} s après le redémarrage de PostgreSQL "
          f"(panne vue par le site : {recovered - marks['stop']:.1f} s).")
    failures = []
    if any(status != 200 for _t, status, _tb in phases["avant"]):
        failures.append("des erreurs avant la panne")
    if any(status not in {200, 503} for _t, status, _tb in phases["pendant"]):
        failures.append("pendant la panne, des réponses autres que 200 ou 503")
    if any(traceback for _t, _s, traceback in events):
        failures.append("une trace d'erreur (traceback) dans une réponse")
    if recovered - marks["started"] > RECOVERY_SECONDS or len(phases["après"]) < 10:
        failures.append(f"pas de rétablissement dans les {RECOVERY_SECONDS} s")
    if not any(status == 503 for _t, status, _tb in phases["pendant"]):
        print("(aucune requête n'a atteint la base pendant la panne : 503 non vérifié)")
    if failures:
        print("ÉCHEC : " + " ; ".join(failures))
        return 1
    print("Réussi : des 503 propres pendant la panne seulement, rétablissement sans "
          "redémarrer gunicorn.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
