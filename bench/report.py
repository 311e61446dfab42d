"""The bench's tables: each figure beside its target (✓ or ✗) and the previous run's figure.

The previous run is ``docs/bench-last.json``, written by each run (its in-process part by
``--in-process`` runs too) and committed: the README's benchmark table is made from it, and a
regression shows at the next run beside the figure it spoils.
"""

from __future__ import annotations

import datetime
import json
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from .inprocess import PAGES

LAST_RUN = Path(__file__).resolve().parents[1] / "docs" / "bench-last.json"
NONE = "—"


def mark(ok: bool) -> str:
    return "✓" if ok else "✗"


def previous_run() -> dict:
    try:
        return json.loads(LAST_RUN.read_text())
    except (OSError, ValueError):
        return {}


def _now() -> str:
    return datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")


def code_measured() -> dict:
    """The commit measured, and whether the tree had uncommitted changes (None: no git)."""
    def git(*args: str) -> str | None:
        try:
            return subprocess.run(["git", *args], capture_output=True, text=True, check=True,
                                  cwd=LAST_RUN.parent).stdout.strip()
        except (OSError, subprocess.CalledProcessError):
            return None

    commit = git("rev-parse", "--short", "HEAD")
    status = git("status", "--porcelain", "--untracked-files=no")
    return {"commit": commit, "uncommitted_changes": bool(status) if commit else None,
            # The machine's business besides the bench (two cores shared): noisy figures.
            "load_average": round(os.getloadavg()[0], 1), "cpus": os.cpu_count()}


def _write(run: dict) -> None:
    LAST_RUN.write_text(json.dumps(run, indent=2, ensure_ascii=False, sort_keys=True) + "\n")


def save_in_process(timings: dict[int, dict], runs: int) -> None:
    """Each scale measured replaces its own figures; the other scales keep theirs."""
    run = previous_run()
    scales = run.setdefault("in_process", {})
    for poles, pages in timings.items():
        scales[str(poles)] = {"date": _now(), **code_measured(), "runs": runs, "pages": pages}
    _write(run)


def save_load(data: dict) -> None:
    run = previous_run()
    run["load"] = {"date": _now(), **code_measured(), **data}
    _write(run)


def _ms(result: dict | None) -> str:
    if not result:
        return NONE
    if "median_ms" not in result:
        return f"HTTP {result.get('status')}"
    return f"{result['median_ms']:.1f}"


def in_process_table(results: dict[int, dict], previous: dict, out) -> list[str]:
    """One column per scale (and the previous run's figure), the target last."""
    scales = sorted(results)
    before = previous.get("in_process", {})
    header = f"{'page':46} {'SQL':>4}" + "".join(
        f" {f'{scale:,} pôles'.replace(',', ' '):>16} {'(préc.)':>8} " for scale in scales
    ) + f" {'cible':>8}"
    out(header)
    out("-" * len(header))
    failures = []
    for page in PAGES:
        sql = next((results[s][page.id].get("sql") for s in reversed(scales)
                    if results[s].get(page.id, {}).get("sql") is not None), None)
        line = f"{page.label:46} {sql if sql is not None else NONE:>4}"
        for scale in scales:
            result = results[scale].get(page.id)
            ok = bool(result) and result.get("median_ms", float("inf")) < page.target_ms
            flag = mark(ok) if result and (page.target or "median_ms" not in result) else " "
            if result and "median_ms" not in result:
                failures.append(f"{page.label} à {scale} pôles : HTTP {result.get('status')}")
            elif page.target and result and not ok:
                failures.append(f"{page.label} à {scale} pôles : {_ms(result)} ms "
                                f"≥ {page.target_ms} ms")
            previous_ms = _ms(before.get(str(scale), {}).get("pages", {}).get(page.id))
            line += f" {_ms(result):>11} ms {flag} {previous_ms:>8} "
        line += f" {f'< {page.target_ms} ms' if page.target else NONE:>8}"
        out(line)
    return failures


@dataclass(frozen=True)
class LoadPage:
    id: str  # the key in docs/bench-last.json
    label: str
    path: str
    kind: str  # "floor", "cached", "uncached" or "invalidated" (a new generation every second)
    min_ratio: float | None = None  # of the floor's requests/s
    max_p99_ms: float | None = None
    # The in-process page (its id by default) whose SQL queries it makes when it is built
    # (a cached hit makes none).
    sql_id: str | None = None

    def targets(self) -> str:
        parts = []
        if self.max_p99_ms is not None:
            parts.append(f"p99 < {self.max_p99_ms:.0f} ms")
        if self.min_ratio is not None:
            parts.append(f"≥ {self.min_ratio:.0%}".replace("%", " %"))
        return ", ".join(parts) or NONE

    def misses(self, row: dict) -> list[str]:
        missed = []
        if row["errors"]:
            missed.append(f"{row['errors']} erreurs")
        if self.max_p99_ms is not None and row["p99_ms"] >= self.max_p99_ms:
            missed.append(f"p99 {row['p99_ms']:.0f} ms ≥ {self.max_p99_ms:.0f} ms")
        if self.min_ratio is not None and row["ratio"] < self.min_ratio:
            missed.append(f"{row['ratio']:.1%} du plancher < {self.min_ratio:.0%}")
        return missed


def load_table(pages: list[LoadPage], rows: dict[str, dict], sql: dict[str, dict],
               previous: dict, out) -> list[str]:
    before = previous.get("load", {}).get("rows", {})
    header = (f"{'page':44} {'req/s':>7} {'p50 ms':>7} {'p99 ms':>7} {'err.':>5} "
              f"{'/plancher':>9} {'SQL':>4}  {'objectif':24} {'préc. : req/s, p99, /plancher'}")
    out(header)
    out("-" * len(header))
    failures = []
    for page in pages:
        row = rows.get(page.id)
        if row is None:
            continue
        queries = sql.get(page.sql_id or page.id, {}).get("sql", NONE)
        missed = page.misses(row)
        failures += [f"{page.label} : {miss}" for miss in missed]
        verdict = f"{page.targets()} {mark(not missed)}" if page.kind != "floor" else NONE
        old = before.get(page.id)
        old_text = (f"{old['rate']:.0f}, {old['p99_ms']:.0f} ms, {old['ratio']:.1%}"
                    if old else NONE)
        out(f"{page.label:44} {row['rate']:7.0f} {row['p50_ms']:7.1f} {row['p99_ms']:7.1f} "
            f"{row['errors']:5d} {row['ratio']:9.1%} {queries!s:>4}  {verdict:24} {old_text}")
    return failures
