"""The benchmark (``make bench``): data at scale in PostgreSQL, gunicorn, a bounded load.

1. creates the database named by DATABASE_URL if missing (its name must contain "bench"),
   migrates it and loads the reference data;
2. generates the synthetic registry (unless it is there already);
3. counts the SQL queries of each page in-process (test client, page cache off);
4. starts gunicorn (2 workers, ptce_site/gunicorn.conf.py, DEBUG off) on 127.0.0.1 and a free
   port, measures the full poles.geojson cold, then loads each URL for a few seconds with 16
   connections and prints requests/s, p50/p99, errors, the ratio to /healthz (the floor) and the
   workers' peak memory, against the targets of issue 6.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

from . import load
from .generate import SEARCH_WORD, Scale, generate

TARGET_P99_MS = 150
TARGET_CACHED_RATIO = 0.5
TARGET_UNCACHED_RATIO = 0.2
TARGET_GEOJSON_COLD_MS = 300
TARGET_RSS_MB = 200


@dataclass
class Page:
    label: str
    path: str
    kind: str  # "floor", "cached" or "uncached"


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


def prepare_data(out) -> None:
    from poles.models import Pole

    call_command("migrate", verbosity=0, interactive=False)
    call_command("load_seed_data", "--skip-communes", verbosity=0)
    existing = Pole.objects.filter(website__endswith=".example.org").count()
    if existing >= Scale().poles:
        out(f"Données déjà générées ({existing} pôles) : --regenerate pour recommencer.")
        return
    out("Génération des données synthétiques…")
    started = time.perf_counter()
    generate(out=out)
    out(f"Données générées en {time.perf_counter() - started:.1f} s")


def pages() -> list[Page]:
    from calls.models import Call
    from poles.models import Pole, Region, Sector

    pole = (
        Pole.objects.published().filter(website__endswith=".example.org", latitude__isnull=False)
        .order_by("pk").first()
    )
    call = Call.objects.filter(slug__startswith="appel-ptce-").order_by("pk").first()
    region = Region.objects.get(code="84")  # Auvergne-Rhône-Alpes
    sector = Sector.objects.order_by("pk").first()
    filters = f"region={region.slug}&sector={sector.slug}"
    return [
        Page("/healthz (plancher)", "/healthz", "floor"),
        Page("/", "/", "cached"),
        Page("/poles/", "/poles/", "cached"),
        Page(f"/poles/?q={SEARCH_WORD}", f"/poles/?q={SEARCH_WORD}", "cached"),
        Page(f"/poles/?q={SEARCH_WORD} (non caché)", f"/poles/?q={SEARCH_WORD}", "uncached"),
        Page("/poles/?region&sector", f"/poles/?{filters}", "cached"),
        Page("/poles/?region&sector (non caché)", f"/poles/?{filters}", "uncached"),
        Page("/poles/<slug>/", pole.get_absolute_url(), "cached"),
        Page("/poles/<slug>/ (non caché)", pole.get_absolute_url(), "uncached"),
        Page("/appels/<slug>/", call.get_absolute_url(), "cached"),
        Page("/carte/", "/carte/", "cached"),
        Page("/api/poles.geojson", "/api/poles.geojson", "cached"),
        Page("/api/regions.geojson", "/api/regions.geojson", "cached"),
    ]


def count_queries(page_list: list[Page]) -> dict[str, tuple[int, float]]:
    """SQL queries and in-process milliseconds of each page, built without the page cache."""
    counts = {}
    with override_settings(PAGE_CACHE_SECONDS=0, ALLOWED_HOSTS=["testserver"], DEBUG=False):
        client = Client()
        for page in page_list:
            if page.path in {p for p, _c in counts.values()}:
                continue
            client.get(page.path)  # warm the process (imports, templates)
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                response = client.get(page.path)
                elapsed = (time.perf_counter() - started) * 1000
            assert response.status_code == 200, (page.path, response.status_code)
            counts[page.path] = (len(queries), elapsed)
    return counts


def settle(server: load.Gunicorn) -> None:
    """Wait until /healthz answers fast again (a slow URL leaves requests queued)."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        _status, ms, _size = load.timed_get(f"{server.base_url}/healthz")
        if ms < 50:
            return
        time.sleep(0.5)


def main(
    *, seconds: int = 5, connections: int = 16, regenerate: bool = False,
    data_only: bool = False, out=print,
) -> int:
    ensure_database(out, recreate=regenerate)
    prepare_data(out)
    if data_only:
        return 0
    page_list = pages()
    out("Requêtes SQL par page (client de test, sans cache de pages)…")
    queries = count_queries(page_list)
    port = load.free_port()
    env = load.production_env(
        port,
        DATABASE_URL=os.environ["DATABASE_URL"],
        # Recycling a worker every 2,000 requests would restart them every few seconds here.
        GUNICORN_MAX_REQUESTS="0",
    )
    if not env.get("REDIS_URL"):
        out("REDIS_URL n'est pas défini : cache par processus, PAGE_CACHE_SECONDS=600 forcé.")
        env["PAGE_CACHE_SECONDS"] = "600"
    tool = "wrk" if load.shutil.which("wrk") else "générateur Python"
    out(f"gunicorn (2 workers) sur 127.0.0.1:{port} ; charge : {tool}, {connections} "
        f"connexions, {seconds} s par URL")
    results = []
    failures = []
    with load.Gunicorn(env) as server, load.MemoryWatch(server) as memory:
        from ptce_site.cache import bump_generation

        colds = []
        for _ in range(3):
            bump_generation()  # shared through Redis: the next request is a miss
            status, ms, size = load.timed_get(f"{server.base_url}/api/poles.geojson")
            colds.append(ms)
        out(f"/api/poles.geojson à froid : {min(colds):.0f}–{max(colds):.0f} ms "
            f"({size / 1e6:.1f} Mo non compressé)")
        if max(colds) > TARGET_GEOJSON_COLD_MS:
            failures.append(f"poles.geojson à froid {max(colds):.0f} ms > 300 ms")
        for page in page_list:
            url = server.base_url + page.path
            settle(server)  # the previous URL's queued requests are done
            load.timed_get(url)  # fills the page cache
            result = load.run_load(
                url, seconds=seconds, connections=connections, uncached=page.kind == "uncached"
            )
            results.append((page, result))
        peaks = dict(memory.peaks)
    floor = results[0][1].rate
    header = (f"{'page':42} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'erreurs':>8} "
              f"{'/plancher':>9} {'SQL':>5}")
    out("")
    out(header)
    out("-" * len(header))
    for page, result in results:
        ratio = result.rate / floor if floor else 0
        sql = queries.get(page.path, (0, 0))[0] if page.kind != "cached" else 0
        if page.kind == "floor":
            sql = queries.get(page.path, (1, 0))[0]
        out(f"{page.label:42} {result.rate:8.0f} {result.p50_ms:8.1f} {result.p99_ms:8.1f} "
            f"{result.errors:8d} {ratio:9.0%} {sql:5d}")
        if result.errors:
            failures.append(f"{page.label}: {result.errors} erreurs")
        if result.p99_ms > TARGET_P99_MS:
            failures.append(f"{page.label}: p99 {result.p99_ms:.0f} ms > {TARGET_P99_MS} ms")
        if page.kind == "cached" and ratio < TARGET_CACHED_RATIO:
            failures.append(f"{page.label}: {ratio:.0%} du plancher < 50 %")
        if page.kind == "uncached" and ratio < TARGET_UNCACHED_RATIO:
            failures.append(f"{page.label}: {ratio:.0%} du plancher < 20 %")
    out("")
    out("Requêtes SQL et durée en processus de chaque page construite (sans cache) :")
    for path, (count, ms) in queries.items():
        out(f"  {path:60} {count:3d} requêtes {ms:7.1f} ms")
    out("Mémoire résidente maximale des workers : "
        + ", ".join(f"{peak:.0f} Mo" for peak in peaks.values()))
    for pid, peak in peaks.items():
        if peak > TARGET_RSS_MB:
            failures.append(f"worker {pid}: {peak:.0f} Mo > {TARGET_RSS_MB} Mo")
    out("")
    if failures:
        out("Objectifs manqués :")
        for failure in failures:
            out(f"  - {failure}")
    else:
        out("Tous les objectifs sont atteints.")
    return 0
