"""Eight simultaneous retries with one Idempotency-Key: one effect, one response (PostgreSQL)."""

from __future__ import annotations

import io
import os
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Application, Document, TimelineEntry

pytestmark = pytest.mark.skipif(
    "postgresql" not in (os.environ.get("TEST_DATABASE_URL") or ""),
    reason="truly simultaneous requests need PostgreSQL (TEST_DATABASE_URL)",
)

RETRIES = 8


def _race(app, send):
    """Run ``send(client)`` from RETRIES threads at once, each with its own client."""

    def one(_):
        with app.test_client() as client:
            response = send(client)
            return response.status_code, response.get_json()

    with ThreadPoolExecutor(max_workers=RETRIES) as pool:
        return list(pool.map(one, range(RETRIES)))


def test_same_key_eight_times_creates_one_application(app, make):
    user = make.applicant()
    auth = {**make.headers(user), "Idempotency-Key": "race-create"}
    body = make.application_body(make.enterprise(user).id)
    results = _race(app, lambda c: c.post("/api/v1/applications", json=body, headers=auth))
    assert [status for status, _ in results] == [201] * RETRIES
    assert all(payload == results[0][1] for _, payload in results)
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Application)) == 1


def test_same_key_eight_times_stores_one_document(app, make):
    user = make.applicant()
    auth = make.headers(user)
    view = make.create_application(app.test_client(), auth, make.enterprise(user).id)
    material = view["materials"][0]["code"]
    content = make.pdf_bytes("race")
    keyed = {**auth, "Idempotency-Key": "race-upload"}

    def send(client):
        return client.post(
            f"/api/v1/applications/{view['id']}/documents",
            data={"material": material, "file": (io.BytesIO(content), "scan.pdf")},
            headers=keyed,
            content_type="multipart/form-data",
        )

    results = _race(app, send)
    assert [status for status, _ in results] == [201] * RETRIES
    assert len({payload["id"] for _, payload in results}) == 1
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Document)) == 1


def test_same_key_eight_times_applies_an_action_once_and_answers_alike(app, make):
    clerk = make.staff("clerk", "120000")
    owner = make.applicant()
    case = make.case_in_state(make.enterprise(owner), "submitted", owner)
    keyed = {**make.headers(clerk), "Idempotency-Key": "race-accept"}
    body = {"action": "accept", "version": case.version}
    results = _race(
        app, lambda c: c.post(f"/api/v1/applications/{case.id}/actions", json=body, headers=keyed)
    )
    assert [status for status, _ in results] == [200] * RETRIES
    assert all(payload == results[0][1] for _, payload in results)
    db.session.expire_all()
    accepted = db.session.scalars(
        select(TimelineEntry).where(
            TimelineEntry.application_id == case.id, TimelineEntry.action == "accept"
        )
    ).all()
    assert len(accepted) == 1
