"""Instant approval's ``submit`` latency against a plain ``submit``, through the whole app.

``python -m bench.instant_approval`` builds a fresh SQLite database in a temporary folder
(or the PostgreSQL database named by ``BENCH_INSTANT_DATABASE_URL`` — its schema is dropped
and rebuilt), prepares ``BENCH_CASES`` (default 30) complete drafts of each kind — new
hazardous-chemical trading cases (plain submit: state change, acceptance clock, notice) and
special-operations re-examinations that meet every instant condition (submit evaluates the
rules, accepts, approves, numbers and issues the licence, schedules delivery) — and times
each ``POST …/actions {"action":"submit"}`` through the WSGI stack. It prints the medians,
the 95th percentiles and the ratio instant / plain; the target is instant < 1 s.
"""

from __future__ import annotations

import os
import platform
import statistics
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import text

from app import create_app
from app.domain import timekeeping
from app.extensions import db
from tests import factories

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def build_app(root: Path) -> Flask:
    url = os.environ.get("BENCH_INSTANT_DATABASE_URL") or f"sqlite:///{root / 'bench.sqlite3'}"
    app = create_app(
        {
            "ENV": {"APP_ENV": "development", "INSTANCE_DIR": str(root / "instance")},
            "SQLALCHEMY_DATABASE_URI": url.replace("postgresql://", "postgresql+psycopg://", 1),
            "DATA_DIR": str(root / "data"),
            "WECHAT_MODE": "fake",
            "RATELIMIT_ENABLED": False,
        }
    )
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as connection:
                connection.execute(text("DROP SCHEMA public CASCADE"))
                connection.execute(text("CREATE SCHEMA public"))
        upgrade(directory=str(MIGRATIONS))
    return app


def drafts(client, auth: dict, enterprise, count: int) -> tuple[list[dict], list[dict]]:
    """``count`` complete plain drafts and ``count`` instant-eligible re-examinations."""
    plain, instant = [], []
    until = (timekeeping.today() + timedelta(days=40)).isoformat()
    for _ in range(count):
        view = factories.create_application(client, auth, enterprise.id)
        plain.append(factories.upload_required(client, auth, view))
        held = factories.licence(enterprise, "special-operations", valid_until=until)
        body = factories.application_body(
            enterprise.id,
            "special-operations",
            "renewal",
            licence_id=held.id,
            form=factories.example_form("special-operations", "renewal"),
        )
        response = client.post("/api/v1/applications", json=body, headers=auth)
        instant.append(factories.upload_required(client, auth, response.get_json()))
    return plain, instant


def time_submits(client, auth: dict, views: list[dict], expected: str) -> list[float]:
    seconds = []
    for view in views:
        started = time.perf_counter()
        response = factories.act(client, auth, view, "submit")
        seconds.append(time.perf_counter() - started)
        state = response.get_json().get("state")
        if response.status_code != 200 or state != expected:
            raise SystemExit(f"submit of {view['id']} answered {response.status_code} {state}")
    return seconds


def p95(values: list[float]) -> float:
    return sorted(values)[max(0, int(len(values) * 0.95) - 1)]


def main() -> None:
    count = int(os.environ.get("BENCH_CASES", "30"))
    with tempfile.TemporaryDirectory() as folder:
        app = build_app(Path(folder))
        with app.app_context():
            client = app.test_client()
            user = factories.applicant("bench-applicant")
            enterprise = factories.enterprise(user)
            auth = factories.headers(user)
            plain, instant = drafts(client, auth, enterprise, count)
            plain_s = time_submits(client, auth, plain, "submitted")
            instant_s = time_submits(client, auth, instant, "approved")
            backend = db.engine.dialect.name
    plain_median, instant_median = statistics.median(plain_s), statistics.median(instant_s)
    print(f"backend {backend}, {count} cases each, Python {platform.python_version()}")
    print(f"plain submit:   median {plain_median * 1000:.1f} ms, p95 {p95(plain_s) * 1000:.1f} ms")
    print(
        f"instant submit: median {instant_median * 1000:.1f} ms, p95 {p95(instant_s) * 1000:.1f} ms"
    )
    print(f"ratio instant / plain (medians): {instant_median / plain_median:.2f}")


if __name__ == "__main__":
    main()
