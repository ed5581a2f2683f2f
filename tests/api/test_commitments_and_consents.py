"""Notify-and-commit (告知承诺制) and assisted filing (帮办代办) over HTTP."""

from __future__ import annotations

from tests.conftest import verify_all

RETAIL = "fireworks-retail"


def retail_draft(client, make, office, auth=None):
    view = make.create_application(
        client, auth or office.applicant, office.enterprise_id, permit_type=RETAIL
    )
    for material in view["materials"]:
        if material["required"] and material["code"] != "premises_proof":
            assert (
                make.upload(client, office.applicant, view["id"], material["code"]).status_code
                == 201
            )
    return client.get(f"/api/v1/applications/{view['id']}", headers=office.applicant).get_json()


def commit(client, auth, view, material="premises_proof", signer="马丽"):
    return client.post(
        f"/api/v1/applications/{view['id']}/commitments",
        json={"material": material, "signer_name": signer},
        headers=auth,
    )


def test_a_committed_material_lets_the_case_through_to_post_check_and_revocation(
    client, make, office, drive, frozen_now
):
    view = retail_draft(client, make, office)
    proof = next(m for m in view["materials"] if m["code"] == "premises_proof")
    assert proof["status"] == "missing" and proof["commitment_allowed"] is True
    assert make.act(client, office.applicant, view, "submit").status_code == 409
    signed = commit(client, office.applicant, view)
    assert signed.status_code == 201, signed.get_json()
    body = signed.get_json()
    assert body["signer_name"] == "马丽" and "郑重承诺" in body["text"] and body["signed_at"]
    assert commit(client, office.applicant, view).status_code == 409
    refused = commit(client, office.applicant, view, material="site_plan")
    assert refused.status_code == 422 and refused.get_json()["code"] == "COMMITMENT_NOT_ALLOWED"
    view = client.get(f"/api/v1/applications/{view['id']}", headers=office.applicant).get_json()
    proof = next(m for m in view["materials"] if m["code"] == "premises_proof")
    assert proof["status"] == "committed"
    assert [c["material"] for c in view["commitments"]] == ["premises_proof"]
    view = drive(
        view,
        ("applicant", "submit"),
        ("clerk", "accept"),
        ("reviewer", "start_review"),
        *verify_all(view),
        ("reviewer", "schedule_inspection", {"date": "2026-11-30"}),
        ("inspector", "record_inspection", {"result": "pass"}),
        ("reviewer", "recommend", {"recommendation": "approve"}),
        ("approver", "approve"),
    )
    assert view["state"] == "approved"
    licence = client.get(
        f"/api/v1/licences/{view['issued_licence_id']}", headers=office.applicant
    ).get_json()
    assert "告知承诺" in licence["change_note"]
    pdf = client.get(f"/api/v1/licences/{licence['id']}/pdf", headers=office.applicant)
    assert pdf.status_code == 200
    queue = client.get("/api/v1/review/post-checks", headers=office["reviewer"]).get_json()
    assert [(i["licence_id"], i["reason"]) for i in queue["items"]] == [
        (licence["id"], "commitment")
    ]
    failed = client.post(
        f"/api/v1/licences/{licence['id']}/post-check",
        json={"result": "fail", "comment": "租赁合同不存在"},
        headers=office["reviewer"],
    )
    assert failed.status_code == 200
    revocations = client.get("/api/v1/review/revocations", headers=office["approver"]).get_json()
    assert [i["comment"] for i in revocations["items"]] == ["租赁合同不存在"]


def test_a_passed_post_check_leaves_no_revocation(client, make, office, drive, frozen_now):
    view = retail_draft(client, make, office)
    assert commit(client, office.applicant, view).status_code == 201
    view = client.get(f"/api/v1/applications/{view['id']}", headers=office.applicant).get_json()
    view = drive(
        view,
        ("applicant", "submit"),
        ("clerk", "accept"),
        ("reviewer", "start_review"),
        *verify_all(view),
        ("reviewer", "schedule_inspection", {"date": "2026-11-30"}),
        ("inspector", "record_inspection", {"result": "pass"}),
        ("reviewer", "recommend", {"recommendation": "approve"}),
        ("approver", "approve"),
    )
    passed = client.post(
        f"/api/v1/licences/{view['issued_licence_id']}/post-check",
        json={"result": "pass"},
        headers=office["reviewer"],
    )
    assert passed.status_code == 200 and passed.get_json()["status"] == "passed"
    assert (
        client.get("/api/v1/review/revocations", headers=office["approver"]).get_json()["total"]
        == 0
    )


def grant(client, office, scope="submit", expires_on="2026-12-31"):
    return client.post(
        f"/api/v1/enterprises/{office.enterprise_id}/consents",
        json={"scope": scope, "expires_on": expires_on},
        headers=office.applicant,
    )


def test_an_agent_acts_only_under_an_active_consent(client, make, office, frozen_now):
    agent = make.headers(make.staff("agent", "120000"))
    body = make.application_body(office.enterprise_id, RETAIL)
    assert client.post("/api/v1/applications", json=body, headers=agent).status_code == 404
    assert (
        client.get(f"/api/v1/enterprises/{office.enterprise_id}", headers=agent).status_code == 404
    )
    consent = grant(client, office, scope="prepare")
    assert consent.status_code == 201 and consent.get_json()["active"] is True
    created = client.post("/api/v1/applications", json=body, headers=agent)
    assert created.status_code == 201, created.get_json()
    view = created.get_json()
    for material in view["materials"]:
        if material["required"]:
            assert make.upload(client, agent, view["id"], material["code"]).status_code == 201
    view = client.get(f"/api/v1/applications/{view['id']}", headers=agent).get_json()
    assert view["actions"] == ["request_pre_review"]
    refused = make.act(client, agent, view, "submit")
    assert refused.status_code == 403 and refused.get_json()["code"] == "CONSENT_SCOPE_EXCEEDED"
    wider = grant(client, office, scope="submit")
    assert wider.status_code == 201
    submitted = make.act(client, agent, view, "submit")
    assert submitted.status_code == 200 and submitted.get_json()["state"] == "submitted"
    timeline = client.get(
        f"/api/v1/applications/{view['id']}/timeline", headers=office.applicant
    ).get_json()["items"]
    assert [(e["action"], e["role"]) for e in timeline] == [
        ("create", "agent"),
        ("submit", "agent"),
    ]
    for item in (consent.get_json(), wider.get_json()):
        deleted = client.delete(
            f"/api/v1/enterprises/{office.enterprise_id}/consents/{item['id']}",
            headers=office.applicant,
        )
        assert deleted.status_code == 204
    assert client.get(f"/api/v1/applications/{view['id']}", headers=agent).status_code == 404
    listed = client.get(
        f"/api/v1/enterprises/{office.enterprise_id}/consents", headers=office.applicant
    ).get_json()["items"]
    assert [c["active"] for c in listed] == [False, False]


def test_consents_are_the_managers_alone_and_bounded_in_time(client, make, office, frozen_now):
    stranger = make.headers(make.applicant())
    url = f"/api/v1/enterprises/{office.enterprise_id}/consents"
    body = {"scope": "prepare", "expires_on": "2026-12-31"}
    assert client.post(url, json=body, headers=stranger).status_code == 404
    assert client.post(url, json=body, headers=office["clerk"]).status_code == 404
    assert grant(client, office, expires_on="2026-11-01").status_code == 422
    assert grant(client, office, expires_on="2028-11-01").status_code == 422
    assert grant(client, office, scope="everything").status_code == 422
    consent = grant(client, office).get_json()
    other = client.delete(f"{url}/{consent['id']}", headers=stranger)
    assert other.status_code == 404


def test_an_agent_of_another_region_or_after_expiry_sees_nothing(client, make, office, frozen_now):
    from datetime import timedelta

    from tests.conftest import FROZEN_NOW

    assert grant(client, office, expires_on="2026-11-30").status_code == 201
    view = make.create_application(client, office.applicant, office.enterprise_id)
    outsider = make.headers(make.staff("agent", "320000"))
    assert client.get(f"/api/v1/applications/{view['id']}", headers=outsider).status_code == 404
    agent = make.headers(make.staff("agent", "120000"))
    assert client.get(f"/api/v1/applications/{view['id']}", headers=agent).status_code == 200
    assert client.get("/api/v1/applications", headers=agent).get_json()["total"] == 1
    frozen_now(FROZEN_NOW + timedelta(days=8))
    assert client.get(f"/api/v1/applications/{view['id']}", headers=agent).status_code == 404
    assert client.get("/api/v1/applications", headers=agent).get_json()["total"] == 0


def test_a_retried_grant_creates_one_consent(client, office, frozen_now):
    url = f"/api/v1/enterprises/{office.enterprise_id}/consents"
    body = {"scope": "prepare", "expires_on": "2026-12-31"}
    headers = {**office.applicant, "Idempotency-Key": "grant-1"}
    first = client.post(url, json=body, headers=headers)
    again = client.post(url, json=body, headers=headers)
    assert first.status_code == again.status_code == 201
    assert first.get_json()["id"] == again.get_json()["id"]
    assert len(client.get(url, headers=office.applicant).get_json()["items"]) == 1
