"""The event feed under concurrent writers on PostgreSQL: every event once, in cursor order.

Writers commit in an order unrelated to the order their rows were numbered (each sleeps
inside its transaction), and some roll back; a reader polls ``GET /events`` meanwhile. A
feed ordered by row id alone would let the reader pass an id a slower transaction fills in
later; the (txid, id) cursor with the xmin fence must not.
"""

from __future__ import annotations

import random
import threading
import time

import pytest
from sqlalchemy import create_engine, make_url, select, text

from app.domain import events
from app.extensions import db
from app.models import Event
from app.services import api_clients

pytestmark = pytest.mark.skipif(
    "postgresql" not in (__import__("os").environ.get("TEST_DATABASE_URL") or ""),
    reason="concurrent writers need PostgreSQL (TEST_DATABASE_URL); SQLite has one writer",
)

WRITERS = 8
TRANSACTIONS = 25
DEADLINE_SECONDS = 120


def _token(client) -> dict[str, str]:
    record, secret = api_clients.create_client("并发测试", ["events:read"])
    response = client.post(
        "/api/v1/auth/client", json={"client_id": record.client_id, "client_secret": secret}
    )
    return {"Authorization": f"Bearer {response.get_json()['token']}"}


def _data(number: str) -> dict:
    """A case event's data as the feed documents it (the test hook checks every field)."""
    return {
        "application_id": 1,
        "application_number": number,
        "kind": "new",
        "action": "submit",
        "to_state": "submitted",
    }


def _writer(app, number: int, committed: list[int], errors: list[BaseException]) -> None:
    rng = random.Random(number)
    try:
        with app.app_context():
            for n in range(TRANSACTIONS):
                written = [
                    events.emit("case.submitted", f"W{number}-{n}-{k}", _data(f"W{number}"))
                    for k in range(rng.randint(1, 3))
                ]
                db.session.flush()  # the ids are taken now, the commit comes later
                time.sleep(rng.uniform(0, 0.02))
                if rng.random() < 0.1:
                    db.session.rollback()
                    continue
                ids = [event.id for event in written]
                db.session.commit()
                committed.extend(ids)
    except BaseException as exc:
        errors.append(exc)


def _poll(client, headers, after: str) -> dict:
    response = client.get(
        "/api/v1/events", query_string={"after": after, "limit": 20}, headers=headers
    )
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_eight_writers_and_a_polling_reader_see_every_event_once_in_order(app, client):
    app.config["CLIENT_RATE_LIMIT"] = "1000000 per minute"
    headers = _token(client)
    committed: list[int] = []
    errors: list[BaseException] = []
    threads = [
        threading.Thread(target=_writer, args=(app, n, committed, errors)) for n in range(WRITERS)
    ]
    for thread in threads:
        thread.start()
    seen: list[dict] = []
    after = ""
    deadline = time.monotonic() + DEADLINE_SECONDS
    while time.monotonic() < deadline:
        writing = any(thread.is_alive() for thread in threads)
        page = _poll(client, headers, after)
        seen += page["items"]
        after = page["next"]
        if not writing and not page["items"] and len(seen) >= len(committed):
            break
    for thread in threads:
        thread.join()
    assert not errors, errors
    seen_ids = [int(item["id"]) for item in seen]
    assert len(seen_ids) == len(set(seen_ids)), "an event was delivered twice"
    assert sorted(seen_ids) == sorted(committed), (
        "an event was skipped (or a rolled-back one shown)"
    )
    db.session.expire_all()
    cursors = {row.id: (row.txid, row.id) for row in db.session.scalars(select(Event)).all()}
    order = [cursors[i] for i in seen_ids]
    assert order == sorted(order), "events were not delivered in cursor order"
    assert len({txid for txid, _ in order}) > WRITERS  # many transactions, truly interleaved


def test_a_later_commit_waits_behind_an_older_open_transaction(app, client):
    headers = _token(client)
    slow_emitted = threading.Event()
    release = threading.Event()

    def slow() -> None:
        with app.app_context():
            events.emit("case.submitted", "SLOW", _data("SLOW"))
            db.session.flush()
            slow_emitted.set()
            release.wait(30)
            db.session.commit()

    thread = threading.Thread(target=slow)
    thread.start()
    assert slow_emitted.wait(30)
    events.emit("case.accepted", "FAST", _data("FAST"))  # taken after the slow one, committed first
    db.session.commit()
    try:
        assert _poll(client, headers, "")["items"] == []  # FAST waits: SLOW may still commit
    finally:
        release.set()
        thread.join()
    deadline = time.monotonic() + 60
    items: list[dict] = []
    while time.monotonic() < deadline and len(items) < 2:
        items = _poll(client, headers, "")["items"]
    assert [item["subject"] for item in items] == ["SLOW", "FAST"]


def test_an_open_transaction_in_another_database_does_not_hold_the_feed_back(app, client):
    headers = _token(client)
    other = make_url(db.engine.url).set(database="postgres", drivername="postgresql+psycopg")
    engine = create_engine(other)
    try:
        with engine.connect() as elsewhere:
            elsewhere.execute(text("SELECT pg_current_xact_id()"))  # holds an xid, writes nothing
            events.emit("case.submitted", "HERE", _data("HERE"))
            db.session.commit()
            items = _poll(client, headers, "")["items"]
            elsewhere.rollback()
    finally:
        engine.dispose()
    assert [item["subject"] for item in items] == ["HERE"]
