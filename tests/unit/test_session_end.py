"""An app context whose transaction only read ends with COMMIT; anything else is rolled back."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import event, select, text, update

from app.extensions import db
from app.models import Enterprise, User


def _ends(app: Flask, work, seen: list[str] | None = None) -> list[str]:
    """Run ``work`` in an app context of its own; how its transaction ended."""
    seen = [] if seen is None else seen
    engine = db.engine
    committed, rolled_back = (lambda _: seen.append("commit")), (lambda _: seen.append("rollback"))
    event.listen(engine, "commit", committed)
    event.listen(engine, "rollback", rolled_back)
    try:
        with app.app_context():
            work()
    finally:
        event.remove(engine, "commit", committed)
        event.remove(engine, "rollback", rolled_back)
    return seen


@pytest.fixture
def firm_id(make) -> int:
    firm_id = make.enterprise(make.applicant()).id
    db.session.remove()  # the test's own session: the contexts below each get their own
    return firm_id


def test_a_context_that_only_read_commits(app, firm_id):
    def read() -> None:
        db.session.get(Enterprise, firm_id)
        db.session.scalar(select(User.id).limit(1).with_for_update())

    assert _ends(app, read) == ["commit"]


def test_a_statement_that_writes_is_rolled_back_not_committed(app, firm_id):
    def write_without_commit() -> None:
        db.session.get(Enterprise, firm_id)
        db.session.execute(update(Enterprise).where(Enterprise.id == firm_id).values(name="改名"))

    assert _ends(app, write_without_commit) == ["rollback"]
    assert db.session.get(Enterprise, firm_id).name != "改名"


def test_unflushed_changes_are_not_committed(app, firm_id):
    def change_without_commit() -> None:
        db.session.get(Enterprise, firm_id).name = "改名"

    assert "commit" not in _ends(app, change_without_commit)
    assert db.session.get(Enterprise, firm_id).name != "改名"


def test_a_context_ended_by_an_exception_is_not_committed(app, firm_id):
    def fail() -> None:
        db.session.get(Enterprise, firm_id)
        raise RuntimeError("boom")

    seen: list[str] = []
    with pytest.raises(RuntimeError):
        _ends(app, fail, seen)
    assert seen == ["rollback"]


def test_a_context_that_committed_its_writes_then_read_commits_the_read(app, firm_id):
    def write_then_read() -> None:
        db.session.get(Enterprise, firm_id).name = "新名称"
        db.session.commit()
        db.session.get(Enterprise, firm_id)

    assert _ends(app, write_then_read) == ["commit", "commit"]
    assert db.session.get(Enterprise, firm_id).name == "新名称"


def test_prepared_statements_outlive_read_only_requests(app, client, make):
    """On PostgreSQL the phone's poll statement is prepared after five polls and stays
    prepared: a rollback at the end of each request would have dropped it every time."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("prepared statements are psycopg's, on PostgreSQL")
    user = make.applicant()
    auth = make.headers(user)
    view = make.create_application(client, auth, make.enterprise(user).id)
    url = f"/api/v1/applications/{view['id']}"
    polled = {**auth, "If-None-Match": client.get(url, headers=auth).headers["ETag"]}
    db.session.remove()
    db.engine.dispose()  # one fresh pooled connection serves the polls below
    for _ in range(7):
        with app.app_context():  # a context per request, as in production
            assert client.get(url, headers=polled).status_code == 304
    with app.app_context():
        prepared = db.session.scalar(
            text("SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE '%version%'")
        )
    assert prepared >= 1
