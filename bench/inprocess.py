"""Each page built in the bench's own process, without the page cache: what one request costs.

``python -m bench.inprocess --scale 1000 --json out.json`` prepares the database of that scale
(``DATABASE_URL``; created, migrated and generated when missing) and times each page with the
test client: a few builds to warm up (imports, templates, PostgreSQL's caches), then the
median of ``--runs`` builds, and its SQL queries counted on one more build. ``python -m bench
--scale 1000,10000`` runs this once per scale, in a process of its own (one database per
process), and prints the scales side by side.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from dataclasses import dataclass

TARGET_BUILD_MS = 30  # issue #13, at 10,000 poles
TARGET_NETWORK_BUILD_MS = 300  # issue #15: the whole country's network data, at 10,000 poles
DEFAULT_RUNS = 15
WARM_UP = 2


@dataclass(frozen=True)
class TimedPage:
    id: str  # the key in docs/bench-last.json
    label: str
    target: bool  # issue #13's "under 30 ms in-process"
    target_ms: int = TARGET_BUILD_MS


PAGES = [
    TimedPage("home", "/", True),
    TimedPage("pole", "/poles/<slug>/", True),
    TimedPage("call", "/appels/<slug>/", True),
    TimedPage("map", "/carte/", True),
    TimedPage("search", "/poles/?q=solidaire (mot fréquent)", True),
    TimedPage("search_two_words", "/poles/?q=economie solidaire (deux mots)", True),
    TimedPage("search_typo", "/poles/?q=cooperasion (faute de frappe)", True),
    TimedPage("search_two_letters", "/poles/?q=de (deux lettres)", True),
    TimedPage("all_filters", "/poles/?q=…&region=…&… (tous les filtres)", True),
    TimedPage("directory", "/poles/", False),
    TimedPage("region_sector", "/poles/?region=…&sector=…", False),
    TimedPage("poles_geojson", "/api/poles.geojson", False),
    TimedPage("regions_geojson", "/api/regions.geojson", False),
    TimedPage("healthz", "/healthz", False),
    TimedPage("network", "/reseau/", False),
    TimedPage("network_region", "/reseau/?region=…", False),
    TimedPage("network_organisations", "/reseau/?list=organisations", False),
    # Not a page: what /reseau/ reads once per process and change to the registry.
    TimedPage("network_build", "réseau : données de tout le pays", True,
              TARGET_NETWORK_BUILD_MS),
]


def paths() -> dict[str, str]:
    """The URL of each page in the current database (a generated pole, call, region…)."""
    from urllib.parse import urlencode

    from calls.models import Application, Call
    from members.models import Organisation
    from poles.models import FormerRegion, Objective, Pole, Region, Sector

    from .generate import SEARCH_WORD

    pole = (
        Pole.objects.published().filter(website__endswith=".example.org", latitude__isnull=False)
        .order_by("pk").first()
    )
    call = Call.objects.filter(slug__startswith="appel-ptce-").order_by("pk").first()
    region = Region.objects.get(code="84")  # Auvergne-Rhône-Alpes
    sector = Sector.objects.order_by("pk").first()
    every_filter = urlencode({
        "q": SEARCH_WORD,
        "region": region.slug,
        "former_region": FormerRegion.objects.filter(region=region).order_by("pk").first().slug,
        "status": Pole.Status.OPERATIONAL,
        "witness": "false",
        "sector": sector.slug,
        "objective": Objective.Code.values[0],
        "member_kind": Organisation.Kind.ESS_ENTERPRISE,
        "call": call.slug,
        "outcome": Application.Outcome.NOT_SELECTED,
        "charter": "false",
        "sort": "name",
    })
    return {
        "home": "/",
        "pole": pole.get_absolute_url(),
        "call": call.get_absolute_url(),
        "map": "/carte/",
        "search": f"/poles/?q={SEARCH_WORD}",
        "search_two_words": f"/poles/?q=economie+{SEARCH_WORD}",
        "search_typo": "/poles/?q=cooperasion",
        "search_two_letters": "/poles/?q=de",
        "all_filters": f"/poles/?{every_filter}",
        "directory": "/poles/",
        "region_sector": f"/poles/?region={region.slug}&sector={sector.slug}",
        "poles_geojson": "/api/poles.geojson",
        "regions_geojson": "/api/regions.geojson",
        "healthz": "/healthz",
        "network": "/reseau/",
        "network_region": f"/reseau/?region={region.slug}",
        "network_organisations": "/reseau/?list=organisations",
    }


def time_pages(runs: int = DEFAULT_RUNS) -> dict[str, dict]:
    """{page id: {"path", "status", "sql", "median_ms", "min_ms", "max_ms", "python_cpu_ms"}};
    a page that does not answer 200 has its status and no timings (the bench goes on and says
    so)."""
    from django.db import connection
    from django.test import Client, override_settings
    from django.test.utils import CaptureQueriesContext

    results = {}
    with override_settings(PAGE_CACHE_SECONDS=0, ALLOWED_HOSTS=["testserver"], DEBUG=False):
        client = Client(raise_request_exception=False)
        for page_id, path in paths().items():
            statuses = {client.get(path).status_code for _ in range(WARM_UP)}
            result = results[page_id] = {"path": path, "status": max(statuses)}
            if statuses != {200}:
                continue
            timings, cpu = [], []
            for _ in range(runs):
                started, started_cpu = time.perf_counter(), time.process_time()
                client.get(path)
                timings.append((time.perf_counter() - started) * 1000)
                # This process's CPU only (not PostgreSQL's): less disturbed by the others.
                cpu.append((time.process_time() - started_cpu) * 1000)
            with CaptureQueriesContext(connection) as queries:
                client.get(path)
            result.update(
                sql=len(queries), median_ms=round(statistics.median(timings), 1),
                min_ms=round(min(timings), 1), max_ms=round(max(timings), 1),
                python_cpu_ms=round(statistics.median(cpu), 1),
            )
    results["network_build"] = time_network_build(runs)
    return results


def time_network_build(runs: int) -> dict:
    """The whole country's network (``poles/registry/network/graph.py``) read and computed
    from the database, as /reseau/ does once per process after each change to the registry."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from poles.registry.network.graph import build

    for _ in range(WARM_UP):
        build()
    timings, cpu = [], []
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        build()
        timings.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    with CaptureQueriesContext(connection) as queries:
        network = build()
    return {
        "path": f"{len(network.poles)} pôles, {network.organisations_count} organisations",
        "status": 200, "sql": len(queries), "median_ms": round(statistics.median(timings), 1),
        "min_ms": round(min(timings), 1), "max_ms": round(max(timings), 1),
        "python_cpu_ms": round(statistics.median(cpu), 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.inprocess")
    parser.add_argument("--scale", type=int, required=True, help="Nombre de pôles.")
    parser.add_argument("--runs", type=int, default=DEFAULT_RUNS)
    parser.add_argument("--regenerate", action="store_true")
    parser.add_argument("--json", required=True, help="Fichier où écrire les résultats.")
    options = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ptce_site.settings")
    import django

    django.setup()
    from .run import ensure_database, prepare_data

    def out(message: str) -> None:
        print(f"[{options.scale} pôles] {message}", file=sys.stderr, flush=True)

    ensure_database(out, recreate=options.regenerate)
    prepare_data(out, options.scale)
    out(f"Construction de chaque page en processus ({options.runs} fois)…")
    results = time_pages(options.runs)
    with open(options.json, "w") as file:
        json.dump(results, file)
    return 0


if __name__ == "__main__":
    sys.exit(main())
