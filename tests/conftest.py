"""Fixtures: one app per session on the test database, a clean database for every test.

``TEST_DATABASE_URL`` selects the database (SQLite in a temporary folder when unset). The
schema is built by the Alembic migrations, so every run also proves they work.

Shared by every folder: a staffed ``office`` in Tianjin and ``drive`` to take a case through
its steps (``submitted``, ``approved``); ``wechat``, the local fake WeChat server in real
mode; ``live_server`` (the app over real HTTP) and ``browser`` (Debian's chromium driven by
Playwright).
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask import Flask, request_finished
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import event, text
from sqlalchemy.engine import Engine
from werkzeug.serving import make_server

from app import create_app, timekeeping
from app.api.status_reads import status_reads
from app.extensions import db, limiter
from tests import factories, worker_database
from tests.integration.fake_wechat import FakeWechatServer
from tests.problem_codes import ProblemCodes, RequiredFields

FROZEN_NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # Monday 10:00 in Shanghai


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ROLES = ("clerk", "reviewer", "inspector", "approver", "dispatcher", "admin")

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
        status_reads().clear()  # ids restart with the database: no body outlives its test
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


@pytest.fixture
def live_server(app: Flask) -> Iterator[str]:
    """The app served over real HTTP on a free 127.0.0.1 port, in a background thread."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)
        server.server_close()


@pytest.fixture
def browser():
    """Headless Debian chromium driven by Playwright (never a downloaded browser); skips
    when either is missing."""
    if CHROMIUM is None:
        pytest.skip("chromium is not installed (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    with sync_api.sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield instance
        finally:
            instance.close()


@pytest.fixture
def wechat(app: Flask, frozen_now) -> Iterator[FakeWechatServer]:
    """WeChat in real mode against a local fake server over HTTP (login, token, subscribe
    messages for the case, reminder and licence topics, phone numbers)."""
    server = FakeWechatServer().start()
    app.config.update(
        WECHAT_MODE="real",
        WECHAT_API_BASE=server.base_url,
        WECHAT_APPID="wx-test-app",
        WECHAT_SECRET="test-secret",
        WECHAT_TIMEOUT_SECONDS=2,
        WECHAT_TEMPLATE_CASE="tmpl-case",
        WECHAT_TEMPLATE_REMINDER="tmpl-reminder",
        WECHAT_TEMPLATE_LICENCE="tmpl-licence",
    )
    try:
        yield server
    finally:
        server.stop()


@dataclass
class Office:
    """An applicant (headers) with one enterprise in Tianjin, and one staff member (headers)
    of each role at the city level."""

    applicant: dict
    enterprise_id: int
    staff: dict[str, dict]

    def __getitem__(self, role: str) -> dict:
        return self.applicant if role == "applicant" else self.staff[role]


@pytest.fixture
def office(make) -> Office:
    user = make.applicant()
    firm = make.enterprise(user)
    staff = {role: make.headers(make.staff(role, "120000")) for role in ROLES}
    return Office(applicant=make.headers(user), enterprise_id=firm.id, staff=staff)


@pytest.fixture
def drive(client, make, office):
    """Take a sequence of (role, action, fields) steps, asserting each succeeds.

    Returns the case as the applicant sees it after the last step; between steps the
    action's own answer (the actor's view, with the new version) is enough to go on.
    """

    def run(view: dict, *steps: tuple) -> dict:
        if not steps:
            return view
        for step in steps:
            role, action, fields = (*step, {})[:3] if len(step) == 2 else step
            response = make.act(client, office[role], view, action, **fields)
            assert response.status_code == 200, (action, response.get_json())
            view = response.get_json()
        return client.get(f"/api/v1/applications/{view['id']}", headers=office.applicant).get_json()

    return run


@pytest.fixture
def submitted(client, make, office, drive):
    """A complete new hazchem-trading case, submitted."""
    view = make.create_application(client, office.applicant, office.enterprise_id)
    view = make.upload_required(client, office.applicant, view)
    return drive(view, ("applicant", "submit"))


def verify_all(view: dict) -> list[tuple]:
    """The reviewer's steps that find every uploaded material in order."""
    return [
        ("reviewer", "verify_material", {"material": m["code"], "verdict": "ok"})
        for m in view["materials"]
        if m["documents"]
    ]


@pytest.fixture
def approved(client, office, drive, submitted):
    """The submitted case driven through review and inspection to approval."""
    return drive(
        submitted,
        ("clerk", "accept"),
        ("reviewer", "start_review"),
        *verify_all(submitted),
        ("reviewer", "schedule_inspection", {"date": "2026-11-30"}),
        ("inspector", "record_inspection", {"result": "pass"}),
        ("reviewer", "recommend", {"recommendation": "approve"}),
        ("approver", "approve", {"comment": "准予许可"}),
    )
