"""Staff actions on a case: who may take which step, and what each step leaves behind."""

from __future__ import annotations

from app.extensions import db
from app.services.cases import take_action
from tests.services.conftest import inbox, refused, timeline


def test_the_clerk_accepts_a_submitted_case_and_the_legal_clock_starts(make, firm):
    case = make.case_in_state(firm.enterprise, "submitted", firm.manager)
    clerk = make.staff("clerk")
    take_action(clerk, case.id, "accept", {}, case.version)
    assert case.state == "accepted"
    assert timeline(case)[-1] == ("accept", "submitted", "accepted", "clerk")
    assert case.clock_due is not None
    assert inbox(firm.manager) == ["申请已受理"]


def test_a_double_tap_says_the_step_was_already_taken_and_records_it_once(make, firm):
    case = make.case_in_state(firm.enterprise, "submitted", firm.manager)
    clerk = make.staff("clerk")
    seen = case.version
    take_action(clerk, case.id, "accept", {}, seen)
    with refused("ACTION_ALREADY_TAKEN"):
        take_action(clerk, case.id, "accept", {}, seen)
    assert [entry[0] for entry in timeline(case)] == ["accept"]
    assert inbox(firm.manager) == ["申请已受理"]


def test_a_role_that_never_takes_the_step_is_forbidden(make, firm):
    case = make.case_in_state(firm.enterprise, "submitted", firm.manager)
    with refused("ACTION_FORBIDDEN"):
        take_action(make.staff("reviewer"), case.id, "accept", {}, case.version)
    db.session.refresh(case)
    assert case.state == "submitted"
    assert timeline(case) == []


def test_the_right_role_in_the_wrong_state_is_refused(make, firm):
    case = make.case_in_state(firm.enterprise, "submitted", firm.manager)
    with refused("TRANSITION_NOT_ALLOWED"):
        take_action(make.staff("approver"), case.id, "approve", {}, case.version)
    db.session.refresh(case)
    assert case.state == "submitted" and case.issued_licence_id is None


def test_staff_of_another_city_do_not_find_the_case(make, firm):
    case = make.case_in_state(firm.enterprise, "submitted", firm.manager)
    beijing_clerk = make.staff("clerk", region="110000")
    with refused("APPLICATION_NOT_FOUND"):
        take_action(beijing_clerk, case.id, "accept", {}, case.version)
    db.session.refresh(case)
    assert case.state == "submitted"


def test_a_supplement_request_names_the_materials_once(make, firm):
    case = make.case_in_state(firm.enterprise, "submitted", firm.manager)
    clerk = make.staff("clerk")
    material = case.documents[0].material_code
    request = {"missing_materials": [material], "comment": "营业执照已过期"}
    take_action(clerk, case.id, "request_supplement", request, case.version)
    assert case.state == "supplement_required"
    assert inbox(firm.manager) == ["请补正材料"]
    with refused("TRANSITION_NOT_ALLOWED"):  # 一次性告知: the case is back with the applicant
        take_action(clerk, case.id, "request_supplement", request, case.version)
