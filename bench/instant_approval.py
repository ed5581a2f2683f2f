"""Instant approval's ``submit`` latency against a plain ``submit``, through the whole app.

On the benchmark database (``bench.database``; ``BENCH_INSTANT_DATABASE_URL`` names another,
a ``sqlite:///`` URL included; its schema is rebuilt) this prepares ``BENCH_CASES`` (default
30) complete drafts of each kind — new hazardous-chemical trading cases (plain submit: state
change, acceptance clock, notice) and special-operations re-examinations that meet every
instant condition (submit evaluates the rules, accepts, approves, numbers and issues the
licence, schedules delivery) — and times each ``POST …/actions {"action":"submit"}`` through
the WSGI stack (wall clock). The figure is the ratio of the medians, instant / plain. Issue 13
sets no goal for it; the product's target is an instant decision in under a second, so the
goal written is the ratio at which the instant median would reach one second.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from app import timekeeping
from app.extensions import db
from bench.database import bench_url, fresh_app
from bench.figures import Figure
from tests import factories


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


def figures() -> list[Figure]:
    count = int(os.environ.get("BENCH_CASES", "30"))
    with tempfile.TemporaryDirectory() as folder:
        app = fresh_app(bench_url("BENCH_INSTANT_DATABASE_URL"), Path(folder))
        with app.app_context():
            client = app.test_client()
            user = factories.applicant("bench-applicant")
            enterprise = factories.enterprise(user)
            auth = factories.headers(user)
            plain, instant = drafts(client, auth, enterprise, count)
            plain_s = time_submits(client, auth, plain, "submitted")
            instant_s = time_submits(client, auth, instant, "approved")
            backend = db.engine.dialect.name
            db.session.remove()
            db.engine.dispose()
    plain_median, instant_median = statistics.median(plain_s), statistics.median(instant_s)
    return [
        Figure(
            name=f"instant approval `submit` vs a plain `submit` ({backend}, {count} each)",
            measured=instant_median * 1000,
            floor=plain_median * 1000,
            unit="ms",
            goal=1000 / (plain_median * 1000),  # instant under one second
            before="60.9 vs 46.3 ms = 1.31 (PostgreSQL)",
            notes=[
                f"95th percentiles: instant {p95(instant_s) * 1000:.1f} ms, plain "
                f"{p95(plain_s) * 1000:.1f} ms. The goal is the ratio at which an instant "
                "decision would take one second.",
            ],
        )
    ]


if __name__ == "__main__":
    from bench.report import show

    show(figures())
