"""Properties of the three workflows over random cases, actors and action sequences."""

from __future__ import annotations

import re
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from workflows.definitions import WORKFLOWS
from workflows.engine import Actor, CaseFacts, Workflow
from workflows.errors import (
    ActionForbidden,
    TransitionNotAllowed,
    UnknownAction,
    WorkflowError,
)

ROLES = (
    "applicant", "clerk", "reviewer", "inspector", "chief", "approver", "dispatcher", "admin",
    "system",
)  # fmt: skip
KINDS = sorted(WORKFLOWS)
ALL_ACTIONS = sorted({action for w in WORKFLOWS.values() for action in w.actions()})
CODE = re.compile(r"[A-Z]+(_[A-Z]+)*")

# Every way of filling in an action's fields correctly; actions without fields take {}.
VALID_DATA: dict[str, list[dict[str, Any]]] = {
    "withdraw": [{}, {"comment": "暂不经营"}],
    "request_supplement": [{"missing_materials": ["a", "b"], "comment": "请补齐"}],
    "reject": [{"comment": "非本机关职权"}],
    "verify_material": [
        {"material": "a", "verdict": "ok"},
        {"material": "a", "verdict": "rejected", "comment": "模糊"},
    ],
    "start_expert_review": [{"comment": "专家论证"}],
    "finish_expert_review": [{}, {"comment": "论证通过"}],
    "schedule_inspection": [{"date": "2026-12-01"}],
    "record_inspection": [{"result": "pass"}, {"result": "fail", "comment": "消防不合格"}],
    "recommend": [{"recommendation": "approve"}, {"recommendation": "deny", "comment": "不符"}],
    "approve": [{}, {"comment": "同意"}],
    "deny": [{"comment": "不符合条件"}],
    "dispatch": [{"carrier": "EMS", "tracking_no": "EM1"}],
    "instant_approve": [{"rules": ["all_materials_present"]}],
    "return_pre_review": [{"comment": "请补充签章", "material_comments": {"a": "缺少签章页"}}],
    "open_joint_review": [{"units": ["140100", "140105"]}],
    "give_opinion": [{"opinion": "agree"}, {"opinion": "disagree", "comment": "通风系统不符"}],
    "extend_deadline": [{"comment": "情况复杂，需延长"}],
    "check": [{"opinion": "agree"}, {"opinion": "disagree", "comment": "核查记录不全"}],
    "return_for_review": [{"comment": "请补充核查意见"}],
}


def valid_data(action: str) -> list[dict[str, Any]]:
    return VALID_DATA.get(action, [{}])


materials = st.sampled_from([(), ("a",), ("a", "b")])
facts_fields = st.fixed_dictionaries(
    {
        "missing_materials": materials,
        "deferred_materials": materials,
        "rejected_materials": materials,
        "unverified_materials": materials,
        "inspection_required": st.booleans(),
        "inspection_result": st.sampled_from([None, "pass", "fail"]),
        "direct_extension": st.booleans(),
        "recommendation": st.sampled_from([None, "approve", "deny"]),
        "supplement_requested": st.booleans(),
        "deadline_extended": st.booleans(),
        "review_levels": st.sampled_from([2, 3]),
    }
)
# Clean facts half of the time, so that random walks get past the guards to the end.
walk_facts = st.one_of(st.just({}), facts_fields)
actors = st.frozensets(st.sampled_from(ROLES), min_size=1, max_size=3).map(Actor)
EVERYONE = Actor(frozenset(ROLES))


def accepted(
    workflow: Workflow, facts: CaseFacts, action: str, actor: Actor, data: dict[str, Any]
) -> bool:
    """Whether ``apply`` takes the action; invalid data is never the reason (it propagates)."""
    try:
        workflow.apply(facts, action, actor, data)
    except (TransitionNotAllowed, ActionForbidden):  # GuardFailed included
        return False
    return True


@settings(max_examples=150, deadline=None)
@given(kind=st.sampled_from(KINDS), fields=facts_fields, actor=actors, data=st.data())
def test_available_is_exactly_what_apply_accepts(kind, fields, actor, data):
    workflow = WORKFLOWS[kind]
    state = data.draw(st.sampled_from(sorted(workflow.states)), label="state")
    facts = CaseFacts(state, **fields)
    available = workflow.available(facts, actor)
    assert available == [a for a in workflow.actions() if a in available]  # ordered, no repeats
    # Some correct filling-in of each available action is accepted, and of no other.
    assert available == [
        action
        for action in workflow.actions()
        if any(accepted(workflow, facts, action, actor, body) for body in valid_data(action))
    ]


@settings(max_examples=100, deadline=None)
@given(
    kind=st.sampled_from(KINDS),
    fields=facts_fields,
    actor=actors,
    action=st.sampled_from([*ALL_ACTIONS, "reopen"]),
    data=st.data(),
)
def test_a_terminal_state_is_a_dead_end(kind, fields, actor, action, data):
    workflow = WORKFLOWS[kind]
    terminal = [name for name in workflow.states if workflow.is_terminal(name)]
    facts = CaseFacts(data.draw(st.sampled_from(terminal), label="state"), **fields)
    assert workflow.available(facts, actor) == []
    for body in valid_data(action):
        try:
            workflow.apply(facts, action, actor, body)
        except WorkflowError:
            continue
        raise AssertionError(f"{action} applied from {facts.state}")


ENDINGS = {"withdraw", "reject", "deny"}


def pick(available: list[str], index: int) -> str | None:
    """One of the available actions, counted from the last (the most onward in definition
    order); one that ends the case only now and then, so that walks reach the far states."""
    choices = available if index % 7 == 6 else [a for a in available if a not in ENDINGS]
    return choices[-1 - index % len(choices)] if choices else None


steps = st.lists(
    st.tuples(
        st.sampled_from(ALL_ACTIONS),
        st.one_of(st.just(EVERYONE), actors),
        walk_facts,
        st.sampled_from([True, True, True, False]),  # take an available action instead
        st.integers(min_value=0, max_value=50),  # which available action / which valid data
    ),
    min_size=5,
    max_size=40,
)


@settings(max_examples=150, deadline=None)
@given(kind=st.sampled_from(KINDS), sequence=steps)
def test_random_sequences_keep_a_lawful_timeline(kind, sequence):
    workflow = WORKFLOWS[kind]
    state = workflow.initial
    timeline = []  # (facts, action, actor, data, outcome) of every applied action
    for action, actor, fields, take_available, index in sequence:
        facts = CaseFacts(state, **fields)
        available = workflow.available(facts, actor)
        if take_available:
            action = pick(available, index) or action
        choices = valid_data(action)
        body = choices[index % len(choices)]
        try:
            outcome = workflow.apply(facts, action, actor, body)
        except UnknownAction:
            assert action not in workflow.actions()
            continue
        except WorkflowError as refusal:
            assert CODE.fullmatch(refusal.code)
            assert any("\u4e00" <= ch <= "\u9fff" for ch in refusal.message)
            continue
        assert action in available
        assert outcome.from_state == state and not workflow.is_terminal(state)
        assert outcome.to_state in workflow.states
        timeline.append((facts, action, actor, body, outcome))
        state = outcome.to_state
    outcomes = [entry[-1] for entry in timeline]
    # The recorded timeline chains from the initial state to the current one ...
    visited = [workflow.initial] + [o.to_state for o in outcomes]
    assert [o.from_state for o in outcomes] == visited[:-1]
    assert state == visited[-1]
    # ... and replaying it gives the same outcomes: the engine keeps no state of its own.
    for facts, action, actor, body, outcome in timeline:
        assert workflow.apply(facts, action, actor, body) == outcome
