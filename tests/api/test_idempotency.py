"""A retried tap never does a thing twice."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from app import timekeeping
from app.extensions import db
from app.models import IdempotencyRecord
from app.web import idempotency


def test_retried_create_returns_the_first_response(client, make):
    user = make.applicant()
    auth = {**make.headers(user), "Idempotency-Key": "tap-1"}
    body = make.application_body(make.enterprise(user).id)
    first = client.post("/api/v1/applications", json=body, headers=auth)
    again = client.post("/api/v1/applications", json=body, headers=auth)
    assert first.status_code == again.status_code == 201
    assert first.get_json() == again.get_json()
    listed = client.get("/api/v1/applications", headers=make.headers(user)).get_json()
    assert listed["total"] == 1


def test_same_key_with_another_body_is_422(client, make):
    user = make.applicant()
    auth = {**make.headers(user), "Idempotency-Key": "tap-2"}
    firm = make.enterprise(user)
    assert (
        client.post(
            "/api/v1/applications", json=make.application_body(firm.id), headers=auth
        ).status_code
        == 201
    )
    other = make.application_body(
        firm.id, delivery={"recipient": "王五", "phone": "13900000000", "address": "天津"}
    )
    response = client.post("/api/v1/applications", json=other, headers=auth)
    assert response.status_code == 422
    assert response.get_json()["code"] == "IDEMPOTENCY_KEY_REUSED"


def test_keys_are_per_user(client, make):
    first, second = make.applicant(), make.applicant()
    for user in (first, second):
        auth = {**make.headers(user), "Idempotency-Key": "same-key"}
        response = client.post(
            "/api/v1/applications",
            json=make.application_body(make.enterprise(user).id),
            headers=auth,
        )
        assert response.status_code == 201


def test_retried_action_applies_once(client, make):
    user = make.applicant()
    auth = make.headers(user)
    view = make.upload_required(
        client, auth, make.create_application(client, auth, make.enterprise(user).id)
    )
    keyed = {**auth, "Idempotency-Key": "submit-1"}
    body = {"action": "submit", "version": view["version"]}
    first = client.post(f"/api/v1/applications/{view['id']}/actions", json=body, headers=keyed)
    again = client.post(f"/api/v1/applications/{view['id']}/actions", json=body, headers=keyed)
    assert first.status_code == again.status_code == 200
    assert again.headers.get("Idempotent-Replayed") == "true"
    timeline = client.get(f"/api/v1/applications/{view['id']}/timeline", headers=auth).get_json()
    assert [e["action"] for e in timeline["items"]].count("submit") == 1


def test_retried_upload_stores_one_document(client, make):
    user = make.applicant()
    auth = make.headers(user)
    view = make.create_application(client, auth, make.enterprise(user).id)
    material = view["materials"][0]["code"]
    content = make.pdf_bytes("retry")
    keyed = {**auth, "Idempotency-Key": "upload-1"}
    first = make.upload(client, keyed, view["id"], material, content)
    again = make.upload(client, keyed, view["id"], material, content)
    assert first.status_code == again.status_code == 201
    assert first.get_json()["id"] == again.get_json()["id"]


def test_a_refused_request_does_not_burn_the_key(client, make):
    user = make.applicant()
    auth = {**make.headers(user), "Idempotency-Key": "tap-3"}
    firm = make.enterprise(user)
    bad = make.application_body(firm.id, permit_type="nope")
    assert client.post("/api/v1/applications", json=bad, headers=auth).status_code == 422
    good = make.application_body(firm.id)
    # A different body under the same key after a refusal: nothing was stored, so it runs.
    assert client.post("/api/v1/applications", json=good, headers=auth).status_code == 201


def _claim(user, key, body_hash="x", status_code=0, age=timedelta(0)):
    """Store a record for (user, key) as a simultaneous or earlier request would have."""
    record = IdempotencyRecord(
        user_id=user.id,
        key=key,
        endpoint="/api/v1/applications",
        request_hash=body_hash,
        status_code=status_code,
        body={"first": True},
        created_at=timekeeping.now() - age,
    )
    db.session.add(record)
    db.session.commit()
    return record


def _fingerprint(app, path, body):
    with app.test_request_context(path, method="POST", json=body):
        return idempotency._request_fingerprint()


def test_a_retry_while_the_first_still_runs_gets_409_with_retry_after(app, client, make):
    user = make.applicant()
    body = make.application_body(make.enterprise(user).id)
    _claim(user, "busy", _fingerprint(app, "/api/v1/applications", body))
    app.config["IDEMPOTENCY_WAIT_SECONDS"] = 0.1
    auth = {**make.headers(user), "Idempotency-Key": "busy"}
    response = client.post("/api/v1/applications", json=body, headers=auth)
    assert response.status_code == 409
    assert response.get_json()["code"] == "IDEMPOTENCY_IN_PROGRESS"
    assert int(response.headers["Retry-After"]) >= 1
    listed = client.get("/api/v1/applications", headers=make.headers(user)).get_json()
    assert listed["total"] == 0


def test_a_waiting_retry_gets_the_first_response_once_it_is_stored(app, client, make, monkeypatch):
    user = make.applicant()
    body = make.application_body(make.enterprise(user).id)
    record = _claim(user, "soon", _fingerprint(app, "/api/v1/applications", body))
    record_id = record.id
    polls = []

    def finish_on_first_poll(seconds):
        polls.append(seconds)
        db.session.execute(
            update(IdempotencyRecord)
            .where(IdempotencyRecord.id == record_id)
            .values(status_code=201, body={"id": 4711})
        )
        db.session.commit()

    monkeypatch.setattr(idempotency.time, "sleep", finish_on_first_poll)
    auth = {**make.headers(user), "Idempotency-Key": "soon"}
    response = client.post("/api/v1/applications", json=body, headers=auth)
    assert polls
    assert response.status_code == 201
    assert response.get_json() == {"id": 4711}
    assert response.headers["Idempotent-Replayed"] == "true"


def test_an_expired_record_frees_the_key_but_a_fresh_one_is_kept(client, make):
    user = make.applicant()
    firm = make.enterprise(user)
    _claim(user, "old", status_code=201, age=timedelta(hours=25))
    fresh = _claim(user, "new", status_code=201)
    auth = {**make.headers(user), "Idempotency-Key": "old"}
    response = client.post(
        "/api/v1/applications", json=make.application_body(firm.id), headers=auth
    )
    assert response.status_code == 201
    assert "Idempotent-Replayed" not in response.headers
    assert db.session.get(IdempotencyRecord, fresh.id) is not None


def test_a_claim_abandoned_by_a_dead_worker_is_taken_over(app, client, make):
    user = make.applicant()
    body = make.application_body(make.enterprise(user).id)
    _claim(user, "orphan", _fingerprint(app, "/api/v1/applications", body), age=timedelta(hours=1))
    auth = {**make.headers(user), "Idempotency-Key": "orphan"}
    first = client.post("/api/v1/applications", json=body, headers=auth)
    again = client.post("/api/v1/applications", json=body, headers=auth)
    assert first.status_code == again.status_code == 201
    assert first.get_json() == again.get_json()


def test_a_failed_first_request_releases_its_claim(client, make):
    user = make.applicant()
    firm = make.enterprise(user)
    auth = {**make.headers(user), "Idempotency-Key": "fails"}
    bad = make.application_body(firm.id, permit_type="nope")
    assert client.post("/api/v1/applications", json=bad, headers=auth).status_code == 422
    assert client.post("/api/v1/applications", json=bad, headers=auth).status_code == 422
    assert db.session.scalars(select(IdempotencyRecord)).all() == []
