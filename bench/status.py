"""Status read throughput: ``GET /applications/{id}`` against ``GET /health`` under wrk.

On the benchmark database (``bench.database``: its schema is rebuilt) this creates one
applicant with one submitted case (every material uploaded and verified), serves the app with
gunicorn (2 sync workers, no access log) twice — as configured, and with no status read kept
(``STATUS_READ_CACHE_ENTRIES=0``) — and runs ``wrk`` in a second process: health, the
applicant's read of the unchanged case, the same read from the server that builds every read,
and the 304 poll, ``BENCH_ROUNDS`` (default 3) times interleaved, each run
``BENCH_WRK_SECONDS`` (default 10) seconds over 4 connections. Each figure is the ratio of the
median throughputs. The notes give the CPU time per request of the server's processes (the
gunicorn workers and their PostgreSQL backends), count the SQL statements of a read and hold
a cProfile summary of ``BENCH_PROFILE_REQUESTS`` (default 300) built reads through the WSGI
stack.
"""

from __future__ import annotations

import cProfile
import io
import os
import pstats
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import psycopg
from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import make_url

from app.api.status_reads import EXTENSION as STATUS_READS
from app.extensions import db
from bench.database import bench_url, fresh_app
from bench.figures import Figure, Skipped
from tests import factories

CONNECTIONS = 4
PROFILE_LINES = 25


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def server_env(url: str, root: Path) -> dict[str, str]:
    """What the app reads from the environment, the same for the seeding app and gunicorn."""
    return {
        "APP_ENV": "development",
        "DATABASE_URL": url,
        "INSTANCE_DIR": str(root / "instance"),
        "DATA_DIR": str(root / "data"),
        "SECRET_KEY": secrets.token_urlsafe(48),
        "RATELIMIT_ENABLED": "false",
        "WECHAT_MODE": "fake",
    }


def seed(app: Flask) -> tuple[str, dict[str, str]]:
    """One submitted case of one applicant: its path and the applicant's headers."""
    with app.app_context():
        user = factories.applicant("bench-status")
        clerk = factories.staff("clerk")
        case = factories.case_in_state(factories.enterprise(user), "submitted", clerk)
        return f"/api/v1/applications/{case.id}", factories.headers(user)


def start_server(env: dict[str, str], port: int) -> subprocess.Popen:
    gunicorn = Path(sys.executable).with_name("gunicorn")
    command = [str(gunicorn), "--bind", f"127.0.0.1:{port}", "--workers", "2", "app:create_app()"]
    server = subprocess.Popen(
        command,
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/health", timeout=2):
                return server
        except OSError:
            time.sleep(0.3)
    stop_server(server)
    raise RuntimeError("gunicorn did not answer /api/v1/health within 60 s")


def stop_server(server: subprocess.Popen) -> None:
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()


@dataclass(frozen=True)
class Run:
    """One wrk run: throughput, and CPU seconds per request of the server's processes."""

    per_second: float
    cpu_ms: float


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time of ``pids`` so far (processes that ended count as nothing)."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / os.sysconf("SC_CLK_TCK")


def server_pids(server: subprocess.Popen, url: str) -> list[int]:
    """gunicorn's workers and the PostgreSQL backends serving the benchmark database."""
    children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
    target = make_url(url).set(drivername="postgresql")
    with psycopg.connect(target.render_as_string(hide_password=False)) as connection:
        rows = connection.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            (target.database,),
        ).fetchall()
    return [int(pid) for pid in children] + [int(row[0]) for row in rows]


def wrk(url: str, seconds: int, pids: list[int], headers: dict[str, str] | None = None) -> Run:
    """One wrk run; every response must be a 200."""
    command = ["wrk", "-t1", f"-c{CONNECTIONS}", f"-d{seconds}s"]
    for name, value in (headers or {}).items():
        command += ["-H", f"{name}: {value}"]
    before = cpu_seconds(pids)
    output = subprocess.run(
        [*command, url], capture_output=True, text=True, check=True, timeout=seconds + 60
    ).stdout
    used = cpu_seconds(pids) - before
    if "Non-2xx or 3xx responses" in output:
        raise RuntimeError(f"wrk saw error responses from {url}:\n{output}")
    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    count = re.search(r"(\d+) requests in", output)
    if not (rate and count):
        raise RuntimeError(f"no throughput in wrk's output:\n{output}")
    return Run(float(rate.group(1)), used / max(int(count.group(1)), 1) * 1000)


def current_etag(url: str, headers: dict[str, str]) -> str:
    """The ETag the phone holds after its last full read."""
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=10) as got:
        return got.headers["ETag"]


def statements_per_read(app: Flask, path: str, headers: dict[str, str]) -> int:
    """SQL statements one status read sends (the pool's pre-ping excluded: it is not SQL)."""
    count = 0

    def tally(*_: object) -> None:
        nonlocal count
        count += 1

    with app.app_context():
        client = app.test_client()
        client.get(path, headers=headers)
        event.listen(db.engine, "before_cursor_execute", tally)
        try:
            client.get(path, headers=headers)
        finally:
            event.remove(db.engine, "before_cursor_execute", tally)
    return count


def profile(app: Flask, path: str, headers: dict[str, str], requests: int) -> str:
    """cProfile of ``requests`` status reads through the WSGI stack: the top functions."""
    client = app.test_client()
    client.get(path, headers=headers)
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(requests):
        response = client.get(path, headers=headers)
    profiler.disable()
    assert response.status_code == 200, response.status_code
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("tottime").print_stats(PROFILE_LINES)
    stats.sort_stats("cumulative").print_stats(PROFILE_LINES)
    lines = [line.rstrip() for line in out.getvalue().splitlines()]
    root = str(Path(__file__).resolve().parent.parent) + "/"
    site = re.compile(r"\S*/site-packages/")
    return "\n".join(site.sub("", line.replace(root, "")) for line in lines if line.strip())


def figures() -> list[Figure]:
    if shutil.which("wrk") is None:
        raise Skipped("wrk not installed (Debian package `wrk`)")
    seconds = int(os.environ.get("BENCH_WRK_SECONDS", "10"))
    rounds = int(os.environ.get("BENCH_ROUNDS", "3"))
    url = bench_url()
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        env = server_env(url, root)
        app = fresh_app(url, root, **env)
        path, headers = seed(app)
        port, built_port = free_port(), free_port()
        server = start_server(env, port)
        # The same app with no status read kept: every read is built from the case.
        built_server = start_server({**env, "STATUS_READ_CACHE_ENTRIES": "0"}, built_port)
        try:
            base, built_base = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{built_port}"
            wrk(f"{base}{path}", 2, [], headers)  # warm both workers and their connections
            wrk(f"{built_base}{path}", 2, [], headers)
            pids = server_pids(server, url)
            built_pids = server_pids(built_server, url)
            polled = {**headers, "If-None-Match": current_etag(f"{base}{path}", headers)}
            health, status, built, conditional = [], [], [], []
            for _ in range(rounds):
                health.append(wrk(f"{base}/api/v1/health", seconds, pids))
                status.append(wrk(f"{base}{path}", seconds, pids, headers))
                built.append(wrk(f"{built_base}{path}", seconds, built_pids, headers))
                conditional.append(wrk(f"{base}{path}", seconds, pids, polled))
        finally:
            stop_server(server)
            stop_server(built_server)
        kept_statements = statements_per_read(app, path, headers)
        app.extensions[STATUS_READS].entries = 0  # what follows measures the built read
        statements = statements_per_read(app, path, headers)
        requests = int(os.environ.get("BENCH_PROFILE_REQUESTS", "300"))
        with app.app_context():
            summary = profile(app, path, headers, requests)
            db.engine.dispose()

    def per_round(measured: list[Run]) -> str:
        return ", ".join(
            f"{m.per_second:.0f} / {h.per_second:.0f}"
            for m, h in zip(measured, health, strict=True)
        )

    def cpu(measured: list[Run]) -> float:
        return statistics.median(run.cpu_ms for run in measured)

    def rate(measured: list[Run]) -> float:
        return statistics.median(run.per_second for run in measured)

    health_cpu = cpu(health)
    wrk_line = (
        f"gunicorn 2 sync workers, `wrk -t1 -c{CONNECTIONS} -d{seconds}s` in a second process"
    )
    return [
        Figure(
            name="`GET /applications/{id}` of an unchanged case (the kept body) vs `GET /health` "
            "throughput",
            measured=rate(status),
            floor=rate(health),
            unit="req/s",
            goal=0.5,
            higher_is_better=True,
            before="527–549 vs 2,269–2,359 req/s = 0.24 (issue 13); 0.26–0.34 (issue 25)",
            notes=[
                f"{wrk_line}; the applicant reads the same case without `If-None-Match`, as a "
                "page that opens it again does; status / health req/s per round: "
                f"{per_round(status)}.",
                "CPU per request of the gunicorn workers and their PostgreSQL backends "
                f"(medians): status {cpu(status):.2f} ms, health {health_cpu:.2f} ms, so "
                f"health / status = {health_cpu / cpu(status):.2f} — the throughput ratio on an "
                "otherwise idle machine where the server's CPU is the limit; on a shared one, "
                "wrk's throughput also measures what the neighbours leave.",
                f"A read of an unchanged case sends {kept_statements} SQL statement (the "
                "applicant and the case's version at once) and sends the body this worker "
                "built for that ETag (app/api/status_reads.py).",
            ],
        ),
        Figure(
            name="`GET /applications/{id}` built every time (`STATUS_READ_CACHE_ENTRIES=0`) vs "
            "`GET /health` throughput",
            measured=rate(built),
            floor=rate(health),
            unit="req/s",
            goal=0.5,
            higher_is_better=True,
            before="the figure above before bodies were kept",
            notes=[
                f"{wrk_line}, a second server of the same app keeping no body; the first read "
                f"after every change costs this. Built / health req/s per round: "
                f"{per_round(built)}.",
                f"CPU per request (medians): built {cpu(built):.2f} ms, health "
                f"{health_cpu:.2f} ms, so health / built = {health_cpu / cpu(built):.2f}.",
                f"A built status read sends {statements} SQL statements.",
                f"cProfile of {requests} built status reads through the WSGI stack (in process, "
                "same database), by own time and then by cumulative time:",
                f"```\n{summary}\n```",
            ],
        ),
        Figure(
            name="`GET /applications/{id}` with a matching `If-None-Match` (304) vs `GET /health`",
            measured=rate(conditional),
            floor=rate(health),
            unit="req/s",
            goal=0.8,
            higher_is_better=True,
            before="no ETag",
            notes=[
                f"same server and wrk settings, interleaved with the runs above; 304 / health "
                f"req/s per round: {per_round(conditional)}.",
                f"CPU per request (medians): 304 {cpu(conditional):.2f} ms, health "
                f"{health_cpu:.2f} ms. A 304 to an applicant is one statement (the user and "
                "the case's version at once, under ownership); no details are loaded.",
            ],
        ),
    ]


if __name__ == "__main__":
    from bench.report import show

    show(figures())
