"""A staffed office in Tianjin and an applicant with one enterprise, for workflow tests."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

ROLES = ("clerk", "reviewer", "inspector", "approver", "dispatcher", "admin")


@dataclass
class Office:
    applicant: dict
    enterprise_id: int
    staff: dict[str, dict]

    def __getitem__(self, role: str) -> dict:
        return self.applicant if role == "applicant" else self.staff[role]


@pytest.fixture
def office(make) -> Office:
    user = make.applicant()
    firm = make.enterprise(user)
    staff = {role: make.headers(make.staff(role, "120000")) for role in ROLES}
    return Office(applicant=make.headers(user), enterprise_id=firm.id, staff=staff)


@pytest.fixture
def drive(client, make, office):
    """Take a sequence of (role, action, fields) steps, asserting each succeeds.

    Returns the case as the applicant sees it after the last step; between steps the
    action's own answer (the actor's view, with the new version) is enough to go on.
    """

    def run(view: dict, *steps: tuple) -> dict:
        if not steps:
            return view
        for step in steps:
            role, action, fields = (*step, {})[:3] if len(step) == 2 else step
            response = make.act(client, office[role], view, action, **fields)
            assert response.status_code == 200, (action, response.get_json())
            view = response.get_json()
        return client.get(f"/api/v1/applications/{view['id']}", headers=office.applicant).get_json()

    return run


@pytest.fixture
def submitted(client, make, office, drive):
    """A complete new hazchem-trading case, submitted."""
    view = make.create_application(client, office.applicant, office.enterprise_id)
    view = make.upload_required(client, office.applicant, view)
    return drive(view, ("applicant", "submit"))


def verify_all(view: dict) -> list[tuple]:
    return [
        ("reviewer", "verify_material", {"material": m["code"], "verdict": "ok"})
        for m in view["materials"]
        if m["documents"]
    ]


@pytest.fixture
def approved(client, office, drive, submitted):
    """The submitted case driven through review and inspection to approval."""
    return drive(
        submitted,
        ("clerk", "accept"),
        ("reviewer", "start_review"),
        *verify_all(submitted),
        ("reviewer", "schedule_inspection", {"date": "2026-11-30"}),
        ("inspector", "record_inspection", {"result": "pass"}),
        ("reviewer", "recommend", {"recommendation": "approve"}),
        ("approver", "approve", {"comment": "准予许可"}),
    )


def courier_signature(app, body: bytes) -> str:
    """The ``X-Signature`` header the courier sends for ``body``."""
    import hashlib
    import hmac

    secret = app.config["COURIER_WEBHOOK_SECRET"].encode()
    return "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()
