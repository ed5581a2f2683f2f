"""Read paths in process, against their floors: the review queue and the licence list.

On the benchmark database (``bench.database``; ``BENCH_READ_DATABASE_URL`` names another, a
``sqlite:///`` URL included; its schema is rebuilt) this times requests through the whole WSGI
stack with Flask's test client — medians of ``BENCH_REPEAT`` (default 30) requests, each figure
a ratio to a floor measured in the same run:

- the review queue's first page with ``BENCH_QUEUE_LARGE`` (default 200) actionable cases
  against the same page with ``BENCH_QUEUE_SMALL`` (default 20);
- a manager's licence list with ``BENCH_READ_LICENCES`` (default 300) licences against one.

The status read is measured by ``bench.status``, against a server. On SQLite the clock is this
process's CPU time (the database works inside it, and the wall clock of a shared machine
measures the neighbours); on PostgreSQL it is the wall clock.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from flask.testing import FlaskClient

from app.extensions import db
from bench.database import bench_url, fresh_app
from bench.figures import Figure
from tests import factories

_clock: Callable[[], float] = time.perf_counter


def median_ms(request: Callable[[], object], repeat: int) -> float:
    """Median CPU time of ``repeat`` requests (after one warm-up), in milliseconds.

    The module's clock: CPU time of this process on SQLite, the wall clock on PostgreSQL.
    """
    request()
    seconds = []
    for _ in range(repeat):
        db.session.remove()  # every request starts from an empty session, as in production
        started = _clock()
        response = request()
        seconds.append(_clock() - started)
        if response.status_code != 200:
            raise SystemExit(f"benchmark request answered {response.status_code}")
    return statistics.median(seconds) * 1000


def add_cases(clerk_id: int, count: int) -> None:
    from app.models import User

    clerk = db.session.get(User, clerk_id)
    for _ in range(count):
        factories.case_in_state(factories.enterprise(factories.applicant()), "submitted", clerk)


def queue_sizes(client: FlaskClient, small: int, large: int, repeat: int) -> tuple[float, float]:
    clerk = factories.staff("clerk", "120000")
    clerk_id, auth = clerk.id, factories.headers(clerk)
    add_cases(clerk_id, small)
    few = median_ms(lambda: client.get("/api/v1/review/queue", headers=auth), repeat)
    add_cases(clerk_id, large - small)
    many = median_ms(lambda: client.get("/api/v1/review/queue", headers=auth), repeat)
    return few, many


def licence_sizes(client: FlaskClient, count: int, repeat: int) -> tuple[float, float]:
    from app.models import User

    user = factories.applicant()
    user_id, auth = user.id, factories.headers(user)
    factories.licence(factories.enterprise(user))
    one = median_ms(lambda: client.get("/api/v1/licences", headers=auth), repeat)
    holders = [factories.enterprise(db.session.get(User, user_id)) for _ in range(10)]
    for index in range(count - 1):
        factories.licence(holders[index % 10], valid_until=f"2027-{index % 12 + 1:02d}-15")
    many = median_ms(lambda: client.get("/api/v1/licences", headers=auth), repeat)
    return one, many


def figures() -> list[Figure]:
    global _clock
    repeat = int(os.environ.get("BENCH_REPEAT", "30"))
    small = int(os.environ.get("BENCH_QUEUE_SMALL", "20"))
    large = int(os.environ.get("BENCH_QUEUE_LARGE", "200"))
    licences = int(os.environ.get("BENCH_READ_LICENCES", "300"))
    with tempfile.TemporaryDirectory() as folder:
        app = fresh_app(bench_url("BENCH_READ_DATABASE_URL"), Path(folder))
        with app.app_context():
            backend = db.engine.dialect.name
            _clock = time.process_time if backend == "sqlite" else time.perf_counter
            client = app.test_client()
            few, many = queue_sizes(client, small, large, repeat)
            one, listed = licence_sizes(client, licences, repeat)
            db.session.remove()
            db.engine.dispose()
    clock = "CPU time" if backend == "sqlite" else "wall clock"
    how = f"in process on {backend}, {clock}, medians of {repeat} requests"
    return [
        Figure(
            name=f"review queue first page, {large} actionable cases vs {small} ({how})",
            measured=many,
            floor=few,
            unit="ms",
            goal=1.5,
            before="227.0 vs 82.0 ms = 2.77 (100 vs 20, SQLite CPU time)",
        ),
        Figure(
            name=f"`GET /licences`, {licences} licences (10 holders) vs 1 ({how})",
            measured=listed,
            floor=one,
            unit="ms",
            goal=1.5,
            before="17.2 vs 4.2 ms = 4.10 (100 vs 1, SQLite CPU time)",
        ),
    ]


if __name__ == "__main__":
    from bench.report import show

    show(figures())
