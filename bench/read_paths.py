"""Read paths against their floors: the status read, the review queue, the licence list.

``python -m bench.read_paths`` (``make bench``) builds a fresh SQLite database in a temporary
folder (or the PostgreSQL database named by ``BENCH_READ_DATABASE_URL`` — its schema is
dropped and rebuilt) and times requests through the whole WSGI stack (CPU time of this
process: with SQLite that includes the database's work), each figure a ratio to a floor
measured in the same run:

- ``GET /applications/{id}`` (one complete case) against ``GET /health``;
- the review queue's first page with ``BENCH_QUEUE_LARGE`` (default 200) actionable cases
  against the same page with ``BENCH_QUEUE_SMALL`` (default 20);
- a manager's licence list with ``BENCH_LICENCES`` (default 300) licences against one.

It prints the medians of ``BENCH_REPEAT`` (default 30) requests and the ratios.
"""

from __future__ import annotations

import os
import platform
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import text

from app import create_app
from app.extensions import db
from tests import factories


def build_app(root: Path) -> Flask:
    url = os.environ.get("BENCH_READ_DATABASE_URL") or f"sqlite:///{root / 'bench.sqlite3'}"
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
        upgrade(directory=str(Path(app.root_path).parent / "migrations"))
    return app


def median_ms(request: Callable[[], object], repeat: int) -> float:
    """Median CPU time of ``repeat`` requests (after one warm-up), in milliseconds.

    CPU time of this process, not wall time: on a shared machine the wall clock measures the
    neighbours; with SQLite the database works inside this process and is counted.
    """
    request()
    seconds = []
    for _ in range(repeat):
        db.session.remove()  # every request starts from an empty session, as in production
        started = time.process_time()
        response = request()
        seconds.append(time.process_time() - started)
        if response.status_code != 200:
            raise SystemExit(f"benchmark request answered {response.status_code}")
    return statistics.median(seconds) * 1000


def add_cases(clerk_id: int, count: int) -> None:
    from app.models import User

    clerk = db.session.get(User, clerk_id)
    for _ in range(count):
        factories.case_in_state(factories.enterprise(factories.applicant()), "submitted", clerk)


def status_vs_health(client: FlaskClient, repeat: int) -> tuple[float, float]:
    user = factories.applicant()
    clerk = factories.staff("clerk")
    case = factories.case_in_state(factories.enterprise(user), "submitted", clerk)
    url, auth = f"/api/v1/applications/{case.id}", factories.headers(user)
    status = median_ms(lambda: client.get(url, headers=auth), repeat)
    health = median_ms(lambda: client.get("/api/v1/health"), repeat)
    return status, health


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


def main() -> None:
    repeat = int(os.environ.get("BENCH_REPEAT", "30"))
    small = int(os.environ.get("BENCH_QUEUE_SMALL", "20"))
    large = int(os.environ.get("BENCH_QUEUE_LARGE", "200"))
    licences = int(os.environ.get("BENCH_LICENCES", "300"))
    with tempfile.TemporaryDirectory() as folder:
        app = build_app(Path(folder))
        with app.app_context():
            client = app.test_client()
            status, health = status_vs_health(client, repeat)
            few, many = queue_sizes(client, small, large, repeat)
            one, listed = licence_sizes(client, licences, repeat)
            backend = db.engine.dialect.name
    print(f"backend {backend}, medians of {repeat} requests, Python {platform.python_version()}")
    print(f"status {status:.1f} ms vs health {health:.1f} ms: ratio {status / health:.1f}")
    print(
        f"queue {large} cases {many:.1f} ms vs {small} cases {few:.1f} ms: ratio {many / few:.2f}"
    )
    print(f"licences {licences} {listed:.1f} ms vs 1 {one:.1f} ms: ratio {listed / one:.2f}")


if __name__ == "__main__":
    main()
