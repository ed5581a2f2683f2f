"""A retried tap never does a thing twice."""

from __future__ import annotations


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
