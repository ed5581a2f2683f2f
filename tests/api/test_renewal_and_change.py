"""Renewal and change: prefilled from the licence, the right workflow, and supersession."""

from __future__ import annotations

import pytest

from tests.conftest import verify_all


@pytest.fixture
def held(make, office):
    from app.extensions import db
    from app.models import Enterprise

    firm = db.session.get(Enterprise, office.enterprise_id)
    return make.licence(firm)


def renewal_body(make, office, licence, **form):
    return {
        "enterprise_id": office.enterprise_id,
        "permit_type": "hazchem-trading",
        "kind": "renewal",
        "licence_id": licence.id,
        "form": form,
        "delivery": dict(make.DELIVERY),
    }


def test_renewal_is_prefilled_and_directly_extended(client, make, office, drive, held):
    response = client.post(
        "/api/v1/applications",
        json=renewal_body(make, office, held, no_fatal_accident=True),
        headers=office.applicant,
    )
    assert response.status_code == 201, response.get_json()
    view = response.get_json()
    recorded = held.holder["form"]
    # (the principal's phone is shown masked, like every person's phone)
    shared = [k for k in view["form"] if k in recorded and k != "principal_phone"]
    assert shared and all(view["form"][k] == recorded[k] for k in shared)
    view = make.upload_required(client, office.applicant, view)
    view = drive(view, ("applicant", "submit"), ("clerk", "accept"))
    assert view["state"] == "pending_decision"  # direct extension skips review and inspection
    view = drive(view, ("approver", "approve"))
    new = client.get(
        f"/api/v1/licences/{view['issued_licence_id']}", headers=office.applicant
    ).get_json()
    old = client.get(f"/api/v1/licences/{held.id}", headers=office.applicant).get_json()
    # The old licence stays in force to its last day; the new one starts the day after.
    assert old["status"] == "expiring"
    assert (new["status"], new["status_label"]) == ("pending", "未生效")
    assert new["valid_from"] == "2027-02-01" and new["valid_until"] == "2030-01-31"
    assert new["supersedes_id"] == held.id


def verify(client, licence: dict) -> dict:
    from urllib.parse import urlsplit

    url = urlsplit(licence["verification_url"])
    return client.get(f"{url.path}?{url.query}").get_json()


def test_a_renewed_licence_is_pending_until_the_old_one_ends(
    client, make, office, drive, held, frozen_now
):
    from datetime import UTC, datetime

    body = renewal_body(make, office, held, no_fatal_accident=True)
    view = client.post("/api/v1/applications", json=body, headers=office.applicant).get_json()
    view = make.upload_required(client, office.applicant, view)
    view = drive(view, ("applicant", "submit"), ("clerk", "accept"), ("approver", "approve"))
    new = client.get(
        f"/api/v1/licences/{view['issued_licence_id']}", headers=office.applicant
    ).get_json()
    old = client.get(f"/api/v1/licences/{held.id}", headers=office.applicant).get_json()
    assert verify(client, old)["valid"] is True
    pending = verify(client, new)
    assert (pending["valid"], pending["status"], pending["status_label"]) == (
        False,
        "pending",
        "未生效",
    )
    assert pending["valid_from"] == "2027-02-01"
    listed = client.get("/api/v1/licences?status=pending", headers=office.applicant).get_json()
    assert [item["id"] for item in listed["items"]] == [new["id"]]
    again = client.post("/api/v1/applications", json=body, headers=office.applicant)
    assert again.status_code == 409 and again.get_json()["code"] == "LICENCE_ALREADY_RENEWED"

    frozen_now(datetime(2027, 1, 31, 15, 0, tzinfo=UTC))  # 23:00 on the old licence's last day
    assert verify(client, old)["valid"] is True and verify(client, new)["valid"] is False
    frozen_now(datetime(2027, 2, 1, 1, 0, tzinfo=UTC))  # 09:00 the next day
    ended = verify(client, old)
    assert (ended["valid"], ended["status"]) == (False, "superseded")
    started = verify(client, new)
    assert (started["valid"], started["status"]) == (True, "active")
    superseded = client.get(
        "/api/v1/licences?status=superseded", headers=office.applicant
    ).get_json()
    assert [item["id"] for item in superseded["items"]] == [held.id]


def test_renewal_without_declaration_goes_through_review(client, make, office, drive, held):
    body = renewal_body(make, office, held, no_fatal_accident=False)
    view = client.post("/api/v1/applications", json=body, headers=office.applicant).get_json()
    view = make.upload_required(client, office.applicant, view)
    view = drive(view, ("applicant", "submit"), ("clerk", "accept"))
    assert view["state"] == "accepted"


def test_renewal_outside_the_window_is_refused(client, make, office):
    from app.extensions import db
    from app.models import Enterprise

    firm = db.session.get(Enterprise, office.enterprise_id)
    fresh = make.licence(firm, valid_from="2026-01-01", valid_until="2028-12-31")
    response = client.post(
        "/api/v1/applications",
        json=renewal_body(make, office, fresh, no_fatal_accident=True),
        headers=office.applicant,
    )
    assert response.status_code == 409
    assert response.get_json()["code"] == "RENEWAL_WINDOW_NOT_OPEN"


def test_someone_elses_licence_cannot_be_renewed(client, make, office):
    other = make.licence(make.enterprise(make.applicant()))
    response = client.post(
        "/api/v1/applications",
        json=renewal_body(make, office, other, no_fatal_accident=True),
        headers=office.applicant,
    )
    assert response.status_code == 404


def test_change_keeps_validity_and_supersedes(client, make, office, drive, held):
    body = {
        "enterprise_id": office.enterprise_id,
        "permit_type": "hazchem-trading",
        "kind": "change",
        "licence_id": held.id,
        "form": make.example_form("hazchem-trading", "change"),
        "delivery": dict(make.DELIVERY),
    }
    response = client.post("/api/v1/applications", json=body, headers=office.applicant)
    assert response.status_code == 201, response.get_json()
    view = make.upload_required(client, office.applicant, response.get_json())
    view = drive(
        view,
        ("applicant", "submit"),
        ("clerk", "accept"),
        ("reviewer", "start_review"),
        *verify_all(view),
    )
    assert "schedule_inspection" not in view["actions"]
    view = drive(
        view, ("reviewer", "recommend", {"recommendation": "approve"}), ("approver", "approve")
    )
    new = client.get(
        f"/api/v1/licences/{view['issued_licence_id']}", headers=office.applicant
    ).get_json()
    assert (new["valid_from"], new["valid_until"]) == ("2024-02-01", "2027-01-31")
    assert new["change_note"] and "变更" in new["change_note"]
    old = client.get(f"/api/v1/licences/{held.id}", headers=office.applicant).get_json()
    assert old["status"] == "superseded"
    second = client.post("/api/v1/applications", json=dict(body), headers=office.applicant)
    assert second.status_code == 409  # the superseded licence cannot be changed again
