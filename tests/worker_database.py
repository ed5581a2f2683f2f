"""One PostgreSQL database per pytest-xdist worker.

Every test empties the tables it runs on, so two workers cannot share one database. Each
worker (``gw0``, ``gw1``, …) creates ``<TEST_DATABASE_URL's database>_<worker>`` at start,
points ``TEST_DATABASE_URL`` at it for everything in that process (the app fixture, the
gunicorn servers the integration tests start), and drops it at the end. Without xdist, or
on SQLite (a file in each worker's own temporary folder), nothing changes.
"""

from __future__ import annotations

import os

import psycopg
from psycopg import sql
from sqlalchemy.engine import make_url

VARIABLE = "TEST_DATABASE_URL"


def _run(url: str, statement: sql.Composable) -> None:
    """Run one statement outside a transaction (CREATE/DROP DATABASE need that)."""
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(statement)


def _drop(url: str, name: str) -> None:
    """Drop database ``name``, cutting any connection still open to it."""
    _run(url, sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def claim(worker: str | None) -> str | None:
    """Create this worker's database and point ``TEST_DATABASE_URL`` at it; return its URL."""
    url = os.environ.get(VARIABLE, "")
    if not worker or not url.startswith("postgresql"):
        return None
    shared = make_url(url)
    name = f"{shared.database}_{worker}"
    _drop(url, name)  # left behind by a killed run
    _run(url, sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    os.environ[VARIABLE] = shared.set(database=name).render_as_string(hide_password=False)
    return url


def release(shared_url: str | None) -> None:
    """Drop this worker's database and point ``TEST_DATABASE_URL`` back at the shared one."""
    if shared_url is None:
        return
    name = make_url(os.environ[VARIABLE]).database
    os.environ[VARIABLE] = shared_url
    _drop(shared_url, name)
