"""The benchmark (``make bench``): data at scale in PostgreSQL, each page built in-process, then
gunicorn under a bounded load; every figure beside its target and the previous run's.

1. for each scale (``--scale 1000,10000``; 10,000 poles by default), in a process of its own
   (``bench/inprocess.py``): creates the scale's database if missing (``DATABASE_URL`` for
   10,000 poles, its name followed by ``_1000`` for 1,000…; the name must contain "bench"),
   migrates it, loads the reference data, generates the synthetic registry unless it is there,
   and times each page built in-process without the page cache (median of several builds);
   the scales are printed side by side, against issue #13's 30 ms;
2. unless ``--in-process``, starts gunicorn (2 workers, ptce_site/gunicorn.conf.py, DEBUG off)
   on the largest scale's database, measures the full poles.geojson cold, loads each cached
   URL for a few seconds, once more the home page while a new generation is stored every
   second (what staff editing does to the cache), then the uncached URLs on a second gunicorn
   without the page cache (every request builds its page: tracking parameters such as the
   old ``nocache=`` share the clean URL's entry, see ``ptce_site/cache_keys.py``);
3. prints requests/s, p50/p99, errors and the ratio to /healthz (the floor) against the
   targets of issues #6 and #13, and writes the figures to ``docs/bench-last.json``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.core.management import call_command
from django.db import connection

from . import load, report
from .generate import Scale, generate
from .report import LoadPage

DEFAULT_SCALE = Scale().poles
TARGET_P99_MS = 150  # issue #13: every cached page, under load
TARGET_CACHED_RATIO = 0.5  # issue #6
TARGET_GEOJSON_COLD_MS = 300
TARGET_RSS_MB = 200


def ensure_database(out, *, recreate: bool = False) -> None:
    """CREATE DATABASE when it does not exist yet (connecting to the "postgres" database)."""
    import psycopg

    db = settings.DATABASES["default"]
    if db["ENGINE"] != "django.db.backends.postgresql" or "bench" not in db["NAME"]:
        raise SystemExit(
            "The benchmark writes 400,000 rows: point DATABASE_URL at a PostgreSQL database "
            "whose name contains 'bench' (make bench does: postgres://…/ptce_bench)."
        )
    params = {"dbname": "postgres", "user": db["USER"], "host": db["HOST"], "port": db["PORT"],
              "password": db["PASSWORD"]}
    with psycopg.connect(**{k: v for k, v in params.items() if v}, autocommit=True) as admin:
        if recreate:
            out(f"Suppression de la base {db['NAME']}")
            admin.execute(f'DROP DATABASE IF EXISTS "{db["NAME"]}" WITH (FORCE)')
        exists = admin.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [db["NAME"]]
        ).fetchone()
        if not exists:
            out(f"Création de la base {db['NAME']}")
            admin.execute(f'CREATE DATABASE "{db["NAME"]}"')


def prepare_data(out, poles: int = DEFAULT_SCALE) -> None:
    from poles.models import Pole

    call_command("migrate", verbosity=0, interactive=False)
    call_command("load_seed_data", "--skip-communes", verbosity=0)
    existing = Pole.objects.filter(website__endswith=".example.org").count()
    if existing >= poles:
        out(f"Données déjà générées ({existing} pôles) : --regenerate pour recommencer.")
        # A migration may just have filled a table (an index of the search…): without fresh
        # statistics PostgreSQL would plan its queries blind; and data generated before
        # generate() vacuumed have no visibility map (see there). A few seconds the first time.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
        return
    if existing:
        raise SystemExit(f"{existing} pôles générés sur {poles} : --regenerate pour recommencer.")
    out(f"Génération des données synthétiques ({poles} pôles)…")
    started = time.perf_counter()
    generate(Scale.of(poles), out=out)
    out(f"Données générées en {time.perf_counter() - started:.1f} s")


def database_url(poles: int) -> str:
    """DATABASE_URL for the default scale; its database name followed by _<poles> otherwise."""
    url = os.environ["DATABASE_URL"]
    if poles == DEFAULT_SCALE:
        return url
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"{parts.path.rstrip('/')}_{poles}"))


def time_scales(scales: list[int], *, runs: int, regenerate: bool, out) -> dict[int, dict]:
    """The in-process timings of each scale, each in a process on its own database."""
    results = {}
    for poles in scales:
        with tempfile.NamedTemporaryFile(suffix=".json") as output:
            command = [sys.executable, "-m", "bench.inprocess", "--scale", str(poles),
                       "--runs", str(runs), "--json", output.name]
            if regenerate:
                command.append("--regenerate")
            env = {**os.environ, "DATABASE_URL": database_url(poles)}
            subprocess.run(command, env=env, check=True, cwd=load.BASE_DIR)
            results[poles] = json.loads(output.read())
    return results


def pages(paths: dict[str, str]) -> list[LoadPage]:
    cached = {"kind": "cached", "min_ratio": TARGET_CACHED_RATIO, "max_p99_ms": TARGET_P99_MS}
    return [
        LoadPage("healthz", "/healthz (plancher)", paths["healthz"], "floor", sql_id="healthz"),
        LoadPage("home", "/", paths["home"], **cached),
        LoadPage("directory", "/poles/", paths["directory"], **cached),
        LoadPage("search", "/poles/?q=solidaire", paths["search"], **cached),
        LoadPage("region_sector", "/poles/?region&sector", paths["region_sector"], **cached),
        LoadPage("pole", "/poles/<slug>/", paths["pole"], **cached),
        LoadPage("call", "/appels/<slug>/", paths["call"], **cached),
        LoadPage("map", "/carte/", paths["map"], **cached),
        LoadPage("poles_geojson", "/api/poles.geojson", paths["poles_geojson"], **cached),
        LoadPage("regions_geojson", "/api/regions.geojson", paths["regions_geojson"], **cached),
        LoadPage("home_invalidated", "/ (nouvelle génération chaque seconde)", paths["home"],
                 "invalidated", max_p99_ms=TARGET_P99_MS, sql_id="home"),
        LoadPage("search_uncached", "/poles/?q=solidaire, non caché", paths["search"],
                 "uncached", min_ratio=0.10, sql_id="search"),
        LoadPage("region_sector_uncached", "/poles/?region&sector, non caché",
                 paths["region_sector"], "uncached", min_ratio=0.10, sql_id="region_sector"),
        LoadPage("pole_uncached", "/poles/<slug>/, non caché", paths["pole"], "uncached",
                 min_ratio=0.20, sql_id="pole"),
    ]


def settle(server: load.Gunicorn) -> None:
    """Wait until /healthz answers fast again (a slow URL leaves requests queued)."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        _status, ms, _size = load.timed_get(f"{server.base_url}/healthz")
        if ms < 50:
            return
        time.sleep(0.5)


class NewGenerationEverySecond:
    """Stores a new generation every second, as a curator saving pole after pole would: each
    cached page is then missing once a second, on every worker at once."""

    def __init__(self):
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        from ptce_site.cache import bump_generation

        while not self._stop.wait(1.0):
            bump_generation()

    def __enter__(self) -> NewGenerationEverySecond:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


def load_pages(server: load.Gunicorn, page_list: list[LoadPage], *, seconds: int,
               connections: int) -> dict[str, load.Result]:
    results = {}
    for page in page_list:
        url = server.base_url + page.path
        settle(server)  # the previous URL's queued requests are done
        load.fill(url)  # the page cache holds it, under wrk's key (gzip)
        if page.kind == "invalidated":
            with NewGenerationEverySecond():
                results[page.id] = load.run_load(url, seconds=seconds, connections=connections)
        else:
            results[page.id] = load.run_load(
                url, seconds=seconds, connections=connections, uncached=page.kind == "uncached"
            )
    return results


def measure_cold_geojson(server: load.Gunicorn, out) -> list[float]:
    from ptce_site.cache import bump_generation

    # Each worker's first requests import the views, read the templates and open a database
    # connection: the cost of a worker's start, not of a cold page (it made the first of the
    # three 300 ms against 100 for the others). A few misses, not counted, go to both workers.
    for _ in range(4):
        bump_generation()
        load.timed_get(f"{server.base_url}/api/poles.geojson")
    colds = []
    size = 0
    for _ in range(3):
        bump_generation()  # shared through Redis: the next request is a miss
        _status, ms, size = load.timed_get(f"{server.base_url}/api/poles.geojson")
        colds.append(round(ms, 1))
    out(f"/api/poles.geojson à froid : {min(colds):.0f}–{max(colds):.0f} ms "
        f"({size / 1e6:.1f} Mo non compressé), cible < {TARGET_GEOJSON_COLD_MS} ms "
        f"{report.mark(max(colds) < TARGET_GEOJSON_COLD_MS)}")
    return colds


def load_phase(paths: dict[str, str], sql: dict[str, dict], poles: int, *, seconds: int,
               connections: int, previous: dict, out) -> list[str]:
    """gunicorn under load, with the page cache and then without; returns the targets missed."""
    page_list = pages(paths)
    shared_cache = bool(os.environ.get("REDIS_URL"))
    env = load.production_env(
        load.free_port(),
        DATABASE_URL=database_url(poles),
        # Recycling a worker every 2,000 requests would restart them every few seconds here.
        GUNICORN_MAX_REQUESTS="0",
    )
    if not shared_cache:
        out("REDIS_URL n'est pas défini : cache par processus, PAGE_CACHE_SECONDS=600 forcé ; "
            "sans cache partagé, ni mesure à froid ni invalidations.")
        env["PAGE_CACHE_SECONDS"] = "600"
        page_list = [page for page in page_list if page.kind != "invalidated"]
    tool = "wrk" if load.shutil.which("wrk") else "générateur Python"
    out(f"gunicorn (2 workers) sur {poles} pôles ; charge : {tool}, {connections} connexions, "
        f"{seconds} s par URL")
    failures, colds = [], []
    with load.Gunicorn(env) as server, load.MemoryWatch(server) as memory:
        if shared_cache:
            colds = measure_cold_geojson(server, out)
            if max(colds) >= TARGET_GEOJSON_COLD_MS:
                failures.append(f"poles.geojson à froid {max(colds):.0f} ms ≥ 300 ms")
        cached = [page for page in page_list if page.kind != "uncached"]
        results = load_pages(server, cached, seconds=seconds, connections=connections)
        peaks = dict(memory.peaks)
    # Without the page cache: every request builds its page.
    port = load.free_port()
    uncached_env = {**env, "PAGE_CACHE_SECONDS": "0", "GUNICORN_BIND": f"{load.HOST}:{port}",
                    "SITE_URL": f"http://{load.HOST}:{port}"}
    with load.Gunicorn(uncached_env) as server, load.MemoryWatch(server) as memory:
        uncached = [page for page in page_list if page.kind == "uncached"]
        results.update(load_pages(server, uncached, seconds=seconds, connections=connections))
        peaks.update(memory.peaks)
    floor = results["healthz"].rate
    rows = {
        page_id: {"rate": round(result.rate, 1), "p50_ms": round(result.p50_ms, 1),
                  "p99_ms": round(result.p99_ms, 1), "errors": result.errors,
                  "ratio": round(result.rate / floor, 4) if floor else 0.0}
        for page_id, result in results.items()
    }
    out("")
    failures += report.load_table(page_list, rows, sql, previous, out)
    out("")
    out("Mémoire résidente maximale des workers : "
        + ", ".join(f"{peak:.0f} Mo" for peak in peaks.values())
        + f", cible < {TARGET_RSS_MB} Mo {report.mark(max(peaks.values()) < TARGET_RSS_MB)}")
    failures += [f"worker {pid} : {peak:.0f} Mo ≥ {TARGET_RSS_MB} Mo"
                 for pid, peak in peaks.items() if peak >= TARGET_RSS_MB]
    report.save_load({"poles": poles, "tool": tool, "connections": connections,
                      "seconds": seconds, "rows": rows, "geojson_cold_ms": colds,
                      "rss_mb": sorted(round(peak) for peak in peaks.values())})
    return failures


def main(
    *, scales: list[int] | None = None, runs: int = 15, seconds: int = 5, connections: int = 16,
    regenerate: bool = False, data_only: bool = False, in_process: bool = False, out=print,
) -> int:
    if data_only:  # make drill: the default scale's data only
        ensure_database(out, recreate=regenerate)
        prepare_data(out)
        return 0
    scales = sorted(set(scales or [DEFAULT_SCALE]))
    previous = report.previous_run()
    timings = time_scales(scales, runs=runs, regenerate=regenerate, out=out)
    out("")
    out(f"Pages construites en processus (client de test, sans cache de pages ; médiane de "
        f"{runs} constructions après échauffement ; préc. : docs/bench-last.json ; charge "
        f"moyenne de la machine {os.getloadavg()[0]:.1f} pour {os.cpu_count()} cœurs) :")
    failures = report.in_process_table(timings, previous, out)
    report.save_in_process(timings, runs)
    if not in_process:
        largest = timings[scales[-1]]
        paths = {page_id: result["path"] for page_id, result in largest.items()}
        out("")
        failures += load_phase(paths, largest, scales[-1], seconds=seconds,
                               connections=connections, previous=previous, out=out)
    out("")
    if failures:
        out("Objectifs manqués :")
        for failure in failures:
            out(f"  ✗ {failure}")
    else:
        out("Tous les objectifs sont atteints ✓")
    return 0
