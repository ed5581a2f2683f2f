"""The law off the main path: 一次性告知, the Art. 42 extension, clock pauses (Art. 45)."""

from __future__ import annotations

from datetime import date

from app.domain.clock import calendar
from app.jobs import outbox_delivery
from tests.conftest import verify_all


def test_supplements_are_requested_once_per_case(client, make, office, drive, submitted):
    request = {"missing_materials": ["safety_rules"], "comment": "缺少签章页"}
    view = drive(submitted, ("clerk", "request_supplement", request))
    assert make.upload(client, office.applicant, view["id"], "safety_rules").status_code == 201
    view = client.get(f"/api/v1/applications/{view['id']}", headers=office.applicant).get_json()
    view = drive(view, ("applicant", "resubmit"))
    second = make.act(client, office["clerk"], view, "request_supplement", **request)
    assert second.status_code == 409
    assert second.get_json()["code"] == "SUPPLEMENT_ALREADY_REQUESTED"
    clerk_view = client.get(f"/api/v1/applications/{view['id']}", headers=office["clerk"])
    assert "request_supplement" not in clerk_view.get_json()["actions"]


def test_the_approver_extends_the_decision_limit_once_and_the_applicant_is_told(
    client, make, office, drive, submitted
):
    view = drive(submitted, ("clerk", "accept"), ("reviewer", "start_review"))
    due = date.fromisoformat(view["deadline"]["due"])
    view = drive(view, ("approver", "extend_deadline", {"comment": "储存设施情况复杂"}))
    assert view["state"] == "under_review"
    assert view["deadline"]["due"] == calendar().add_working_days(due, 10).isoformat()
    again = make.act(client, office["approver"], view, "extend_deadline", comment="再延长")
    assert again.status_code == 409
    assert again.get_json()["code"] == "DEADLINE_ALREADY_EXTENDED"
    outbox_delivery.drain()
    inbox = client.get("/api/v1/notifications", headers=office.applicant).get_json()
    told = [item for item in inbox["items"] if item["title"] == "审批期限延长"]
    assert told and "10日" in told[0]["body"] and "储存设施情况复杂" in told[0]["body"]


def test_an_extension_needs_a_reason_and_an_approver(client, make, office, drive, submitted):
    view = drive(submitted, ("clerk", "accept"))
    no_reason = make.act(client, office["approver"], view, "extend_deadline")
    assert no_reason.status_code == 422
    by_reviewer = make.act(client, office["reviewer"], view, "extend_deadline", comment="复杂")
    assert by_reviewer.status_code == 403


def test_inspection_time_does_not_count_for_hazchem_trading(
    client, office, drive, submitted, frozen_now
):
    from tests.api.test_deadlines import shanghai_ten_am

    view = drive(
        submitted, ("clerk", "accept"), ("reviewer", "start_review"), *verify_all(submitted)
    )
    due = date.fromisoformat(view["deadline"]["due"])
    view = drive(view, ("reviewer", "schedule_inspection", {"date": "2026-11-30"}))
    assert view["deadline"]["paused"] is True
    queue = client.get("/api/v1/review/queue", headers=office["inspector"]).get_json()
    assert [item["deadline"]["paused"] for item in queue["items"]] == [True]
    frozen_now(shanghai_ten_am("2026-11-30"))
    view = client.get(f"/api/v1/applications/{view['id']}", headers=office.applicant).get_json()
    assert view["deadline"]["paused"] is True and view["deadline"]["due"] == due.isoformat()
    view = drive(view, ("inspector", "record_inspection", {"result": "pass"}))
    assert view["deadline"]["paused"] is False
    # Five working days (24–30 November) spent on the inspection move the due date.
    assert view["deadline"]["due"] == calendar().add_working_days(due, 5).isoformat()


def test_an_inspection_date_in_the_past_is_refused(client, make, office, drive, submitted):
    view = drive(submitted, ("clerk", "accept"), ("reviewer", "start_review"))
    response = make.act(client, office["reviewer"], view, "schedule_inspection", date="2026-11-20")
    assert response.status_code == 422
    assert response.get_json()["errors"] == {"date": ["核查日期不能早于今天"]}


def test_the_licence_is_delivered_within_ten_working_days_of_the_decision(client, make, office):
    from app.extensions import db
    from app.models import Enterprise

    firm = db.session.get(Enterprise, office.enterprise_id)
    case = make.case_in_state(firm, "pending_decision", make.applicant(), recommendation="approve")
    response = make.act(
        client, office["approver"], {"id": case.id, "version": case.version}, "approve"
    )
    assert response.status_code == 200, response.get_json()
    deadline = response.get_json()["deadline"]
    assert deadline["kind"] == "delivery"
    assert deadline["due"] == calendar().add_working_days(date(2026, 11, 23), 10).isoformat()
