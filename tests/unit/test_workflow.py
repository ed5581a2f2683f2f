"""The workflow engine and the three definitions, without a database."""

from __future__ import annotations

import pytest

from workflows.definitions import WORKFLOWS, get_workflow
from workflows.engine import Actor, CaseFacts, Effect
from workflows.errors import (
    ActionDataInvalid,
    ActionForbidden,
    GuardFailed,
    TransitionNotAllowed,
    UnknownAction,
)

APPLICANT = Actor(frozenset({"applicant"}))


def staff(*roles: str) -> Actor:
    return Actor(frozenset(roles))


NEW = get_workflow("new")


def test_submit_needs_materials():
    with pytest.raises(GuardFailed) as refused:
        NEW.apply(CaseFacts("draft", missing_materials=("licence",)), "submit", APPLICANT, {})
    assert refused.value.code == "MATERIALS_MISSING" and "licence" in refused.value.message
    outcome = NEW.apply(CaseFacts("draft"), "submit", APPLICANT, {})
    assert (outcome.from_state, outcome.to_state) == ("draft", "submitted")
    assert Effect.START_ACCEPTANCE_CLOCK in outcome.effects


def test_each_refusal_has_its_own_error():
    with pytest.raises(UnknownAction):
        NEW.apply(CaseFacts("submitted"), "fly", staff("clerk"), {})
    with pytest.raises(ActionForbidden):
        NEW.apply(CaseFacts("submitted"), "accept", staff("reviewer"), {})
    with pytest.raises(TransitionNotAllowed) as wrong_state:
        NEW.apply(CaseFacts("draft"), "accept", staff("clerk"), {})
    assert "草稿" in wrong_state.value.message
    with pytest.raises(ActionDataInvalid) as missing:
        NEW.apply(CaseFacts("submitted"), "reject", staff("clerk"), {"comment": "  "})
    assert missing.value.errors == {"comment": ["请填写理由"]}


@pytest.mark.parametrize(
    ("action", "data", "field"),
    [
        ("request_supplement", {"missing_materials": [], "comment": "x"}, "missing_materials"),
        ("request_supplement", {"missing_materials": "a", "comment": "x"}, "missing_materials"),
        ("request_supplement", {"missing_materials": ["a"]}, "comment"),
    ],
)
def test_supplement_request_needs_the_complete_list_and_a_reason(action, data, field):
    with pytest.raises(ActionDataInvalid) as refused:
        NEW.apply(CaseFacts("submitted"), action, staff("clerk"), data)
    assert field in refused.value.errors


def test_field_values_are_checked_and_cleaned():
    facts = CaseFacts("under_review")
    with pytest.raises(ActionDataInvalid) as bad_date:
        NEW.apply(facts, "schedule_inspection", staff("reviewer"), {"date": "30/11/2026"})
    assert "YYYY-MM-DD" in bad_date.value.errors["date"][0]
    outcome = NEW.apply(facts, "schedule_inspection", staff("reviewer"), {"date": "2026-11-30"})
    assert outcome.data["date"].isoformat() == "2026-11-30"
    with pytest.raises(ActionDataInvalid) as bad_choice:
        NEW.apply(facts, "verify_material", staff("reviewer"), {"material": "m", "verdict": "meh"})
    assert "verdict" in bad_choice.value.errors
    with pytest.raises(ActionDataInvalid) as no_reason:
        NEW.apply(
            facts, "verify_material", staff("reviewer"), {"material": "m", "verdict": "rejected"}
        )
    assert "comment" in no_reason.value.errors
    stay = NEW.apply(
        facts, "verify_material", staff("reviewer"), {"material": "m", "verdict": "ok"}
    )
    assert stay.to_state == "under_review" and stay.effects == (Effect.RECORD_VERDICT,)


def test_recommending_approval_needs_verified_materials_and_a_passed_inspection():
    reviewer = staff("reviewer")
    approve = {"recommendation": "approve"}
    cases = [
        (CaseFacts("under_review", rejected_materials=("a",)), "MATERIALS_REJECTED"),
        (CaseFacts("under_review", unverified_materials=("a",)), "MATERIALS_UNVERIFIED"),
        (CaseFacts("under_review", deferred_materials=("a",)), "DEFERRED_MATERIALS_OUTSTANDING"),
        (CaseFacts("under_review", inspection_required=True), "INSPECTION_NOT_PASSED"),
        (
            CaseFacts("under_review", inspection_required=True, inspection_result="fail"),
            "INSPECTION_NOT_PASSED",
        ),
    ]
    for facts, code in cases:
        with pytest.raises(GuardFailed) as refused:
            NEW.apply(facts, "recommend", reviewer, approve)
        assert refused.value.code == code
        # A denial may always be recommended, and the button stays available.
        assert (
            NEW.apply(facts, "recommend", reviewer, {"recommendation": "deny"}).to_state
            == "pending_decision"
        )
        assert "recommend" in NEW.available(facts, reviewer)


def test_approval_waits_for_deferred_and_rejected_materials():
    approver = staff("approver")
    for facts in (
        CaseFacts("pending_decision", deferred_materials=("a",)),
        CaseFacts("pending_decision", rejected_materials=("a",)),
    ):
        assert "approve" not in NEW.available(facts, approver)
        with pytest.raises(GuardFailed):
            NEW.apply(facts, "approve", approver, {})
    outcome = NEW.apply(CaseFacts("pending_decision"), "approve", approver, {})
    assert Effect.ISSUE_LICENCE in outcome.effects and outcome.to_state == "approved"


def test_available_follows_roles_state_and_guards():
    submitted = CaseFacts("submitted")
    assert NEW.available(submitted, staff("clerk")) == ["request_supplement", "reject", "accept"]
    assert NEW.available(submitted, APPLICANT) == ["withdraw"]
    assert NEW.available(submitted, staff("admin")) == []
    assert NEW.available(CaseFacts("draft", missing_materials=("a",)), APPLICANT) == ["withdraw"]
    assert NEW.available(CaseFacts("approved"), APPLICANT) == []


@pytest.mark.parametrize("kind", ["new", "renewal", "change"])
def test_no_role_has_actions_in_a_terminal_state(kind):
    workflow = get_workflow(kind)
    everyone = staff(
        "clerk", "reviewer", "inspector", "approver", "dispatcher", "admin", "applicant"
    )
    for state in ("delivered", "denied", "not_accepted", "withdrawn"):
        assert workflow.is_terminal(state)
        assert workflow.available(CaseFacts(state), everyone) == []


def test_renewal_with_direct_extension_skips_review():
    renewal = get_workflow("renewal")
    direct = renewal.apply(
        CaseFacts("submitted", direct_extension=True), "accept", staff("clerk"), {}
    )
    reviewed = renewal.apply(CaseFacts("submitted"), "accept", staff("clerk"), {})
    assert direct.to_state == "pending_decision" and reviewed.to_state == "accepted"


def test_change_has_no_inspection():
    change = get_workflow("change")
    assert "inspection" not in change.states
    assert "schedule_inspection" not in change.actions()
    with pytest.raises(UnknownAction):
        change.apply(
            CaseFacts("under_review"),
            "schedule_inspection",
            staff("reviewer"),
            {"date": "2026-11-30"},
        )


def test_expert_review_pauses_and_resumes_the_clock():
    paused = NEW.apply(
        CaseFacts("under_review"), "start_expert_review", staff("reviewer"), {"comment": "专家论证"}
    )
    assert paused.effects == (Effect.PAUSE_CLOCK,) and paused.to_state == "expert_review"
    resumed = NEW.apply(CaseFacts("expert_review"), "finish_expert_review", staff("reviewer"), {})
    assert resumed.effects == (Effect.RESUME_CLOCK,) and resumed.to_state == "under_review"


def test_every_state_has_a_chinese_label():
    for workflow in WORKFLOWS.values():
        for state in workflow.states.values():
            assert any("\u4e00" <= ch <= "\u9fff" for ch in state.label)
