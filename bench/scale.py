"""Reads that must not grow with the office: the review queue, ``/stats``, a manager's licences.

``python -m bench.scale`` (``make bench`` through ``figures()``) rebuilds the schema of the
PostgreSQL database named by ``BENCH_DATABASE_URL`` (default
``postgresql://postgres@127.0.0.1:5432/zv_bench``; everything in it is dropped) and loads with
``COPY`` an office of ``BENCH_SCALE`` cases (default 1,000,000) in two provinces: Tianjin
(12…) holds all but 1 % of them, Hebei (13…) the rest. Then, through the Flask test client
(wall time, medians of 3 after one warm-up), each figure against its floor in the same run:

- the review queue's first page for a Tianjin clerk with 2,000 actionable cases, against a
  Hebei clerk with 200 (goal ≤ 1.5);
- ``GET /stats`` (this year) for Tianjin (≈ 1 M cases) against Hebei (10 k; goal ≤ 3);
- ``GET /licences`` for a manager with 10,000 licences against a manager with one (≤ 1.5).

``EXPLAIN (ANALYZE, BUFFERS)`` of the queue's and the licence list's statements, as sent,
goes into the figures' notes. ``BENCH_SCALE_REUSE=1`` measures the database as it stands
(the same office measured by another version of the code).
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from functools import cache
from types import SimpleNamespace

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, select

from app.extensions import db
from app.models import Enterprise, User
from app.services import identity
from app.timekeeping import OFFICE_TZ
from app.web.auth import issue_token
from bench.database import DEFAULT_URL, build_app, fresh_app
from bench.figures import Figure
from bench.reminder_scan import copy_rows

TODAY = date(2026, 11, 23)
FIRST_DAY = date(2022, 1, 3)
BIG, SMALL = "120101", "130101"  # Tianjin Heping district, Shijiazhuang Chang'an district
QUEUE_BIG, QUEUE_SMALL = 2_000, 200
MANY_LICENCES = 10_000
ENTERPRISES_PER_CASE = 50  # one enterprise for every 50 cases
REPEAT = 3
# Terminal and in-review states of the cases that are not in the clerks' queues, by share.
STATES = (("delivered", 80), ("denied", 6), ("withdrawn", 4), ("not_accepted", 4))
REVIEWING = "under_review"  # the reviewers' queues: every 50th case
GOALS = {"queue": 1.5, "stats": 3.0, "licences": 1.5}
# Measured with this module on 23 November 2026 on this machine (2 cores shared with other
# jobs, PostgreSQL 15, 1,000,000 cases), the code at e3de201 (before the queue columns, the
# stats in SQL and the licence-list changes) on the same database without their indexes.
BEFORE = {
    "queue": "1,507.9 ms vs 105.6 ms = 14.3",
    "stats": "4,662.1 ms vs 66.5 ms = 70.2",
    "licences": "191.1 ms vs 14.0 ms = 13.7",
}


@dataclass(frozen=True)
class Office:
    """Who the figures read as: (clerk, manager) tokens of the large and the small side."""

    big_clerk: dict[str, str]
    small_clerk: dict[str, str]
    big_manager: dict[str, str]
    small_manager: dict[str, str]


def scale() -> int:
    return int(os.environ.get("BENCH_SCALE", "1000000"))


def moment(day: date, hour: int) -> datetime:
    return datetime.combine(day, clock_time(hour), tzinfo=OFFICE_TZ).astimezone(UTC)


@cache
def _queue_columns(state: str, due: date | None) -> tuple:
    """The queue's columns of a case in ``state`` due on ``due``, as the app computes them."""
    from app.domain import queue_index

    case = SimpleNamespace(
        kind="new",
        state=state,
        inspection_result=None,
        direct_extension=False,
        recommendation=None,
        supplement_request=None,
        deadline_extended_days=None,
        modes=None,
        clock_kind="acceptance" if due else None,
        clock_due=due,
        clock_paused_on=None,
    )
    values = queue_index.columns(case)
    return values["queue_roles"], values["queue_due"], values["queue_overdue_on"]


def cases(total: int, small: int) -> Iterator[tuple]:
    """``small`` Hebei cases then the Tianjin ones; the clerks' actionable cases first."""
    span = (TODAY - FIRST_DAY).days
    enterprises_small = max(1, small // ENTERPRISES_PER_CASE)
    enterprises_big = max(1, (total - small) // ENTERPRISES_PER_CASE)
    now = datetime.now(UTC)
    for n in range(total):
        in_small = n < small
        index = n if in_small else n - small
        region = SMALL if in_small else BIG
        enterprise = (
            3 + index % enterprises_small
            if in_small
            else 3 + enterprises_small + index % enterprises_big
        )
        waiting = QUEUE_SMALL if in_small else QUEUE_BIG
        submitted = FIRST_DAY + timedelta(days=(index * 7919) % span)
        accepted = decided = closed = decision_due = due = None
        if index < waiting:  # the clerk's queue: acceptance limits from 10 days ago onwards
            state = "submitted"
            submitted = TODAY - timedelta(days=index % 20)
            due = submitted + timedelta(days=7)
        elif index % 50 == 0:
            state = REVIEWING
        else:
            state = _terminal_state(index)
        if state not in ("submitted", "withdrawn", "not_accepted"):
            accepted = submitted + timedelta(days=1 + index % 3)
            decision_due = accepted + timedelta(days=42)
        if state in ("delivered", "denied"):
            decided = accepted + timedelta(days=5 + index % 40)
            closed = decided + timedelta(days=3) if state == "delivered" else decided
        elif state in ("withdrawn", "not_accepted"):
            closed = submitted + timedelta(days=2)
        roles, queue_due, overdue_on = _queue_columns(state, due)
        yield (
            f"ZVB{n:09d}",
            enterprise,
            "hazchem-trading",
            "new",
            state,
            region,
            "{}",
            "{}",
            1,
            1,
            False,
            "acceptance" if due else None,
            submitted if due else None,
            due,
            moment(submitted, 10),
            moment(accepted, 11) if accepted else None,
            moment(decided, 15) if decided else None,
            decision_due,
            moment(closed, 16) if closed else None,
            roles,
            queue_due,
            overdue_on,
            now,
            now,
        )


def _terminal_state(index: int) -> str:
    position = index % sum(share for _, share in STATES)
    for state, share in STATES:
        if position < share:
            return state
        position -= share
    return STATES[0][0]


CASE_COLUMNS = (
    "number",
    "enterprise_id",
    "permit_type",
    "kind",
    "state",
    "region_code",
    "form",
    "delivery",
    "created_by",
    "version",
    "direct_extension",
    "clock_kind",
    "clock_started_on",
    "clock_due",
    "submitted_at",
    "accepted_at",
    "decided_at",
    "decision_due",
    "closed_at",
    "queue_roles",
    "queue_due",
    "queue_overdue_on",
    "created_at",
    "updated_at",
)
ENTERPRISE_COLUMNS = (
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
)
LICENCE_COLUMNS = (
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
    "source",
    "version",
    "created_at",
    "updated_at",
)


def enterprises(total: int, small: int) -> Iterator[tuple]:
    """Two managers' enterprises (ids 1 and 2), then the cases' holders."""
    now = datetime.now(UTC)
    holders = max(1, small // ENTERPRISES_PER_CASE) + max(
        1, (total - small) // ENTERPRISES_PER_CASE
    )
    for n in range(1, holders + 3):
        region = SMALL if 3 <= n < 3 + max(1, small // ENTERPRISES_PER_CASE) else BIG
        yield (
            f"基准测试化工有限公司{n}",
            f"9112{n:014d}",
            "张三",
            "天津市和平区测试路1号",
            region,
            "13800138000",
            n if n <= 2 else None,  # users 1 and 2 manage enterprises 1 and 2
            False,
            now,
            now,
        )


def licences(count: int, enterprise_id: int, offset: int) -> Iterator[tuple]:
    now = datetime.now(UTC)
    for n in range(count):
        valid_until = TODAY + timedelta(days=(n * 37) % 1500 - 300)
        valid_from = valid_until - timedelta(days=3 * 365 - 1)
        yield (
            f"津安经〔{valid_from.year}〕{offset + n:07d}",
            "",
            "hazchem-trading",
            enterprise_id,
            BIG,
            '{"name": "基准测试化工有限公司", "form": {}}',
            "天津市应急管理局",
            valid_from,
            valid_from,
            valid_until,
            "imported",
            1,
            now,
            now,
        )


def build(app: Flask) -> Office:
    """The office of ``scale()`` cases loaded into a fresh schema; who reads it."""
    total = scale()
    small = max(QUEUE_SMALL + 100, total // 100)
    with app.app_context():
        now = datetime.now(UTC)
        managers = ((f"bench-manager-{n}",) for n in (1, 2))
        copy_rows(
            "users",
            ("kind", "openid", "display_name", "roles", "active", "created_at"),
            (("applicant", openid, "", "[]", True, now) for (openid,) in managers),
        )
        copy_rows("enterprises", ENTERPRISE_COLUMNS, enterprises(total, small))
        copy_rows("applications", CASE_COLUMNS, cases(total, small))
        copy_rows("licences", LICENCE_COLUMNS, licences(MANY_LICENCES, 1, 0))
        copy_rows("licences", LICENCE_COLUMNS, licences(1, 2, MANY_LICENCES))
        copy_rows("licences", LICENCE_COLUMNS, licences(total // 10, 3, MANY_LICENCES + 1))
        identity.create_staff("bench-clerk-12", "correct-horse-9", ["clerk"], "120000")
        identity.create_staff("bench-clerk-13", "correct-horse-9", ["clerk"], "130000")
        _vacuum()
        return office()


def _vacuum() -> None:
    """VACUUM (outside a transaction): the visibility map lets index-only scans skip the heap."""
    raw = db.engine.raw_connection()
    try:
        raw.driver_connection.autocommit = True
        raw.driver_connection.execute("VACUUM ANALYZE")
    finally:
        raw.close()


def office() -> Office:
    def auth(user: User) -> dict[str, str]:
        return {"Authorization": f"Bearer {issue_token(user)[0]}"}

    def staff(username: str) -> User:
        return db.session.scalar(select(User).where(User.username == username))

    def manager(enterprise_id: int) -> User:
        return db.session.get(User, db.session.get(Enterprise, enterprise_id).manager_id)

    return Office(
        big_clerk=auth(staff("bench-clerk-12")),
        small_clerk=auth(staff("bench-clerk-13")),
        big_manager=auth(manager(1)),
        small_manager=auth(manager(2)),
    )


def median_seconds(request: Callable[[], object]) -> float:
    request()  # warm-up: caches, the calendar, the first plan
    timings = []
    for _ in range(REPEAT):
        started = time.perf_counter()
        response = request()
        timings.append(time.perf_counter() - started)
        assert response.status_code == 200, response.get_json()
    return statistics.median(timings)


def explain(client: FlaskClient, url: str, auth: dict[str, str], marker: str) -> list[str]:
    """``EXPLAIN (ANALYZE, BUFFERS)`` of the request's statement that mentions ``marker``."""
    sent: list[tuple[str, object]] = []

    def record(conn, cursor, statement, parameters, context, executemany) -> None:
        sent.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        client.get(url, headers=auth)
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    statement, parameters = next((s, p) for s, p in sent if marker in s)
    raw = db.engine.raw_connection()
    try:
        with raw.driver_connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {statement}", parameters)
            plan = [row[0] for row in cursor.fetchall()]
        raw.driver_connection.rollback()
    finally:
        raw.close()
    return [f"{url}:", statement, *plan]


def measure(app: Flask, who: Office) -> list[Figure]:
    client = app.test_client()
    with app.app_context():
        queue = "/api/v1/review/queue"
        queue_big = median_seconds(lambda: client.get(queue, headers=who.big_clerk))
        queue_small = median_seconds(lambda: client.get(queue, headers=who.small_clerk))
        stats = "/api/v1/stats"
        stats_big = median_seconds(lambda: client.get(stats, headers=who.big_clerk))
        stats_small = median_seconds(lambda: client.get(stats, headers=who.small_clerk))
        listing = "/api/v1/licences"
        many = median_seconds(lambda: client.get(listing, headers=who.big_manager))
        one = median_seconds(lambda: client.get(listing, headers=who.small_manager))
        queue_plan = explain(client, queue, who.big_clerk, "FROM applications")
        stats_plan = explain(client, stats, who.big_clerk, "decision_due")
        licence_plan = explain(client, listing, who.big_manager, "LIMIT")
    total = scale()
    return [
        Figure(
            f"review queue: {QUEUE_BIG:,} actionable cases vs {QUEUE_SMALL:,} "
            f"(same {total:,}-case DB)",
            queue_big * 1000,
            queue_small * 1000,
            "ms",
            GOALS["queue"],
            before=BEFORE["queue"],
            notes=queue_plan,
        ),
        Figure(
            f"GET /stats, {total - total // 100:,} cases vs {total // 100:,}",
            stats_big * 1000,
            stats_small * 1000,
            "ms",
            GOALS["stats"],
            before=BEFORE["stats"],
            notes=[
                "Each figure is one grouped statement over the cases of the period (a row per "
                "pair of dates for the working-day spans), read from covering indexes keyed on "
                "the period's timestamp: the work grows with the cases received or decided in "
                "the period, not with the office. A smaller floor needs counts kept per region "
                "and day as cases change (not built).",
                *stats_plan,
            ],
        ),
        Figure(
            f"GET /licences, a manager with {MANY_LICENCES:,} licences vs 1",
            many * 1000,
            one * 1000,
            "ms",
            GOALS["licences"],
            before=BEFORE["licences"],
            notes=licence_plan,
        ),
    ]


def figures() -> list[Figure]:
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    if os.environ.get("BENCH_SCALE_REUSE") == "1":
        app = build_app(url)
        with app.app_context():
            who = office()
    else:
        app = fresh_app(url)
        who = build(app)
    return measure(app, who)


def main() -> None:
    started = time.perf_counter()
    for figure in figures():
        print(
            f"{figure.name}: {figure.measured:.1f} {figure.unit} vs {figure.floor:.1f} "
            f"{figure.unit} = {figure.ratio:.2f} (goal {figure.goal}, met {figure.met})"
        )
        for line in figure.notes:
            print(f"    {line}")
    print(f"({time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
