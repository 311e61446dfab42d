"""The bench's report (bench/report.py, run by hand with make bench, never by the tests): each
figure beside its target and the previous run's, which the next run finds again."""

import pytest

from bench import report
from bench.report import LoadPage
from bench.run import database_url


@pytest.fixture
def last_run(tmp_path, monkeypatch):
    path = tmp_path / "bench-last.json"
    monkeypatch.setattr(report, "LAST_RUN", path)
    return path


def timings(**pages_ms: float) -> dict:
    return {page_id: {"path": "/", "status": 200, "sql": 5, "median_ms": ms}
            for page_id, ms in pages_ms.items()}


def test_each_scale_has_its_own_database(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/ptce_bench")
    assert database_url(10_000) == "postgres://postgres@127.0.0.1:5432/ptce_bench"
    assert database_url(1_000) == "postgres://postgres@127.0.0.1:5432/ptce_bench_1000"


def test_a_figure_shows_beside_its_target_and_the_previous_run(last_run):
    report.save_in_process({1000: timings(home=12.0), 10000: timings(home=25.0)}, runs=15)
    lines = []
    failures = report.in_process_table(
        {1000: timings(home=14.0), 10000: timings(home=41.5)}, report.previous_run(),
        lines.append,
    )
    home = next(line for line in lines if line.startswith("/ "))
    assert "14.0 ms ✓" in home and "12.0" in home  # this run, then the previous one
    assert "41.5 ms ✗" in home and "25.0" in home
    assert "< 30 ms" in home
    assert failures == ["/ à 10000 pôles : 41.5 ms ≥ 30 ms"]


def test_a_page_in_error_is_said_so(last_run):
    lines = []
    failures = report.in_process_table(
        {10000: {"home": {"path": "/", "status": 500}}}, {}, lines.append
    )
    assert "HTTP 500" in next(line for line in lines if line.startswith("/ "))
    assert failures == ["/ à 10000 pôles : HTTP 500"]


def test_a_scale_measured_alone_keeps_the_others_figures(last_run):
    report.save_in_process({1000: timings(home=12.0), 10000: timings(home=25.0)}, runs=15)
    report.save_in_process({1000: timings(home=13.0)}, runs=15)
    scales = report.previous_run()["in_process"]
    assert scales["1000"]["pages"]["home"]["median_ms"] == 13.0
    assert scales["10000"]["pages"]["home"]["median_ms"] == 25.0


def test_load_targets():
    cached = LoadPage("home", "/", "/", "cached", min_ratio=0.5, max_p99_ms=150)
    row = {"rate": 900.0, "p50_ms": 10.0, "p99_ms": 40.0, "errors": 0, "ratio": 0.6}
    assert cached.misses(row) == []
    slow = {**row, "p99_ms": 334.0, "ratio": 0.3, "errors": 2}
    assert cached.misses(slow) == [
        "2 erreurs", "p99 334 ms ≥ 150 ms", "30.0% du plancher < 50%"
    ]
