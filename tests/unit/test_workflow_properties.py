"""Property tests over random action sequences (hypothesis)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from workflows.definitions import WORKFLOWS
from workflows.engine import Actor, CaseFacts
from workflows.errors import ActionDataInvalid, WorkflowError

ROLES = ("applicant", "clerk", "reviewer", "inspector", "approver", "dispatcher", "admin")
VALID_DATA = {
    "request_supplement": {"missing_materials": ["a"], "comment": "补正"},
    "reject": {"comment": "理由"},
    "deny": {"comment": "理由"},
    "verify_material": {"material": "a", "verdict": "ok"},
    "schedule_inspection": {"date": "2026-12-01"},
    "record_inspection": {"result": "pass"},
    # "deny" may always be recommended; approval's own guards are unit-tested.
    "recommend": {"recommendation": "deny"},
    "dispatch": {"carrier": "ems", "tracking_no": "EM1"},
    "start_expert_review": {"comment": "专家"},
}

facts_fields = st.fixed_dictionaries(
    {
        "missing_materials": st.sampled_from([(), ("a",)]),
        "deferred_materials": st.sampled_from([(), ("b",)]),
        "rejected_materials": st.sampled_from([(), ("c",)]),
        "unverified_materials": st.sampled_from([(), ("d",)]),
        "inspection_required": st.booleans(),
        "inspection_result": st.sampled_from([None, "pass", "fail"]),
        "direct_extension": st.booleans(),
    }
)
ALL_ACTIONS = sorted({a for w in WORKFLOWS.values() for a in w.actions()})
# Each step either tries any action or (to reach deep states) one the actor may take.
steps = st.lists(
    st.tuples(
        st.sampled_from(ALL_ACTIONS),
        st.sampled_from(ROLES),
        facts_fields,
        st.booleans(),
        st.integers(min_value=0, max_value=20),
    ),
    max_size=40,
)


@settings(max_examples=150, deadline=None)
@given(kind=st.sampled_from(sorted(WORKFLOWS)), sequence=steps)
def test_random_sequences_stay_lawful(kind, sequence):
    workflow = WORKFLOWS[kind]
    state = workflow.initial
    applied = []
    for action, role, fields, pick_allowed, index in sequence:
        facts = CaseFacts(state=state, **fields)
        actor = Actor(frozenset({role}))
        allowed = workflow.available(facts, actor)
        if pick_allowed and allowed:
            action = allowed[index % len(allowed)]
        try:
            outcome = workflow.apply(facts, action, actor, VALID_DATA.get(action, {}))
        except ActionDataInvalid:
            raise AssertionError(f"valid data refused for {action}") from None
        except WorkflowError:
            assert action not in allowed, (state, action, role)
            continue
        assert action in allowed, (state, action, role)
        assert outcome.from_state == state
        assert outcome.to_state in workflow.states
        assert not workflow.is_terminal(state)
        applied.append((outcome.from_state, outcome.action, outcome.to_state))
        state = outcome.to_state
    # The record of applied actions chains: each starts where the previous one ended.
    for previous, following in zip(applied, applied[1:], strict=False):
        assert previous[2] == following[0]
    if workflow.is_terminal(state):
        everyone = Actor(frozenset(ROLES))
        assert workflow.available(CaseFacts(state=state), everyone) == []
