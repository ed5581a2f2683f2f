"""A worker keeps the status read it sent an applicant and sends it again while the ETag holds."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from sqlalchemy import update

from app.api.status_reads import StatusReads
from app.extensions import db
from app.models import Application, User
from tests.api.test_query_counts import counting
from tests.conftest import FROZEN_NOW


@pytest.fixture
def case_read(client, make):
    """An applicant's draft: its URL, the applicant's headers and the first read's body."""
    user = make.applicant()
    auth = make.headers(user)
    view = make.create_application(client, auth, make.enterprise(user).id)
    url = f"/api/v1/applications/{view['id']}"
    first = client.get(url, headers=auth)
    assert first.status_code == 200
    return user, url, auth, first


def test_an_unchanged_case_read_again_is_one_statement_and_the_same_answer(app, client, case_read):
    _, url, auth, first = case_read
    app.config["STATUS_READ_CACHE_VERIFY"] = False  # the suite's rebuild would add statements
    with counting() as statements:
        again = client.get(url, headers=auth)
    assert len(statements) == 1, statements  # the applicant and the case's version at once
    assert again.status_code == 200 and again.data == first.data
    assert again.headers["ETag"] == first.headers["ETag"]
    assert again.headers["Cache-Control"] == "private, no-cache"
    assert again.mimetype == "application/json"


def test_a_change_or_a_new_office_day_rebuilds_the_read(client, make, case_read, frozen_now):
    _, url, auth, first = case_read
    code = first.get_json()["materials"][0]["code"]
    assert make.upload(client, auth, first.get_json()["id"], code).status_code == 201
    changed = client.get(url, headers=auth)
    assert changed.headers["ETag"] != first.headers["ETag"]
    assert changed.get_json()["materials"][0]["status"] == "uploaded"

    frozen_now(FROZEN_NOW + timedelta(days=1))
    next_day = client.get(url, headers=auth)
    assert next_day.headers["ETag"].endswith('-20261124"')
    assert next_day.get_json()["version"] == changed.get_json()["version"]


def test_a_kept_read_is_not_sent_to_a_deactivated_applicant_or_a_stranger(client, make, case_read):
    user, url, auth, _ = case_read
    assert client.get(url, headers=make.headers(make.applicant())).status_code == 404
    db.session.execute(update(User).where(User.id == user.id).values(active=False))
    db.session.commit()
    assert client.get(url, headers=auth).status_code == 401


def test_staff_reads_are_built_every_time(app, client, make):
    clerk = make.staff("clerk")
    case = make.case_in_state(make.enterprise(make.applicant()), "submitted", clerk)
    url, auth = f"/api/v1/applications/{case.id}", make.headers(clerk)
    assert client.get(url, headers=auth).status_code == 200
    with counting() as statements:
        assert client.get(url, headers=auth).status_code == 200
    assert len(statements) >= 2, statements  # the case and its details read again


def test_the_suite_fails_a_change_that_does_not_bump_the_version(client, case_read, caplog):
    """Under STATUS_READ_CACHE_VERIFY a kept body is rebuilt and compared: a write that
    forgets the version (here a bare UPDATE) cannot hide behind an old body."""
    _, url, auth, first = case_read
    db.session.execute(
        update(Application)
        .where(Application.id == first.get_json()["id"])
        .values(delivery={"recipient": "某某", "phone": "13800000000", "address": "别处"})
    )
    db.session.commit()
    with caplog.at_level(logging.ERROR):
        stale = client.get(url, headers=auth)
    assert stale.status_code == 500
    assert "is stale in ['delivery']" in caplog.text


def test_turned_off_nothing_is_kept(app, client, case_read):
    _, url, auth, _ = case_read
    app.extensions["zerovisit.status_reads"].entries = 0  # the first read's body stays
    try:
        with counting() as statements:
            assert client.get(url, headers=auth).status_code == 200
        assert len(statements) == 2, statements  # built again: the caller and case, verdicts
    finally:
        app.extensions["zerovisit.status_reads"].entries = app.config["STATUS_READ_CACHE_ENTRIES"]


def test_the_kept_reads_are_bounded_in_number_and_age(monkeypatch):
    now = [1000.0]
    monkeypatch.setattr("app.api.status_reads.time.monotonic", lambda: now[0])
    reads = StatusReads(entries=2, seconds=60)
    reads.put(1, 10, "a", b"1")
    reads.put(1, 11, "b", b"2")
    assert reads.get(1, 10) is not None  # now the most recently used
    reads.put(1, 12, "c", b"3")  # the least recently used (case 11) leaves
    assert reads.get(1, 11) is None
    assert reads.get(1, 10).body == b"1" and reads.get(1, 12).body == b"3"
    assert reads.get(2, 10) is None  # kept per applicant
    now[0] += 60
    assert reads.get(1, 10) is None and reads.get(1, 12) is None
