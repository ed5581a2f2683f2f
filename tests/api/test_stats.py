"""Statistics for staff: the figures must match the cases that were actually handled."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, date, datetime, time

import pytest

from app.domain import clock
from app.jobs import stats
from tests.conftest import verify_all

PERIOD = "from=2026-09-01&to=2026-11-30"


@pytest.fixture
def on_day(frozen_now):
    def move(day: date) -> None:
        frozen_now(datetime.combine(day, time(2, 0), tzinfo=UTC))  # 10:00 in Shanghai

    return move


def submit_case(client, make, office, drive) -> dict:
    view = make.create_application(client, office.applicant, office.enterprise_id)
    view = make.upload_required(client, office.applicant, view)
    return drive(view, ("applicant", "submit"))


def courier_delivers(client, app, tracking_no: str, at: str) -> None:
    body = json.dumps({"tracking_no": tracking_no, "status": "delivered", "at": at}).encode()
    secret = app.config["COURIER_WEBHOOK_SECRET"].encode()
    signature = hmac.new(secret, body, hashlib.sha256).hexdigest()
    response = client.post(
        "/api/v1/webhooks/courier/sf",
        data=body,
        content_type="application/json",
        headers={"X-Signature": f"sha256={signature}"},
    )
    assert response.status_code == 200, response.get_json()


def rate(client, office, case: dict, score: int, comment: str = "") -> None:
    response = client.post(
        f"/api/v1/applications/{case['id']}/rating",
        json={"score": score, "comment": comment},
        headers=office.applicant,
    )
    assert response.status_code == 201, response.get_json()


@pytest.fixture
def history(app, client, make, office, drive, on_day):
    """Autumn 2026 in a Tianjin office: what was done, and when."""
    on_day(date(2026, 9, 1))
    approved = submit_case(client, make, office, drive)
    approved = drive(approved, ("clerk", "accept"), ("reviewer", "start_review"))
    approved = drive(
        approved,
        *verify_all(approved),
        ("reviewer", "schedule_inspection", {"date": "2026-09-03"}),
        ("inspector", "record_inspection", {"result": "pass", "comment": "符合"}),
        ("reviewer", "recommend", {"recommendation": "approve", "comment": "同意"}),
    )
    denied = submit_case(client, make, office, drive)
    denied = drive(
        denied,
        ("clerk", "accept"),
        ("reviewer", "start_review"),
        ("reviewer", "recommend", {"recommendation": "deny", "comment": "条件不符"}),
    )
    refused = drive(
        submit_case(client, make, office, drive), ("clerk", "reject", {"comment": "不属于本机关"})
    )
    drive(submit_case(client, make, office, drive), ("applicant", "withdraw", {"comment": "暂缓"}))
    make.create_application(client, office.applicant, office.enterprise_id)  # a draft

    on_day(date(2026, 9, 4))  # Friday: 3 working days after acceptance, well in time
    approved = drive(approved, ("approver", "approve", {"comment": "准予许可"}))
    on_day(date(2026, 9, 7))
    approved = drive(approved, ("dispatcher", "dispatch", {"carrier": "sf", "tracking_no": "SF1"}))
    courier_delivers(client, app, "SF1", "2026-09-08T15:00:00+08:00")
    rate(client, office, approved, 5)
    rate(client, office, refused, 4)

    on_day(date(2026, 11, 2))  # long past the 30-working-day limit
    denied = drive(denied, ("approver", "deny", {"comment": "储存设施不符合要求"}))
    rate(client, office, denied, 2, "审查太慢")

    firm = make.enterprise(make.applicant())
    make.licence(firm, valid_from="2024-01-01", valid_until="2026-12-31")  # expiring
    make.licence(firm, valid_from="2023-01-01", valid_until="2026-11-01")  # expired
    make.licence(firm, valid_from="2023-01-01", valid_until="2026-12-01", terminal_status="revoked")
    other = make.enterprise(
        make.applicant(), region="130102", credit_code=make.credit_code("130102")
    )
    make.licence(other, valid_from="2024-01-01", valid_until="2027-06-30")
    on_day(date(2026, 11, 23))
    return {"approved": approved, "denied": denied}


def test_the_figures_match_what_happened(client, office, history):
    response = client.get(f"/api/v1/stats?{PERIOD}", headers=office["admin"])
    assert response.status_code == 200, response.get_json()
    figures = response.get_json()
    assert set(figures) == {
        "applications",
        "decided",
        "on_time_rate",
        "avg_working_days_to_decision",
        "zero_visit_rate",
        "satisfaction_rate",
        "ratings",
        "licences",
        "requests",
    }
    assert {state: n for state, n in figures["applications"].items() if n} == {
        "delivered": 1,
        "denied": 1,
        "not_accepted": 1,
        "withdrawn": 1,
    }
    assert set(stats.STATES) <= set(figures["applications"])
    assert figures["decided"] == 2
    assert figures["on_time_rate"] == 0.5
    slow = clock.calendar().working_days_between(date(2026, 9, 1), date(2026, 11, 2))
    assert figures["avg_working_days_to_decision"] == round((3 + slow) / 2, 1)
    assert figures["zero_visit_rate"] == 1.0
    assert figures["satisfaction_rate"] == round(2 / 3, 4)
    assert figures["licences"] == {"active": 1, "expiring": 1, "expired": 1}


def test_the_period_limits_what_is_counted(client, office, history):
    october = client.get("/api/v1/stats?from=2026-10-01&to=2026-10-31", headers=office["admin"])
    figures = october.get_json()
    assert sum(figures["applications"].values()) == 0
    assert figures["decided"] == 0
    assert figures["on_time_rate"] is None
    assert figures["avg_working_days_to_decision"] is None
    assert figures["zero_visit_rate"] is None
    assert figures["satisfaction_rate"] is None
    assert figures["licences"] == {"active": 1, "expiring": 1, "expired": 1}  # today's register


def test_staff_see_only_their_own_region(client, make, history):
    hebei = make.headers(make.staff("admin", "130000"))
    figures = client.get(f"/api/v1/stats?{PERIOD}", headers=hebei).get_json()
    assert sum(figures["applications"].values()) == 0
    assert figures["decided"] == 0
    assert figures["licences"] == {"active": 1, "expiring": 0, "expired": 0}


def test_applicants_may_not_read_statistics(client, office):
    response = client.get("/api/v1/stats", headers=office.applicant)
    assert response.status_code == 403
    assert client.get("/api/v1/stats").status_code == 401


@pytest.mark.parametrize(
    ("query", "field"), [("from=2026-12-01&to=2026-11-01", "from"), ("from=2026-13-01", "from")]
)
def test_a_bad_period_is_422(client, office, query, field):
    response = client.get(f"/api/v1/stats?{query}", headers=office["admin"])
    assert response.status_code == 422
    assert field in response.get_json()["errors"]


def test_monthly_figures_follow_the_calendar(history):
    months = stats.monthly_figures("12", 3, date(2026, 11, 30))
    assert [m.label for m in months] == ["2026-09", "2026-10", "2026-11"]
    assert [m.received for m in months] == [4, 0, 0]  # the draft never reached the office
    assert [m.decided for m in months] == [1, 0, 1]
    assert [m.on_time_rate for m in months] == [1.0, None, 0.0]
    assert [m.satisfaction_rate for m in months] == [1.0, None, 0.0]


def test_the_report_command_draws_a_png(runner, history, tmp_path):
    out = tmp_path / "charts" / "monthly.png"
    result = runner.invoke(
        args=["stats", "report", "--out", str(out), "--region", "120000", "--months", "3"]
    )
    assert result.exit_code == 0, result.output
    assert "2026-09 至 2026-11" in result.output
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_report_command_refuses_an_unknown_region(runner, tmp_path):
    result = runner.invoke(
        args=["stats", "report", "--out", str(tmp_path / "x.png"), "--region", "99"]
    )
    assert result.exit_code == 1
    assert "行政区划代码“99”不正确" in result.output
