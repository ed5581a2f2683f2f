"""Fixtures: one app per session on the test database, a clean database for every test.

``TEST_DATABASE_URL`` selects the database (SQLite in a temporary folder when unset). The
schema is built by the Alembic migrations, so every run also proves they work.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import text

from app import create_app
from app.domain import timekeeping
from app.extensions import db, limiter
from tests import factories

FROZEN_NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # Monday 10:00 in Shanghai


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
        with db.engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                connection.execute(text("DROP SCHEMA public CASCADE"))
                connection.execute(text("CREATE SCHEMA public"))
        upgrade(directory=str(Path(application.root_path).parent / "migrations"))
    yield application


def _clean_database() -> None:
    tables = [t.name for t in reversed(db.metadata.sorted_tables)]
    with db.engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                connection.execute(text(f"DELETE FROM {table}"))


@pytest.fixture(autouse=True)
def _fresh_state(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[None]:
    """A clean database, data folder, rate limiter and config for every test that uses the app."""
    if "app" not in request.fixturenames:
        yield
        return
    flask_app: Flask = request.getfixturevalue("app")
    saved = dict(flask_app.config)
    flask_app.config["DATA_DIR"] = str(tmp_path / "data")
    with flask_app.app_context():
        _clean_database()
        limiter.reset()
        try:
            yield
        finally:
            db.session.remove()
            flask_app.config.clear()
            flask_app.config.update(saved)


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
