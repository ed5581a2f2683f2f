"""The expiry reminder scan over a register of 1,000,000 licences on PostgreSQL.

``python -m bench.reminder_scan`` (``make bench``) rebuilds the schema of the database named by
``BENCH_DATABASE_URL`` (default ``postgresql://postgres@127.0.0.1:5432/zv_bench``, created when
missing — everything in it is dropped), loads 120,000 enterprises (four in five claimed by a
manager) and 1,000,000 licences with ``COPY``, expiring evenly from two years ago to three years
ahead, then times ``reminders.scan``: the first run, an immediate re-run (idempotent: nothing
new) and the next day's run. ``BENCH_LICENCES`` changes the size.
"""

from __future__ import annotations

import json
import os
import platform
import random
import time
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url

from app import create_app
from app.extensions import db
from app.licences import reminders
from app.models import OutboxMessage, Reminder

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/zv_bench"
TODAY = date(2026, 11, 23)
ENTERPRISES = 120_000
CLAIMED_SHARE = 0.8
PERMIT_TYPES = ("hazchem-trading", "hazchem-production-safety", "fireworks-wholesale")
SPAN_DAYS = 5 * 365  # expiries from two years ago to three years ahead
MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def ensure_database(url: str) -> None:
    """Create the benchmark database when it does not exist yet."""
    target = make_url(url)
    admin = target.set(database="postgres", drivername="postgresql")
    conninfo = admin.render_as_string(hide_password=False)
    with psycopg.connect(conninfo, autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (target.database,)
        ).fetchone()
        if not exists:
            connection.execute(f'CREATE DATABASE "{target.database}"')


def build_app(url: str) -> Flask:
    return create_app(
        {
            "ENV": {"APP_ENV": "development"},
            "SQLALCHEMY_DATABASE_URI": url.replace("postgresql://", "postgresql+psycopg://", 1),
            "WECHAT_MODE": "fake",
        }
    )


def rebuild_schema(app: Flask) -> None:
    with db.engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    upgrade(directory=str(MIGRATIONS))


def copy_rows(table: str, columns: tuple[str, ...], rows: Iterable[tuple]) -> int:
    """``COPY table (columns) FROM STDIN``; the number of rows written."""
    written = 0
    raw = db.engine.raw_connection()
    try:
        connection = raw.driver_connection
        with connection.cursor() as cursor:
            with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    written += 1
        connection.commit()
    finally:
        raw.close()
    return written


def users(count: int, now: datetime) -> Iterator[tuple]:
    for n in range(1, count + 1):
        yield ("applicant", f"bench-openid-{n:07d}", "", "[]", True, now)


def enterprises(count: int, managers: int, now: datetime) -> Iterator[tuple]:
    for n in range(1, count + 1):
        manager = n if n <= managers else None
        yield (
            f"基准测试化工有限公司{n}",
            f"91120101{n:010d}",
            "张三",
            "天津市和平区测试路1号",
            "120101",
            "13800138000",
            manager,
            False,
            now,
            now,
        )


def licences(count: int, now: datetime, rng: random.Random) -> Iterator[tuple]:
    first_expiry = TODAY - timedelta(days=2 * 365)
    for n in range(1, count + 1):
        valid_until = first_expiry + timedelta(days=rng.randrange(SPAN_DAYS))
        valid_from = valid_until - timedelta(days=3 * 365 - 1)
        enterprise = rng.randrange(1, ENTERPRISES + 1)
        holder = {"name": f"基准测试化工有限公司{enterprise}", "form": {}}
        yield (
            f"津安经〔{valid_from.year}〕{n:07d}",
            "",
            PERMIT_TYPES[n % len(PERMIT_TYPES)],
            enterprise,
            "120101",
            json.dumps(holder, ensure_ascii=False),
            "天津市应急管理局",
            valid_from,
            valid_from,
            valid_until,
            "superseded" if n % 50 == 0 else None,
            "imported",
            1,
            now,
            now,
        )


def load_register(count: int) -> float:
    """Users, enterprises and ``count`` licences; seconds taken."""
    started = time.perf_counter()
    now = datetime.now(UTC)
    managers = int(ENTERPRISES * CLAIMED_SHARE)
    copy_rows(
        "users",
        ("kind", "openid", "display_name", "roles", "active", "created_at"),
        users(managers, now),
    )
    copy_rows(
        "enterprises",
        (
            "name",
            "credit_code",
            "legal_representative",
            "address",
            "region_code",
            "contact_phone",
            "manager_id",
            "bad_credit",
            "created_at",
            "updated_at",
        ),
        enterprises(ENTERPRISES, managers, now),
    )
    copy_rows(
        "licences",
        (
            "number",
            "identifier",
            "permit_type",
            "enterprise_id",
            "region_code",
            "holder",
            "issuer_name",
            "issued_on",
            "valid_from",
            "valid_until",
            "terminal_status",
            "source",
            "version",
            "created_at",
            "updated_at",
        ),
        licences(count, now, random.Random(20261123)),
    )
    with db.engine.begin() as connection:
        connection.execute(text("ANALYZE"))
    return time.perf_counter() - started


def timed(work: Callable[[], Any]) -> tuple[Any, float]:
    started = time.perf_counter()
    result = work()
    return result, time.perf_counter() - started


def _proc_field(path: str, name: str) -> str:
    for line in Path(path).read_text().splitlines():
        if line.startswith(name):
            return line.split(":", 1)[1].strip()
    return "?"


def machine() -> dict[str, str]:
    memory_kb = int(_proc_field("/proc/meminfo", "MemTotal").split()[0])
    version = db.session.scalar(text("SHOW server_version"))
    db.session.rollback()
    return {
        "cpus": str(os.cpu_count()),
        "cpu": _proc_field("/proc/cpuinfo", "model name"),
        "memory": f"{memory_kb / 1024 / 1024:.0f} GiB",
        "postgresql": str(version),
        "python": platform.python_version(),
    }


def table_size(model: Any) -> int:
    count = db.session.scalar(select(func.count()).select_from(model))
    db.session.rollback()
    return int(count or 0)


def report(label: str, summary: reminders.ScanSummary, seconds: float) -> None:
    print(
        f"{label:<26} {seconds:8.2f} s   in range {summary.licences_in_range:>7}   "
        f"sent {summary.sent:>6}   skipped {summary.skipped:>6}   unclaimed {summary.unclaimed:>6}"
    )


def main() -> None:
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    count = int(os.environ.get("BENCH_LICENCES", "1000000"))
    ensure_database(url)
    app = build_app(url)
    with app.app_context():
        rebuild_schema(app)
        loaded = load_register(count)
        print(f"machine: {machine()}")
        print(f"loaded {count} licences and {ENTERPRISES} enterprises in {loaded:.1f} s")
        first, first_s = timed(lambda: reminders.scan(TODAY))
        report("first scan", first, first_s)
        again, again_s = timed(lambda: reminders.scan(TODAY))
        report("re-run, same day", again, again_s)
        following, following_s = timed(lambda: reminders.scan(TODAY + timedelta(days=1)))
        report("next day", following, following_s)
        print(f"reminders {table_size(Reminder)}, outbox messages {table_size(OutboxMessage)}")


if __name__ == "__main__":
    main()
