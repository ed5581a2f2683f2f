"""`flask cases sweep`: deemed acceptance (Art. 32) and deemed renewal (Art. 50)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from app.extensions import db
from app.jobs import outbox_delivery
from app.models import Application, Enterprise, Licence


def timeline_of(client, auth, view) -> list[dict]:
    url = f"/api/v1/applications/{view['id']}/timeline"
    return client.get(url, headers=auth).get_json()["items"]


def test_a_case_not_answered_within_five_working_days_is_accepted_from_receipt(
    client, make, office, drive, submitted, runner
):
    # Submitted Monday 23 November 2026: the limit runs to Monday 30 November.
    assert submitted["deadline"]["due"] == "2026-11-30"
    early = runner.invoke(args=["cases", "sweep", "--date", "2026-11-30"])
    assert "视为受理 0 件" in early.output
    result = runner.invoke(args=["cases", "sweep", "--date", "2026-12-01"])
    assert result.exit_code == 0, result.output
    assert submitted["number"] in result.output
    view = client.get(
        f"/api/v1/applications/{submitted['id']}", headers=office.applicant
    ).get_json()
    assert view["state"] == "accepted"
    assert view["accepted_at"] == view["submitted_at"]
    # The 30-working-day decision limit counts from the day of receipt.
    from app.domain.clock import calendar

    assert (
        view["deadline"]["due"] == calendar().add_working_days(date(2026, 11, 23), 30).isoformat()
    )
    entries = timeline_of(client, office.applicant, view)
    entry = entries[-1]
    assert (entry["action"], entry["role"], entry["actor"]) == ("deemed_accept", "system", "系统")
    again = runner.invoke(args=["cases", "sweep", "--date", "2026-12-01"])
    assert "视为受理 0 件" in again.output
    assert len(timeline_of(client, office.applicant, view)) == len(entries)
    outbox_delivery.drain()
    inbox = client.get("/api/v1/notifications", headers=office.applicant).get_json()
    assert any(item["title"] == "申请已依法受理" for item in inbox["items"])


@pytest.fixture
def renewal(client, make, office, drive):
    firm = db.session.get(Enterprise, office.enterprise_id)
    held = make.licence(firm, valid_from="2024-02-01", valid_until="2027-01-31")
    body = {
        "enterprise_id": office.enterprise_id,
        "permit_type": "hazchem-trading",
        "kind": "renewal",
        "licence_id": held.id,
        "form": {"no_fatal_accident": False},
        "delivery": dict(make.DELIVERY),
    }
    response = client.post("/api/v1/applications", json=body, headers=office.applicant)
    assert response.status_code == 201, response.get_json()
    view = make.upload_required(client, office.applicant, response.get_json())
    return held, drive(view, ("applicant", "submit"), ("clerk", "accept"))


def test_a_renewal_not_decided_before_expiry_is_approved_by_law(client, office, renewal, runner):
    held, view = renewal
    assert view["state"] == "accepted"
    before = runner.invoke(args=["cases", "sweep", "--date", "2027-01-31"])
    assert "视为准予延续 0 件" in before.output
    result = runner.invoke(args=["cases", "sweep", "--date", "2027-02-01"])
    assert result.exit_code == 0, result.output
    assert f"视为准予延续：{view['number']}" in result.output
    view = client.get(f"/api/v1/applications/{view['id']}", headers=office.applicant).get_json()
    assert view["state"] == "approved"
    licence = db.session.get(Licence, view["issued_licence_id"])
    assert licence.supersedes_id == held.id
    assert (licence.valid_from, licence.valid_until) == (date(2027, 2, 1), date(2030, 1, 31))
    entry = timeline_of(client, office.applicant, view)[-1]
    assert (entry["action"], entry["role"]) == ("deemed_approve", "system")
    assert "已被新证替代 1 张" in result.output
    db.session.expire_all()
    assert db.session.get(Licence, held.id).terminal_status == "superseded"
    again = runner.invoke(args=["cases", "sweep", "--date", "2027-02-01"])
    assert "视为准予延续 0 件" in again.output and "已被新证替代 0 张" in again.output
    issued = db.session.scalars(select(Licence).where(Licence.supersedes_id == held.id)).all()
    assert len(issued) == 1


def test_a_case_waiting_for_the_applicants_supplements_is_not_deemed_anything(
    client, make, office, drive, submitted, runner
):
    request = {"missing_materials": ["safety_rules"], "comment": "缺少签章页"}
    view = drive(submitted, ("clerk", "request_supplement", request))
    runner.invoke(args=["cases", "sweep", "--date", "2027-03-01"])
    assert db.session.get(Application, view["id"]).state == "supplement_required"
