"""The approver's decision: an approval issues a signed licence in the same transaction."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from app.extensions import db
from app.licences.documents import licence_pdf
from app.models import Licence
from app.services.cases import take_action
from tests.services.conftest import inbox, refused, timeline


def pending(make, firm, recommendation: str = "approve"):
    return make.case_in_state(
        firm.enterprise, "pending_decision", firm.manager, recommendation=recommendation
    )


def test_an_approval_issues_a_three_year_licence_to_the_enterprise(make, firm):
    case = pending(make, firm)
    take_action(make.staff("approver"), case.id, "approve", {"comment": "准予许可"}, case.version)
    licence = db.session.get(Licence, case.issued_licence_id)
    assert case.state == "approved"
    assert licence.enterprise_id == firm.enterprise.id
    assert licence.holder["name"] == firm.enterprise.name
    assert (licence.valid_from, licence.valid_until) == (date(2026, 11, 23), date(2029, 11, 22))
    assert licence.number.startswith("津")
    assert licence_pdf(licence).startswith(b"%PDF")
    assert timeline(case)[-1] == ("approve", "pending_decision", "approved", "approver")
    assert inbox(firm.manager) == ["准予许可"]


def test_each_approval_takes_the_next_licence_number(make, firm):
    approver = make.staff("approver")
    numbers = []
    for _ in range(2):
        case = pending(make, firm)
        take_action(approver, case.id, "approve", {}, case.version)
        numbers.append(db.session.get(Licence, case.issued_licence_id).number)
    first, second = numbers
    assert first != second
    assert int(second[-6:]) == int(first[-6:]) + 1


def test_a_denial_issues_no_licence_and_needs_a_reason(make, firm):
    case = pending(make, firm, recommendation="deny")
    approver = make.staff("approver")
    with refused("VALIDATION_FAILED"):
        take_action(approver, case.id, "deny", {}, case.version)
    take_action(approver, case.id, "deny", {"comment": "储存设施不符合要求"}, case.version)
    assert case.state == "denied"
    assert db.session.scalars(select(Licence)).all() == []
    assert inbox(firm.manager) == ["不予许可"]


def test_no_approval_while_a_material_stands_rejected(make, firm):
    case = pending(make, firm)
    case.verdicts[-1].verdict = "rejected"
    db.session.commit()
    with refused("MATERIALS_REJECTED"):
        take_action(make.staff("approver"), case.id, "approve", {}, case.version)
    db.session.refresh(case)
    assert case.state == "pending_decision" and case.issued_licence_id is None
    assert db.session.scalars(select(Licence)).all() == []
