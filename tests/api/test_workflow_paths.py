"""The lawful paths of a case, end to end over HTTP, with the roles the contract gives."""

from __future__ import annotations

import pytest

from tests.conftest import verify_all


def test_full_path_to_approval(client, make, office, drive, submitted):
    material = submitted["materials"][0]["code"]
    view = drive(
        submitted,
        (
            "clerk",
            "request_supplement",
            {"missing_materials": [material], "comment": "营业执照不清晰"},
        ),
    )
    assert view["state"] == "supplement_required"
    assert view["deadline"] is None
    assert view["supplement_request"]["materials"] == [material]
    assert material in {m["code"] for m in view["missing_materials"]}
    assert make.act(client, office.applicant, view, "resubmit").status_code == 409
    assert make.upload(client, office.applicant, view["id"], material).status_code == 201
    view = client.get(f"/api/v1/applications/{view['id']}", headers=office.applicant).get_json()
    view = drive(view, ("applicant", "resubmit"), ("clerk", "accept"))
    assert view["state"] == "accepted"
    assert view["deadline"]["kind"] == "decision"
    view = drive(view, ("reviewer", "start_review"), *verify_all(view))
    assert all(m["status"] == "verified" for m in view["materials"] if m["documents"])
    view = drive(view, ("reviewer", "schedule_inspection", {"date": "2026-11-30"}))
    assert view["state"] == "inspection"
    view = drive(
        view,
        ("inspector", "record_inspection", {"result": "pass", "comment": "符合"}),
        ("reviewer", "recommend", {"recommendation": "approve", "comment": "同意"}),
    )
    assert view["state"] == "pending_decision"
    view = drive(view, ("approver", "approve", {"comment": "准予许可"}))
    assert view["state"] == "approved"
    assert view["issued_licence_id"]
    assert view["deadline"]["kind"] == "delivery"
    timeline = client.get(f"/api/v1/applications/{view['id']}/timeline", headers=office.applicant)
    actions = [e["action"] for e in timeline.get_json()["items"]]
    assert actions[:5] == ["create", "submit", "request_supplement", "resubmit", "accept"]
    assert actions[-1] == "approve"


def test_denial_path(client, make, office, drive, submitted):
    view = drive(
        submitted,
        ("clerk", "accept"),
        ("reviewer", "start_review"),
        ("reviewer", "recommend", {"recommendation": "deny", "comment": "条件不符"}),
    )
    response_missing_reason = make.act(client, office["approver"], view, "deny")
    assert response_missing_reason.status_code == 422
    assert "comment" in response_missing_reason.get_json()["errors"]
    view = drive(view, ("approver", "deny", {"comment": "储存设施不符合要求"}))
    assert view["state"] == "denied" and view["actions"] == []
    assert view["deadline"] is None


def test_refusal_to_accept(client, make, office, drive, submitted):
    missing_reason = make.act(client, office["clerk"], submitted, "reject")
    assert missing_reason.status_code == 422
    view = drive(
        submitted, ("clerk", "reject", {"comment": "不属于本机关职权范围，请向区应急局申请"})
    )
    assert view["state"] == "not_accepted"
    assert view["actions"] == []


def test_withdraw_during_review(office, drive, submitted):
    view = drive(
        submitted,
        ("clerk", "accept"),
        ("reviewer", "start_review"),
        ("applicant", "withdraw", {"comment": "暂不办理"}),
    )
    assert view["state"] == "withdrawn"


@pytest.mark.parametrize("role", ["reviewer", "approver", "dispatcher", "admin", "inspector"])
def test_other_roles_cannot_accept(client, make, office, submitted, role):
    response = make.act(client, office[role], submitted, "accept")
    assert response.status_code == 403
    assert response.get_json()["code"] == "ACTION_FORBIDDEN"


def test_right_role_wrong_state_is_409(client, make, office, submitted):
    response = make.act(client, office["approver"], submitted, "approve")
    assert response.status_code == 409
    assert response.get_json()["code"] == "TRANSITION_NOT_ALLOWED"
    assert any("\u4e00" <= ch <= "\u9fff" for ch in response.get_json()["detail"])


def test_unknown_action_is_422(client, make, office, submitted):
    response = make.act(client, office["clerk"], submitted, "teleport")
    assert response.status_code == 422


def test_stale_version_is_409(client, make, office, submitted):
    stale = dict(submitted, version=submitted["version"] - 1)
    response = make.act(client, office["clerk"], stale, "accept")
    assert response.status_code == 409
    assert response.get_json()["code"] == "VERSION_CONFLICT"


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("applicant", ["withdraw"]),
        ("clerk", ["request_supplement", "reject", "accept"]),
        ("reviewer", []),
        ("admin", []),
    ],
)
def test_actions_list_what_the_caller_may_do(client, office, submitted, role, expected):
    view = client.get(f"/api/v1/applications/{submitted['id']}", headers=office[role]).get_json()
    assert sorted(view["actions"]) == sorted(expected)


def test_rejected_material_blocks_approve_recommendation_until_reuploaded(
    client, make, office, drive, submitted
):
    view = drive(submitted, ("clerk", "accept"), ("reviewer", "start_review"))
    first = next(m for m in view["materials"] if m["documents"])
    view = drive(
        view,
        (
            "reviewer",
            "verify_material",
            {"material": first["code"], "verdict": "rejected", "comment": "已过期"},
        ),
    )
    others = [s for s in verify_all(view) if s[2]["material"] != first["code"]]
    view = drive(view, *others)
    refused = make.act(client, office["reviewer"], view, "recommend", recommendation="approve")
    assert refused.status_code == 409
    assert refused.get_json()["code"] == "MATERIALS_REJECTED"
    assert make.upload(client, office.applicant, view["id"], first["code"]).status_code == 201
    view = client.get(f"/api/v1/applications/{view['id']}", headers=office.applicant).get_json()
    view = drive(
        view,
        ("reviewer", "verify_material", {"material": first["code"], "verdict": "ok"}),
        ("reviewer", "schedule_inspection", {"date": "2026-12-01"}),
        ("inspector", "record_inspection", {"result": "pass"}),
        ("reviewer", "recommend", {"recommendation": "approve"}),
    )
    assert view["state"] == "pending_decision"


def test_the_applicant_reads_each_verdict_as_it_is_given(client, office, drive, submitted):
    """A verdict given after the applicant's last read shows in the next one (the status
    read loads the case's verdicts by a statement of its own)."""
    url = f"/api/v1/applications/{submitted['id']}"
    view = drive(submitted, ("clerk", "accept"), ("reviewer", "start_review"))
    first = next(m for m in view["materials"] if m["documents"])
    before = client.get(url, headers=office.applicant).get_json()
    assert {m["code"]: m["status"] for m in before["materials"]}[first["code"]] == "uploaded"
    comment = {"material": first["code"], "verdict": "rejected", "comment": "已过期"}
    drive(view, ("reviewer", "verify_material", comment))
    after = client.get(url, headers=office.applicant).get_json()
    assert {m["code"]: m["status"] for m in after["materials"]}[first["code"]] == "rejected"
    assert {"code": first["code"], "reason": "rejected"}.items() <= next(
        m for m in after["missing_materials"] if m["code"] == first["code"]
    ).items()
    assert after["version"] > before["version"]


def test_deferred_material_blocks_approval_until_supplied_and_verified(client, make, office, drive):
    view = make.create_application(client, office.applicant, office.enterprise_id)
    view = make.upload_required(client, office.applicant, view, include_deferrable=False)
    deferred = [m["code"] for m in view["materials"] if m["status"] == "deferred"]
    view = drive(
        view,
        ("applicant", "submit"),
        ("clerk", "accept"),
        ("reviewer", "start_review"),
        *verify_all(view),
        ("reviewer", "schedule_inspection", {"date": "2026-12-01"}),
        ("inspector", "record_inspection", {"result": "pass"}),
    )
    refused = make.act(client, office["reviewer"], view, "recommend", recommendation="approve")
    assert refused.status_code == 409
    for code in deferred:
        assert make.upload(client, office.applicant, view["id"], code).status_code == 201
    view = client.get(f"/api/v1/applications/{view['id']}", headers=office.applicant).get_json()
    view = drive(
        view,
        *[("reviewer", "verify_material", {"material": c, "verdict": "ok"}) for c in deferred],
        ("reviewer", "recommend", {"recommendation": "approve"}),
        ("approver", "approve"),
    )
    assert view["state"] == "approved"


def test_inspection_is_required_before_recommending_approval(
    client, make, office, drive, submitted
):
    view = drive(
        submitted, ("clerk", "accept"), ("reviewer", "start_review"), *verify_all(submitted)
    )
    refused = make.act(client, office["reviewer"], view, "recommend", recommendation="approve")
    assert refused.status_code == 409
    assert refused.get_json()["code"] == "INSPECTION_NOT_PASSED"


def test_expert_review_pauses_the_clock(client, make, office, drive, submitted, frozen_now):
    from datetime import timedelta

    from tests.conftest import FROZEN_NOW

    view = drive(submitted, ("clerk", "accept"), ("reviewer", "start_review"))
    due_before = view["deadline"]["due"]
    view = drive(view, ("reviewer", "start_expert_review", {"comment": "组织专家评审"}))
    assert view["deadline"]["paused"] is True
    frozen_now(FROZEN_NOW + timedelta(days=7))  # a whole week of expert review
    view = client.get(f"/api/v1/applications/{view['id']}", headers=office.applicant).get_json()
    assert view["deadline"]["paused"] is True
    view = drive(view, ("reviewer", "finish_expert_review"))
    assert view["deadline"]["paused"] is False
    assert view["deadline"]["due"] > due_before


def test_review_queue_is_sorted_scoped_and_flags_overdue(client, make, office, drive, frozen_now):
    from datetime import timedelta

    from tests.conftest import FROZEN_NOW

    views = []
    for offset in (0, 2):
        frozen_now(FROZEN_NOW + timedelta(days=offset))
        view = make.upload_required(
            client,
            office.applicant,
            make.create_application(client, office.applicant, office.enterprise_id),
        )
        views.append(drive(view, ("applicant", "submit")))
    frozen_now(
        FROZEN_NOW + timedelta(days=9)
    )  # past the 5-working-day acceptance limit of the first
    queue = client.get("/api/v1/review/queue", headers=office["clerk"]).get_json()
    assert [item["id"] for item in queue["items"]] == [views[0]["id"], views[1]["id"]]
    assert queue["items"][0]["overdue"] is True and queue["items"][1]["overdue"] is False
    overdue = client.get("/api/v1/review/queue?overdue=true", headers=office["clerk"]).get_json()
    assert [item["id"] for item in overdue["items"]] == [views[0]["id"]]
    assert client.get("/api/v1/review/queue", headers=office["reviewer"]).get_json()["total"] == 0
    outsider = make.headers(make.staff("clerk", "320000"))
    assert client.get("/api/v1/review/queue", headers=outsider).get_json()["total"] == 0
    assert client.get("/api/v1/review/queue", headers=office.applicant).status_code == 403


def test_district_staff_see_only_their_district(client, make, office, submitted):
    heping = make.headers(make.staff("clerk", "120101"))
    hexi = make.headers(make.staff("clerk", "120103"))
    assert client.get(f"/api/v1/applications/{submitted['id']}", headers=heping).status_code == 200
    assert client.get(f"/api/v1/applications/{submitted['id']}", headers=hexi).status_code == 404


def test_audit_verify_detects_tampering(client, runner, office, drive, submitted):
    from sqlalchemy import update

    from app.extensions import db
    from app.models import TimelineEntry

    drive(submitted, ("clerk", "accept"))
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0
    db.session.execute(update(TimelineEntry).where(TimelineEntry.seq == 2).values(comment="改过"))
    db.session.commit()
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert f"申请 {submitted['id']} 第 2 条" in result.output
