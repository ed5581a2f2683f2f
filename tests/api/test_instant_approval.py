"""Instant approval (秒批): decided at submit when every catalogue condition holds."""

from __future__ import annotations

import pytest


@pytest.fixture
def firm(office):
    from app.extensions import db
    from app.models import Enterprise

    return db.session.get(Enterprise, office.enterprise_id)


def renewal(client, make, office, licence, permit_type, **form):
    body = make.application_body(
        office.enterprise_id,
        permit_type,
        "renewal",
        licence_id=licence.id,
        form={**make.example_form(permit_type, "renewal"), **form},
    )
    response = client.post("/api/v1/applications", json=body, headers=office.applicant)
    assert response.status_code == 201, response.get_json()
    return make.upload_required(client, office.applicant, response.get_json())


def reexamination(client, make, office, firm):
    held = make.licence(firm, "special-operations", valid_until="2027-01-10")
    return renewal(client, make, office, held, "special-operations")


def test_the_catalogue_names_the_conditions(client):
    detail = client.get("/api/v1/permit-types/special-operations").get_json()
    codes = [c["code"] for c in detail["instant"]["renewal"]["conditions"]]
    assert codes == [
        "material:training_record",
        "material:health_certificate",
        "all_materials_present",
    ]
    assert all(c["label"] for c in detail["instant"]["renewal"]["conditions"])
    assert client.get("/api/v1/permit-types/hazchem-trading").get_json()["instant"] == {}


def test_an_eligible_reexamination_is_approved_in_the_submit_response(
    client, make, office, firm, frozen_now
):
    view = reexamination(client, make, office, firm)
    response = make.act(client, office.applicant, view, "submit")
    assert response.status_code == 200, response.get_json()
    done = response.get_json()
    assert done["state"] == "approved"
    assert done["issued_licence_id"] and done["instant_unmet"] is None
    assert done["accepted_at"] and done["decided_at"]
    licence = client.get(
        f"/api/v1/licences/{done['issued_licence_id']}", headers=office.applicant
    ).get_json()
    assert licence["permit_type"] == "special-operations" and licence["status"] in (
        "active",
        "pending",
    )
    items = client.get(
        f"/api/v1/applications/{view['id']}/timeline", headers=office.applicant
    ).get_json()["items"]
    last = items[-1]
    assert (last["action"], last["role"], last["actor"]) == ("instant_approve", "system", "系统")
    assert "培训" in last["comment"] and "体检" in last["comment"]
    from app.extensions import db
    from app.models import OutboxMessage

    assert "秒批通过" in [m.title for m in db.session.query(OutboxMessage)]
    notices = client.get(
        f"/api/v1/applications/{view['id']}/notices", headers=office.applicant
    ).get_json()["items"]
    assert "approval" in [n["kind"] for n in notices]


def test_a_case_that_misses_a_condition_takes_the_standard_path(
    client, make, office, firm, frozen_now
):
    held = make.licence(firm, "coal-mine-safety", number="（津）MK安许证字〔2024〕0001")
    view = renewal(client, make, office, held, "coal-mine-safety", no_fatal_accident=False)
    done = make.act(client, office.applicant, view, "submit").get_json()
    assert done["state"] == "submitted" and done["issued_licence_id"] is None
    assert [c["code"] for c in done["instant_unmet"]] == ["direct_extension"]
    assert "直接延期" in done["instant_unmet"][0]["label"]


def test_an_eligible_coal_mine_direct_extension_is_approved_at_once(
    client, make, office, firm, frozen_now
):
    held = make.licence(firm, "coal-mine-safety", number="（津）MK安许证字〔2024〕0002")
    view = renewal(client, make, office, held, "coal-mine-safety", no_fatal_accident=True)
    done = make.act(client, office.applicant, view, "submit").get_json()
    assert done["state"] == "approved" and done["issued_licence_id"]


def test_types_without_instant_approval_have_no_unmet_list(client, make, office, submitted):
    assert submitted["state"] == "submitted" and submitted["instant_unmet"] is None


def test_a_sampled_instant_approval_is_post_checked_and_a_failure_reaches_revocation(
    client, make, office, firm, frozen_now, monkeypatch
):
    from app.services.modes import instant

    monkeypatch.setattr(instant, "sampled_for_post_check", lambda number, rate: True)
    view = reexamination(client, make, office, firm)
    done = make.act(client, office.applicant, view, "submit").get_json()
    licence_id = done["issued_licence_id"]
    queue = client.get("/api/v1/review/post-checks", headers=office["reviewer"]).get_json()
    assert [(i["licence_id"], i["reason"]) for i in queue["items"]] == [(licence_id, "instant")]
    outsider = make.headers(make.staff("reviewer", "320000"))
    assert client.get("/api/v1/review/post-checks", headers=outsider).get_json()["total"] == 0
    url = f"/api/v1/licences/{licence_id}/post-check"
    assert client.post(url, json={"result": "fail"}, headers=office["reviewer"]).status_code == 422
    assert (
        client.post(url, json={"result": "fail", "comment": "x"}, headers=outsider).status_code
        == 404
    )
    checked = client.post(
        url, json={"result": "fail", "comment": "培训记录系伪造"}, headers=office["reviewer"]
    )
    assert checked.status_code == 200 and checked.get_json()["status"] == "failed"
    again = client.post(url, json={"result": "pass"}, headers=office["reviewer"])
    assert again.status_code == 409
    assert (
        client.get("/api/v1/review/post-checks", headers=office["reviewer"]).get_json()["total"]
        == 0
    )
    revocations = client.get("/api/v1/review/revocations", headers=office["approver"]).get_json()
    assert [(i["licence_id"], i["comment"]) for i in revocations["items"]] == [
        (licence_id, "培训记录系伪造")
    ]
    assert client.get("/api/v1/review/revocations", headers=office["reviewer"]).status_code == 403
    licence = client.get(f"/api/v1/licences/{licence_id}", headers=office["approver"]).get_json()
    revoked = client.post(
        f"/api/v1/licences/{licence_id}/revoke",
        json={"comment": "事后核查不通过", "version": licence["version"]},
        headers=office["approver"],
    )
    assert revoked.status_code == 200, revoked.get_json()
    revocations = client.get("/api/v1/review/revocations", headers=office["approver"]).get_json()
    assert revocations["total"] == 0


def test_sampling_is_stable_and_follows_the_rate():
    from app.services.modes.instant import sampled_for_post_check

    numbers = [f"ZV20261123{i:06d}" for i in range(1000)]
    assert not any(sampled_for_post_check(n, 0) for n in numbers)
    assert all(sampled_for_post_check(n, 1) for n in numbers)
    share = sum(sampled_for_post_check(n, 0.2) for n in numbers) / len(numbers)
    assert 0.15 < share < 0.25
    assert sampled_for_post_check(numbers[0], 0.2) == sampled_for_post_check(numbers[0], 0.2)
