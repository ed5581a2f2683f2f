"""Fixtures: one app per session on the test database, a clean database for every test.

``TEST_DATABASE_URL`` selects the database (SQLite in a temporary folder when unset). The
schema is built by the Alembic migrations, so every run also proves they work.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask import Flask, request_finished
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import event, text
from sqlalchemy.engine import Engine

from app import create_app, timekeeping
from app.extensions import db, limiter
from tests import factories, worker_database
from tests.problem_codes import ProblemCodes, RequiredFields

FROZEN_NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # Monday 10:00 in Shanghai


RAM_DISK = Path("/dev/shm")
_SHARED_DATABASE = pytest.StashKey[str | None]()


def pytest_configure(config: pytest.Config) -> None:
    """Temporary files live in memory; each xdist worker has its own PostgreSQL database.

    Storage fsyncs every upload and PDF; on a disk that wait was near a tenth of the time.
    The RAM disk is used only when neither ``--basetemp`` nor ``TMPDIR`` chooses a place
    (xdist workers inherit the controller's choice through ``--basetemp``).
    """
    if config.option.basetemp is None and "TMPDIR" not in os.environ:
        if RAM_DISK.is_dir() and os.access(RAM_DISK, os.W_OK):
            tempfile.tempdir = str(RAM_DISK)
    config.stash[_SHARED_DATABASE] = worker_database.claim(os.environ.get("PYTEST_XDIST_WORKER"))


def pytest_unconfigure(config: pytest.Config) -> None:
    worker_database.release(config.stash.get(_SHARED_DATABASE, None))


def _database_url(tmp_root: Path) -> str:
    return os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{tmp_root / 'test.sqlite3'}"


@pytest.fixture(scope="session")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    root = tmp_path_factory.mktemp("zerovisit")
    application = create_app(
        {
            "TESTING": True,
            "ENV": {"APP_ENV": "testing", "INSTANCE_DIR": str(root / "instance")},
            "SQLALCHEMY_DATABASE_URI": _database_url(root).replace(
                "postgresql://", "postgresql+psycopg://"
            ),
            "DATA_DIR": str(root / "data"),
            "WECHAT_MODE": "fake",
            "PUBLIC_BASE_URL": "http://testserver",
        }
    )
    with application.app_context():
        _skip_flush_to_disk(db.engine)
        with db.engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                connection.execute(text("DROP SCHEMA public CASCADE"))
                connection.execute(text("CREATE SCHEMA public"))
        upgrade(directory=str(Path(application.root_path).parent / "migrations"))
    yield application


def _skip_flush_to_disk(engine: Engine) -> None:
    """Commits in the test database return before they reach the disk.

    A test database never has to survive a power cut; on SQLite the wait for the disk at
    every commit was a sixth of the workflow tests' wall time. What is committed is visible
    to other connections exactly as before (the crash tests' servers use the production
    settings).
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:
        cursor = dbapi_connection.cursor()
        if engine.dialect.name == "postgresql":
            cursor.execute("SET synchronous_commit = off")
        else:
            cursor.execute("PRAGMA synchronous = OFF")
        cursor.close()


def _clean_database() -> None:
    """Empty every table, children first, and restart the id sequences.

    DELETE rather than TRUNCATE on PostgreSQL: a test leaves a handful of rows, and
    TRUNCATE of thirty tables (new files, exclusive locks) cost 0.7 s per test.
    """
    tables = list(reversed(db.metadata.sorted_tables))
    with db.engine.begin() as connection:
        # The licences <-> applications cycle: no order of DELETEs satisfies both keys.
        for table in tables:
            for key in table.foreign_keys:
                if key.use_alter and key.parent.nullable:
                    connection.execute(table.update().values({key.parent.name: None}))
        for table in tables:
            connection.execute(table.delete())
        if connection.dialect.name == "postgresql":
            connection.execute(
                text("SELECT setval(oid, 1, false) FROM pg_class WHERE relkind = 'S'")
            )


@pytest.fixture(autouse=True)
def _fresh_state(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[None]:
    """A clean database, data folder, rate limiter and config for every test that uses the app.

    While the test runs, every problem the app answers is checked against the codes its
    operation documents, and every JSON success body against the fields its schema
    requires (tests/problem_codes.py).
    """
    if "app" not in request.fixturenames:
        yield
        return
    flask_app: Flask = request.getfixturevalue("app")
    saved = dict(flask_app.config)
    flask_app.config["DATA_DIR"] = str(tmp_path / "data")
    codes = ProblemCodes(_document(flask_app))
    fields = RequiredFields(_document(flask_app))
    with flask_app.app_context():
        _clean_database()
        limiter.reset()
        try:
            with (
                request_finished.connected_to(codes.record, flask_app),
                request_finished.connected_to(fields.record, flask_app),
            ):
                yield
        finally:
            db.session.remove()
            flask_app.config.clear()
            flask_app.config.update(saved)
    if codes.undocumented:
        pytest.fail("problems not documented on their operation:\n" + "\n".join(codes.undocumented))
    if fields.missing:
        pytest.fail("required fields not sent:\n" + "\n".join(fields.missing))


_DOCUMENTS: dict[int, dict] = {}


def _document(flask_app: Flask) -> dict:
    """The app's OpenAPI document, read once per app."""
    if id(flask_app) not in _DOCUMENTS:
        _DOCUMENTS[id(flask_app)] = flask_app.test_client().get("/api/openapi.json").get_json()
    return _DOCUMENTS[id(flask_app)]


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask):
    return app.test_cli_runner()


@pytest.fixture(autouse=True)
def frozen_now(monkeypatch: pytest.MonkeyPatch):
    """Every test runs on the frozen office clock; returns a setter to move it.

    Autouse, so no test ever reads the real date: a date written into a test today must
    still hold on any later day.
    """
    current = {"now": FROZEN_NOW}
    monkeypatch.setattr(timekeeping, "now", lambda: current["now"])

    def move_to(moment: datetime) -> None:
        current["now"] = moment

    return move_to


@pytest.fixture
def make(app: Flask):
    """The factories, bound to the app's database."""
    return factories
