"""The benchmark page: each figure beside its goal, and modules that could not run say why."""

from __future__ import annotations

from bench.figures import Figure
from bench.report import Outcome, selected, table

THROUGHPUT = Figure("status vs health", 300.0, 600.0, "req/s", 0.6, higher_is_better=True)
TIME = Figure("scan vs bare SQL", 13.0, 10.0, "s", 1.3, before="1.6")


def test_each_figure_is_a_row_with_its_ratio_goal_and_verdict():
    rows = table([Outcome("bench.example", figures=[THROUGHPUT, TIME])])

    assert rows[2] == "| status vs health | 300 req/s | 600 req/s | 0.50 | ≥ 0.6 | **no** |  |"
    assert rows[3] == "| scan vs bare SQL | 13 s | 10 s | 1.30 | ≤ 1.3 | yes | 1.6 |"


def test_a_skipped_or_failed_module_is_listed_with_the_reason():
    rows = table(
        [
            Outcome("bench.status", skipped="wrk not installed"),
            Outcome("bench.scan", failed="OperationalError: connection refused | retry"),
        ]
    )

    assert "| `bench.status` | skipped: wrk not installed |" in rows[2]
    assert "**failed**: OperationalError: connection refused \\| retry" in rows[3]


def test_bench_only_picks_modules_by_their_last_name(monkeypatch):
    modules = ["bench.status", "bench.read_paths", "bench.reminder_scan"]
    monkeypatch.setenv("BENCH_ONLY", "status, reminder_scan")
    assert selected(modules) == ["bench.status", "bench.reminder_scan"]
    monkeypatch.delenv("BENCH_ONLY")
    assert selected(modules) == modules
