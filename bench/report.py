"""``make bench``: run every benchmark module and write ``docs/benchmarks.md`` from the results.

Each module in ``MODULES`` exposes ``figures() -> list[Figure]``; they run one after the other
(each rebuilds the benchmark database it uses) and the page is written from what they return:
the command, the machine, the date, one table of every figure against its floor and goal, then
each figure's notes (profiles, ``EXPLAIN ANALYZE``), then the hand-written
``docs/benchmarks-notes.md``. Each module runs in a process of its own (the app is built once
per process). A module that cannot run here raises ``Skipped`` and is listed as such; a module
that fails is listed with its error and makes the command exit non-zero.

``BENCH_ONLY=status,reminder_scan`` runs only the named modules (the last part of their
name); ``BENCH_OUTPUT`` writes the page elsewhere (``-`` for standard output).
"""

from __future__ import annotations

import importlib
import json
import os
import platform
import shlex
import subprocess
import sys
import tempfile
import time
import traceback
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from bench.database import bench_url, server_version
from bench.figures import Figure, Skipped

# One line per benchmark module, in the order they run.
MODULES = [
    "bench.status",
    "bench.read_paths",
    "bench.reminder_scan",
    "bench.instant_approval",
    "bench.scale",
    "bench.licence_pdf",
    "bench.licence_ofd",
    "bench.upload",
    "bench.licence_export",
]
ROOT = Path(__file__).resolve().parent.parent
NOTES = ROOT / "docs" / "benchmarks-notes.md"
# The sizes a quick run can shrink, documented at the top of the page.
KNOBS = {
    "BENCH_DATABASE_URL": "PostgreSQL database every benchmark rebuilds "
    "(default `postgresql://postgres@127.0.0.1:5432/zv_bench`, created if missing)",
    "BENCH_ONLY": "comma-separated modules to run (e.g. `status,reminder_scan`)",
    "BENCH_LICENCES": "licences in the reminder-scan register (default 1,000,000)",
    "BENCH_ROUNDS": "interleaved rounds of each measured/floor pair (default 3)",
    "BENCH_WRK_SECONDS": "seconds of each wrk run of the status figure (default 10)",
    "BENCH_REPEAT": "requests per in-process read-path median (default 30)",
    "BENCH_QUEUE_SMALL / BENCH_QUEUE_LARGE": "in-process queue sizes (default 20 / 200)",
    "BENCH_READ_LICENCES": "licences of the in-process licence-list figure (default 300)",
    "BENCH_CASES": "drafts of each kind for instant approval (default 30)",
    "BENCH_EXPORT_LICENCES": "licences of the .xlsx export figure (default 100,000)",
    "BENCH_UPLOAD_MIB / BENCH_UPLOAD_ROUNDS": "upload size and rounds (default 20 / 5)",
    "BENCH_UPLOAD_SETTLE": "seconds of rest after the `sync` before each timed upload step "
    "(default 0.01)",
}


@dataclass
class Outcome:
    module: str
    figures: list[Figure] = field(default_factory=list)
    skipped: str = ""
    failed: str = ""  # the error's first line
    seconds: float = 0.0


def selected(modules: list[str]) -> list[str]:
    only = {name.strip() for name in os.environ.get("BENCH_ONLY", "").split(",") if name.strip()}
    return [m for m in modules if not only or m.rsplit(".", 1)[-1] in only]


def run(module: str) -> Outcome:
    """Run one module's ``figures()`` in a process of its own (one app per process)."""
    outcome = Outcome(module)
    started = time.perf_counter()
    print(f"== {module}", flush=True)
    with tempfile.TemporaryDirectory() as folder:
        result = Path(folder) / "figures.json"
        child = [sys.executable, "-m", "bench.report", "--module", module, str(result)]
        finished = subprocess.run(child, cwd=ROOT, check=False)
        if finished.returncode == 0:
            answer = json.loads(result.read_text(encoding="utf-8"))
            outcome.skipped = answer.get("skipped", "")
            outcome.figures = [Figure(**item) for item in answer.get("figures", [])]
        elif result.exists():
            outcome.failed = json.loads(result.read_text(encoding="utf-8"))["failed"]
        else:
            outcome.failed = f"exit status {finished.returncode}"
    outcome.seconds = time.perf_counter() - started
    show(outcome.figures)
    return outcome


def run_here(module: str, result: Path) -> int:
    """The child's side of ``run``: the figures (or why there are none) as JSON."""
    try:
        figures = importlib.import_module(module).figures()
    except Skipped as reason:
        answer: dict = {"skipped": str(reason)}
    except Exception as error:
        traceback.print_exc()
        first_line = (str(error).splitlines() or [""])[0]
        result.write_text(json.dumps({"failed": f"{type(error).__name__}: {first_line}"}))
        return 1
    else:
        answer = {"figures": [asdict(figure) for figure in figures]}
    result.write_text(json.dumps(answer, ensure_ascii=False), encoding="utf-8")
    return 0


def show(figures: list[Figure]) -> None:
    """Print figures as lines (what a module's own ``__main__`` does)."""
    for figure in figures:
        verdict = "met" if figure.met else "NOT met"
        sign = "≥" if figure.higher_is_better else "≤"
        print(
            f"{figure.name}: {figure.measured:.4g} vs {figure.floor:.4g} {figure.unit} = "
            f"{figure.ratio:.2f} (goal {sign} {figure.goal:.3g}: {verdict})",
            flush=True,
        )


def _proc_field(path: str, name: str) -> str:
    for line in Path(path).read_text().splitlines():
        if line.startswith(name):
            return line.split(":", 1)[1].strip()
    return "?"


def machine() -> list[tuple[str, str]]:
    memory_kb = int(_proc_field("/proc/meminfo", "MemTotal").split()[0])
    load = " ".join(f"{value:.1f}" for value in os.getloadavg())
    return [
        ("cores (nproc)", str(len(os.sched_getaffinity(0)))),
        ("CPU", _proc_field("/proc/cpuinfo", "model name")),
        ("memory", f"{memory_kb / 1024 / 1024:.1f} GiB"),
        ("PostgreSQL", server_version(bench_url())),
        ("Python", platform.python_version()),
        ("load average at the end", load),
    ]


def command_line() -> str:
    knobs = [f"{name}={shlex.quote(value)}" for name, value in os.environ.items() if _knob(name)]
    return " ".join([*sorted(knobs), "make bench  # python -m bench.report"])


def _knob(name: str) -> bool:
    return name.startswith("BENCH_") and name != "BENCH_OUTPUT"


def _number(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3g}"


def table(outcomes: list[Outcome]) -> list[str]:
    lines = [
        "| figure | measured | floor | ratio | goal | met? | before (issue 13) |",
        "|---|---:|---:|---:|---:|:---:|---|",
    ]
    for outcome in outcomes:
        for f in outcome.figures:
            goal = f"{'≥' if f.higher_is_better else '≤'} {f.goal:.3g}"
            lines.append(
                f"| {f.name} | {_number(f.measured)} {f.unit} | {_number(f.floor)} {f.unit} | "
                f"{f.ratio:.2f} | {goal} | {'yes' if f.met else '**no**'} | {f.before} |"
            )
        if outcome.skipped:
            lines.append(f"| `{outcome.module}` | skipped: {outcome.skipped} | | | | | |")
        if outcome.failed:
            error = outcome.failed.replace("|", "\\|")
            lines.append(f"| `{outcome.module}` | **failed**: {error} | | | | | |")
    return lines


def page(outcomes: list[Outcome], started: datetime) -> str:
    lines = [
        "# Benchmarks",
        "",
        "<!-- Generated by `make bench` (bench/report.py); edit docs/benchmarks-notes.md. -->",
        "",
        "Every figure is a measured path as a ratio to a floor measured in the same run, next",
        "to its goal from issue 13 and the figure the issue reported before the changes.",
        "Environment variables shrink a quick run:",
        "",
        *(f"- `{name}`: {meaning}" for name, meaning in KNOBS.items()),
        "",
        "```",
        command_line(),
        "```",
        "",
        f"Run {started:%Y-%m-%d %H:%M} UTC, {sum(o.seconds for o in outcomes) / 60:.1f} minutes.",
        "",
        "| machine | |",
        "|---|---|",
        *(f"| {key} | {value} |" for key, value in machine()),
        "",
        *table(outcomes),
        "",
    ]
    for outcome in outcomes:
        for figure in outcome.figures:
            if figure.notes:
                lines += [f"## {figure.name}", "", *_paragraphs(figure.notes), ""]
    if NOTES.exists():
        lines += [NOTES.read_text(encoding="utf-8").rstrip(), ""]
    return "\n".join(lines)


def _paragraphs(notes: list[str]) -> list[str]:
    out: list[str] = []
    for note in notes:
        out += [note, ""]
    return out[:-1]


def main() -> int:
    if sys.argv[1:2] == ["--module"]:
        return run_here(sys.argv[2], Path(sys.argv[3]))
    started = datetime.now(UTC)
    outcomes = [run(module) for module in selected(MODULES)]
    text = page(outcomes, started)
    target = os.environ.get("BENCH_OUTPUT", str(ROOT / "docs" / "benchmarks.md"))
    if target == "-":
        print(text)
    else:
        Path(target).write_text(text, encoding="utf-8")
        print(f"wrote {target}")
    return 1 if any(o.failed for o in outcomes) else 0


if __name__ == "__main__":
    sys.exit(main())
