"""三级审批 where the catalogue asks for it (``review_levels: 3``), and returns for review."""

from __future__ import annotations

import pytest

from app.extensions import db
from app.jobs import outbox_delivery
from app.models import Application
from tests.conftest import verify_all

THREE_LEVELS = "hazchem-production-safety"  # review_levels: 3 in the catalogue


@pytest.fixture
def chief(make) -> dict:
    return make.headers(make.staff("chief", "120000"))


@pytest.fixture
def recommended(client, make, office, drive):
    """Build a case of ``permit_type`` and take it to the reviewer's recommendation to approve."""

    def build(permit_type: str = THREE_LEVELS) -> dict:
        view = make.create_application(
            client, office.applicant, office.enterprise_id, permit_type=permit_type
        )
        view = make.upload_required(client, office.applicant, view)
        view = drive(
            view, ("applicant", "submit"), ("clerk", "accept"), ("reviewer", "start_review")
        )
        return drive(
            view,
            *verify_all(view),
            ("reviewer", "schedule_inspection", {"date": "2026-11-30"}),
            ("inspector", "record_inspection", {"result": "pass"}),
            ("reviewer", "recommend", {"recommendation": "approve", "comment": "符合条件"}),
        )

    return build


def staff_view(client, auth: dict, view: dict) -> dict:
    return client.get(f"/api/v1/applications/{view['id']}", headers=auth).get_json()


def inbox(client, auth: dict) -> list[dict]:
    return client.get("/api/v1/notifications", headers=auth).get_json()["items"]


def test_a_three_level_type_goes_through_the_chiefs_check_to_delivery(
    client, make, office, drive, recommended, chief
):
    view = recommended()
    assert view["state"] == "pending_check"
    assert view["deadline"]["kind"] == "decision"  # the decision limit keeps running
    assert staff_view(client, chief, view)["actions"] == ["check", "return_for_review"]
    approver_actions = staff_view(client, office["approver"], view)["actions"]
    assert approver_actions == ["return_for_review", "extend_deadline"]
    queue = client.get("/api/v1/review/queue", headers=chief).get_json()["items"]
    assert [item["id"] for item in queue] == [view["id"]]
    # Only the chief checks, and only with an opinion.
    assert make.act(client, office["approver"], view, "check", opinion="agree").status_code == 403
    assert make.act(client, office["approver"], view, "approve").status_code == 409
    no_opinion = make.act(client, chief, view, "check")
    assert no_opinion.status_code == 422
    assert "opinion" in no_opinion.get_json()["errors"]
    view = _drive_with(client, make, view, chief, "check", opinion="agree", comment="同意")
    assert view["state"] == "pending_decision"
    view = drive(
        view,
        ("approver", "approve", {"comment": "准予许可"}),
        ("dispatcher", "dispatch", {"carrier": "ems", "tracking_no": "EM123456789CN"}),
        ("dispatcher", "confirm_delivery"),
    )
    assert view["state"] == "delivered"
    timeline = client.get(f"/api/v1/applications/{view['id']}/timeline", headers=office.applicant)
    entries = timeline.get_json()["items"]
    check = next(e for e in entries if e["action"] == "check")
    assert (check["from_state"], check["to_state"], check["role"]) == (
        "pending_check",
        "pending_decision",
        "chief",
    )


def _drive_with(client, make, view: dict, auth: dict, action: str, **fields) -> dict:
    response = make.act(client, auth, view, action, **fields)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_a_chief_who_disagrees_sends_the_case_back_to_review(
    client, make, office, drive, recommended, chief
):
    view = recommended()
    no_reason = make.act(client, chief, view, "check", opinion="disagree")
    assert no_reason.status_code == 422
    assert no_reason.get_json()["errors"] == {"comment": ["不同意审查意见须说明理由"]}
    view = _drive_with(
        client, make, view, chief, "check", opinion="disagree", comment="核查记录不全"
    )
    assert view["state"] == "under_review"
    assert db.session.get(Application, view["id"]).recommendation is None
    outbox_delivery.drain()
    told = [n for n in inbox(client, office["reviewer"]) if n["topic"] == "case_returned"]
    assert len(told) == 1 and "核查记录不全" in told[0]["body"]
    # The reviewer recommends again; the case goes back to the chief, not to the approver.
    view = drive(
        view, ("reviewer", "recommend", {"recommendation": "approve", "comment": "已补充"})
    )
    assert view["state"] == "pending_check"


def test_the_chief_may_return_a_case_from_the_check(client, make, office, recommended, chief):
    view = recommended()
    assert make.act(client, chief, view, "return_for_review").status_code == 422
    view = _drive_with(client, make, view, chief, "return_for_review", comment="请补充说明")
    assert view["state"] == "under_review"


def test_the_approver_may_return_a_case_waiting_for_the_check(client, make, office, recommended):
    view = recommended()
    assert (
        make.act(client, office["reviewer"], view, "return_for_review", comment="x").status_code
        == 403
    )
    view = _drive_with(
        client, make, view, office["approver"], "return_for_review", comment="先补核查记录"
    )
    assert view["state"] == "under_review"
    outbox_delivery.drain()
    told = [n for n in inbox(client, office["reviewer"]) if n["topic"] == "case_returned"]
    assert len(told) == 1 and "先补核查记录" in told[0]["body"]


def test_a_two_level_type_goes_straight_to_the_approver_who_may_return_it(
    client, make, office, drive, recommended, chief
):
    view = recommended("hazchem-trading")
    assert view["state"] == "pending_decision"
    assert make.act(client, chief, view, "check", opinion="agree").status_code == 409
    assert make.act(client, office["reviewer"], view, "return_for_review").status_code == 403
    missing_reason = make.act(client, office["approver"], view, "return_for_review")
    assert missing_reason.status_code == 422
    assert "comment" in missing_reason.get_json()["errors"]
    view = drive(view, ("approver", "return_for_review", {"comment": "储存条件需再核实"}))
    assert view["state"] == "under_review"
    outbox_delivery.drain()
    told = [n for n in inbox(client, office["reviewer"]) if n["topic"] == "case_returned"]
    assert len(told) == 1
    assert told[0]["payload"]["application_id"] == view["id"]
    assert "储存条件需再核实" in told[0]["body"]
    # The applicant is not told of the office's internal return.
    assert not [n for n in inbox(client, office.applicant) if n["topic"] == "case_returned"]


def test_a_chief_of_another_region_cannot_see_the_case(client, make, recommended):
    view = recommended()
    stranger = make.headers(make.staff("chief", "320000"))
    response = make.act(client, stranger, view, "check", opinion="agree")
    assert response.status_code == 404


def test_the_catalogue_says_how_many_levels(client):
    three = client.get(f"/api/v1/permit-types/{THREE_LEVELS}").get_json()
    two = client.get("/api/v1/permit-types/hazchem-trading").get_json()
    assert (three["review_levels"], two["review_levels"]) == (3, 2)
