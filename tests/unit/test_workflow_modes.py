"""The service modes' transitions in every workflow, against contract v1.1."""

from __future__ import annotations

import pytest

from workflows.definitions import WORKFLOWS
from workflows.engine import Actor, CaseFacts, Effect
from workflows.errors import ActionDataInvalid, ActionForbidden

E = Effect
CLOCK_EFFECTS = {E.START_ACCEPTANCE_CLOCK, E.START_DECISION_CLOCK, E.START_DELIVERY_CLOCK}
# (action, from, to, role, effects, data)
MODES = [
    ("request_pre_review", "draft", "pre_review", "applicant", (), {}),
    (
        "return_pre_review",
        "pre_review",
        "draft",
        "clerk",
        (E.RECORD_PRE_REVIEW, E.NOTIFY_APPLICANT),
        {"comment": "请修改", "material_comments": {"safety_rules": "缺页"}},
    ),
    (
        "instant_approve",
        "submitted",
        "approved",
        "system",
        (E.STOP_CLOCK, E.ISSUE_LICENCE, E.START_DELIVERY_CLOCK, E.NOTIFY_APPLICANT),
        {"rules": ["all_materials_present"]},
    ),
    (
        "open_joint_review",
        "under_review",
        "joint_review",
        "reviewer",
        (E.OPEN_JOINT_REVIEW,),
        {"units": ["140000", "140500"]},
    ),
    (
        "give_opinion",
        "joint_review",
        "joint_review",
        "reviewer",
        (E.RECORD_OPINION,),
        {"opinion": "agree"},
    ),
    ("close_joint_review", "joint_review", "under_review", "system", (), {}),
]


@pytest.mark.parametrize("kind", sorted(WORKFLOWS))
@pytest.mark.parametrize(("action", "source", "target", "role", "effects", "data"), MODES)
def test_each_mode_action_moves_as_the_contract_says(
    kind, action, source, target, role, effects, data
):
    workflow = WORKFLOWS[kind]
    outcome = workflow.apply(CaseFacts(source), action, Actor(frozenset({role})), data)
    assert (outcome.to_state, outcome.effects) == (target, effects)
    with pytest.raises(ActionForbidden):
        workflow.apply(CaseFacts(source), action, Actor(frozenset({"admin"})), data)


@pytest.mark.parametrize("kind", sorted(WORKFLOWS))
def test_a_pre_review_round_starts_no_clock(kind):
    workflow = WORKFLOWS[kind]
    for action in ("request_pre_review", "return_pre_review"):
        transition = next(t for t in workflow.transitions if t.action == action)
        assert not CLOCK_EFFECTS & set(transition.effects)
    assert workflow.label("pre_review") == "预审中"


def test_material_comments_must_be_texts():
    workflow = WORKFLOWS["new"]
    with pytest.raises(ActionDataInvalid) as refused:
        workflow.apply(
            CaseFacts("pre_review"),
            "return_pre_review",
            Actor(frozenset({"clerk"})),
            {"comment": "x", "material_comments": ["not", "a", "map"]},
        )
    assert "material_comments" in refused.value.errors


def test_the_applicant_may_withdraw_from_pre_review_and_joint_review():
    workflow = WORKFLOWS["new"]
    for state in ("pre_review", "joint_review"):
        outcome = workflow.apply(CaseFacts(state), "withdraw", Actor(frozenset({"applicant"})), {})
        assert outcome.to_state == "withdrawn"
