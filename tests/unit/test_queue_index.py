"""The queue stores who acts on a case from its row alone (services/queue_index.py). That holds
only while the material guards choose *which* actions a role has and never leave it without
one; this test fails the day a workflow change breaks it."""

from __future__ import annotations

from dataclasses import replace
from itertools import product

from app.domain import queue_index
from workflows.definitions import WORKFLOWS
from workflows.engine import Actor, CaseFacts

MATERIAL_FACTS = [
    {
        "missing_materials": missing,
        "deferred_materials": deferred,
        "rejected_materials": rejected,
        "unverified_materials": unverified,
        "inspection_required": inspection,
    }
    for missing, deferred, rejected, unverified, inspection in product(
        ((), ("m1",)), ((), ("m2",)), ((), ("m3",)), ((), ("m4",)), (False, True)
    )
]
ROW_FACTS = [
    {"recommendation": recommendation, "inspection_result": result, "deadline_extended": extended}
    for recommendation, result, extended in (
        (None, None, False),
        ("approve", "pass", True),
        ("deny", "fail", False),
    )
]


def acting_roles(workflow, facts: CaseFacts) -> set[str]:
    return {
        role
        for role in queue_index.staff_roles()
        if workflow.available(facts, Actor(roles=frozenset({role})))
    }


def test_materials_never_decide_whether_a_staff_role_has_an_action():
    for workflow in WORKFLOWS.values():
        for state, row in product(workflow.states, ROW_FACTS):
            from_row = CaseFacts(state=state, **row)
            expected = acting_roles(workflow, from_row)
            for materials in MATERIAL_FACTS:
                full = replace(from_row, **materials)
                assert acting_roles(workflow, full) == expected, (workflow.name, state, materials)


def test_the_marker_names_the_units_still_owing_a_joint_review_opinion():
    class Case:
        kind, state = "new", "joint_review"
        inspection_result = recommendation = supplement_request = None
        direct_extension, deadline_extended_days = False, None
        modes = {"joint_review": {"units": ["120000", "120100"], "opinions": {"120000": {}}}}

    assert queue_index.marker(Case()) == "|reviewer@120100|"
    Case.modes = {"joint_review": {"units": ["120000"], "opinions": {"120000": {}}}}
    assert queue_index.marker(Case()) is None
