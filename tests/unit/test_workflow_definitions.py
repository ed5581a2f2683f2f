"""The new, renewal and change workflows against the API contract and the licensing law."""

from __future__ import annotations

import pytest

from workflows.definitions import WORKFLOWS, get_workflow
from workflows.diagram import render_markdown, to_mermaid
from workflows.engine import Actor, CaseFacts, Effect, Outcome
from workflows.errors import (
    ActionDataInvalid,
    ActionForbidden,
    GuardFailed,
    TransitionNotAllowed,
    UnknownAction,
)

E = Effect
KINDS = ("new", "renewal", "change")
ROLES = ("applicant", "clerk", "reviewer", "inspector", "approver", "dispatcher", "admin")
INSPECTION_ACTIONS = {"schedule_inspection", "record_inspection"}


def as_(role: str) -> Actor:
    return Actor(frozenset({role}))


def walk(kind: str, steps, **facts) -> list[Outcome]:
    """Apply ``(action, role, data)`` steps from the initial state with the same facts."""
    workflow = get_workflow(kind)
    state, timeline = workflow.initial, []
    for action, role, data in steps:
        outcome = workflow.apply(CaseFacts(state, **facts), action, as_(role), data)
        timeline.append(outcome)
        state = outcome.to_state
    return timeline


def moves(timeline: list[Outcome]) -> list[tuple[str, str, str]]:
    return [(o.from_state, o.action, o.to_state) for o in timeline]


INTAKE = [("submit", "applicant", {}), ("accept", "clerk", {})]
REVIEW = [
    ("start_review", "reviewer", {}),
    ("verify_material", "reviewer", {"material": "business_licence", "verdict": "ok"}),
    ("start_expert_review", "reviewer", {"comment": "储存设施须专家论证"}),
    ("finish_expert_review", "reviewer", {}),
]
INSPECTION = [
    ("schedule_inspection", "reviewer", {"date": "2026-12-01"}),
    ("record_inspection", "inspector", {"result": "pass", "comment": "符合要求"}),
]
DECISION = [
    ("recommend", "reviewer", {"recommendation": "approve"}),
    ("approve", "approver", {}),
    ("dispatch", "dispatcher", {"carrier": "EMS", "tracking_no": "EM123456789CN"}),
    ("confirm_delivery", "dispatcher", {}),
]
DELIVERY_MOVES = [
    ("pending_decision", "approve", "approved"),
    ("approved", "dispatch", "dispatched"),
    ("dispatched", "confirm_delivery", "delivered"),
]


# --- the contract ----------------------------------------------------------------------

STATE_LABELS = {
    "draft": "草稿",
    "pre_review": "预审中",
    "submitted": "已提交待受理",
    "supplement_required": "待补正",
    "accepted": "已受理",
    "under_review": "审查中",
    "expert_review": "专家评审中",
    "joint_review": "联合审查中",
    "inspection": "现场核查中",
    "pending_check": "待审核",
    "pending_decision": "待决定",
    "approved": "已批准",
    "dispatched": "已寄出",
    "delivered": "已送达",
    "denied": "不予许可",
    "not_accepted": "不予受理",
    "withdrawn": "已撤回",
}
TERMINAL = {"delivered", "denied", "not_accepted", "withdrawn"}


@pytest.mark.parametrize("kind", KINDS)
def test_states_carry_the_contract_names_and_chinese_labels(kind):
    workflow = get_workflow(kind)
    expected = {
        n: label for n, label in STATE_LABELS.items() if kind != "change" or n != "inspection"
    }
    assert {name: workflow.label(name) for name in workflow.states} == expected
    assert {name for name in workflow.states if workflow.is_terminal(name)} == TERMINAL
    assert workflow.initial == "draft"


# (action, from, to, the one role that may take it, effects)
CONTRACT = [
    ("submit", "draft", "submitted", "applicant", (E.START_ACCEPTANCE_CLOCK, E.NOTIFY_APPLICANT)),
    (
        "request_supplement",
        "submitted",
        "supplement_required",
        "clerk",
        (E.RECORD_SUPPLEMENT_REQUEST, E.STOP_CLOCK, E.NOTIFY_APPLICANT),
    ),
    (
        "resubmit",
        "supplement_required",
        "submitted",
        "applicant",
        (E.START_ACCEPTANCE_CLOCK, E.NOTIFY_APPLICANT),
    ),
    ("reject", "submitted", "not_accepted", "clerk", (E.STOP_CLOCK, E.NOTIFY_APPLICANT)),
    ("accept", "submitted", "accepted", "clerk", (E.START_DECISION_CLOCK, E.NOTIFY_APPLICANT)),
    ("start_review", "accepted", "under_review", "reviewer", ()),
    ("verify_material", "under_review", "under_review", "reviewer", (E.RECORD_VERDICT,)),
    ("start_expert_review", "under_review", "expert_review", "reviewer", (E.PAUSE_CLOCK,)),
    ("finish_expert_review", "expert_review", "under_review", "reviewer", (E.RESUME_CLOCK,)),
    ("schedule_inspection", "under_review", "inspection", "reviewer", (E.PAUSE_CLOCK,)),
    (
        "record_inspection",
        "inspection",
        "under_review",
        "inspector",
        (E.RECORD_INSPECTION, E.RESUME_CLOCK),
    ),
    ("recommend", "under_review", "pending_decision", "reviewer", (E.RECORD_RECOMMENDATION,)),
    (
        "extend_deadline",
        "under_review",
        "under_review",
        "approver",
        (E.EXTEND_DEADLINE, E.NOTIFY_APPLICANT),
    ),
    (
        "approve",
        "pending_decision",
        "approved",
        "approver",
        (E.STOP_CLOCK, E.ISSUE_LICENCE, E.START_DELIVERY_CLOCK, E.NOTIFY_APPLICANT),
    ),
    ("deny", "pending_decision", "denied", "approver", (E.STOP_CLOCK, E.NOTIFY_APPLICANT)),
    ("dispatch", "approved", "dispatched", "dispatcher", (E.CREATE_SHIPMENT, E.NOTIFY_APPLICANT)),
    (
        "confirm_delivery",
        "dispatched",
        "delivered",
        "dispatcher",
        (E.STOP_CLOCK, E.CLOSE_CASE, E.NOTIFY_APPLICANT),
    ),
]
VALID_DATA = {
    "request_supplement": {"missing_materials": ["safety_rules"], "comment": "缺少签章页"},
    "reject": {"comment": "不属于本机关职权范围"},
    "verify_material": {"material": "site_plan", "verdict": "rejected", "comment": "不清晰"},
    "start_expert_review": {"comment": "储存设施须专家论证"},
    "schedule_inspection": {"date": "2026-12-01"},
    "record_inspection": {"result": "fail"},
    "recommend": {"recommendation": "deny"},
    "deny": {"comment": "储存条件不符合要求"},
    "dispatch": {"carrier": "EMS", "tracking_no": "EM1"},
    "extend_deadline": {"comment": "需组织专家论证"},
}


# A change has no inspection, so its inspection actions are not cases of this test.
ACTION_CASES = [
    pytest.param(kind, *row, id=f"{kind}-{row[0]}")
    for kind in KINDS
    for row in CONTRACT
    if not (kind == "change" and row[0] in INSPECTION_ACTIONS)
]


@pytest.mark.parametrize(("kind", "action", "source", "target", "role", "effects"), ACTION_CASES)
def test_each_action_moves_as_the_contract_says_for_its_role_only(
    kind, action, source, target, role, effects
):
    data = VALID_DATA.get(action, {})
    workflow = get_workflow(kind)
    outcome = workflow.apply(CaseFacts(source), action, as_(role), data)
    assert (outcome.from_state, outcome.to_state, outcome.effects) == (source, target, effects)
    for other in set(ROLES) - {role}:
        with pytest.raises(ActionForbidden):
            workflow.apply(CaseFacts(source), action, as_(other), data)


@pytest.mark.parametrize("kind", KINDS)
def test_the_applicant_may_withdraw_before_approval_and_not_after(kind):
    workflow = get_workflow(kind)
    for state in workflow.states:
        facts = CaseFacts(state)
        if state in TERMINAL or state in {"approved", "dispatched"}:
            assert "withdraw" not in workflow.available(facts, as_("applicant"))
            with pytest.raises(TransitionNotAllowed):
                workflow.apply(facts, "withdraw", as_("applicant"), {})
            continue
        assert "withdraw" in workflow.available(facts, as_("applicant"))
        outcome = workflow.apply(facts, "withdraw", as_("applicant"), {"comment": "暂不经营"})
        assert (outcome.to_state, outcome.effects) == ("withdrawn", (E.STOP_CLOCK,))
        assert outcome.data == {"comment": "暂不经营"}
        assert workflow.apply(facts, "withdraw", as_("applicant"), {}).data == {}


@pytest.mark.parametrize("kind", KINDS)
def test_an_admin_gets_no_case_actions(kind):
    workflow = get_workflow(kind)
    admin = as_("admin")
    for state in workflow.states:
        assert workflow.available(CaseFacts(state), admin) == []
    for action in workflow.actions():
        with pytest.raises(ActionForbidden):
            workflow.apply(CaseFacts("submitted"), action, admin, {"comment": "x"})


@pytest.mark.parametrize("kind", KINDS)
def test_every_state_is_reachable_and_every_open_state_can_still_end(kind):
    workflow = get_workflow(kind)
    edges = {
        (source, t.target or source)
        for t in workflow.transitions
        for source in t.sources & workflow.states.keys()
    }
    reachable = {workflow.initial}
    while grown := {b for a, b in edges if a in reachable} - reachable:
        reachable |= grown
    assert reachable == set(workflow.states)
    ending = set(TERMINAL)
    while grown := {a for a, b in edges if b in ending} - ending:
        ending |= grown
    assert ending == set(workflow.states)


# --- whole cases -----------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["new", "renewal"])
def test_a_case_with_inspection_runs_from_draft_to_delivery(kind):
    inspected = {"inspection_required": True, "inspection_result": "pass"}
    timeline = walk(kind, INTAKE + REVIEW + INSPECTION + DECISION, **inspected)
    assert moves(timeline) == [
        ("draft", "submit", "submitted"),
        ("submitted", "accept", "accepted"),
        ("accepted", "start_review", "under_review"),
        ("under_review", "verify_material", "under_review"),
        ("under_review", "start_expert_review", "expert_review"),
        ("expert_review", "finish_expert_review", "under_review"),
        ("under_review", "schedule_inspection", "inspection"),
        ("inspection", "record_inspection", "under_review"),
        ("under_review", "recommend", "pending_decision"),
        *DELIVERY_MOVES,
    ]
    assert get_workflow(kind).is_terminal(timeline[-1].to_state)
    assert E.ISSUE_LICENCE in timeline[-3].effects
    assert timeline[6].data["date"].isoformat() == "2026-12-01"


def test_a_change_runs_from_draft_to_delivery_on_the_papers():
    timeline = walk("change", INTAKE + REVIEW + DECISION)
    assert [o.to_state for o in timeline][-5:] == [
        "under_review",
        "pending_decision",
        "approved",
        "dispatched",
        "delivered",
    ]
    assert not {o.action for o in timeline} & INSPECTION_ACTIONS


def test_a_renewal_eligible_for_direct_extension_skips_review_and_inspection():
    timeline = walk("renewal", INTAKE + DECISION[1:], direct_extension=True)
    assert moves(timeline) == [
        ("draft", "submit", "submitted"),
        ("submitted", "accept", "pending_decision"),
        *DELIVERY_MOVES,
    ]
    assert timeline[1].effects == (E.START_DECISION_CLOCK, E.NOTIFY_APPLICANT)
    ordinary = walk("renewal", INTAKE)
    assert ordinary[-1].to_state == "accepted"


@pytest.mark.parametrize("kind", ["new", "change"])
def test_direct_extension_means_nothing_outside_renewals(kind):
    assert walk(kind, INTAKE, direct_extension=True)[-1].to_state == "accepted"


@pytest.mark.parametrize("kind", KINDS)
def test_a_supplement_request_sends_the_case_back_until_the_list_is_complete(kind):
    workflow = get_workflow(kind)
    timeline = walk(
        kind,
        [
            ("submit", "applicant", {}),
            (
                "request_supplement",
                "clerk",
                {"missing_materials": ["a", "b"], "comment": "请一次性补齐"},
            ),
        ],
    )
    assert timeline[-1].data["missing_materials"] == ["a", "b"]
    incomplete = CaseFacts("supplement_required", missing_materials=("b",))
    assert workflow.available(incomplete, as_("applicant")) == ["withdraw"]
    with pytest.raises(GuardFailed) as refused:
        workflow.apply(incomplete, "resubmit", as_("applicant"), {})
    assert refused.value.code == "MATERIALS_MISSING" and refused.value.details == ["b"]
    back = workflow.apply(CaseFacts("supplement_required"), "resubmit", as_("applicant"), {})
    assert back.to_state == "submitted"


@pytest.mark.parametrize("kind", KINDS)
def test_a_draft_with_missing_materials_cannot_be_submitted(kind):
    workflow = get_workflow(kind)
    facts = CaseFacts(
        "draft",
        missing_materials=("business_licence", "safety_rules"),
        material_names={"business_licence": "营业执照", "safety_rules": "安全管理制度"},
    )
    assert workflow.available(facts, as_("applicant")) == ["withdraw", "request_pre_review"]
    with pytest.raises(GuardFailed) as refused:
        workflow.apply(facts, "submit", as_("applicant"), {})
    assert refused.value.code == "MATERIALS_MISSING"
    assert refused.value.message == "以下材料尚未上传：营业执照、安全管理制度"
    assert refused.value.details == ["business_licence", "safety_rules"]


@pytest.mark.parametrize("kind", KINDS)
def test_refusal_to_accept_needs_a_reason_and_ends_the_case(kind):
    workflow = get_workflow(kind)
    with pytest.raises(ActionDataInvalid) as no_reason:
        workflow.apply(CaseFacts("submitted"), "reject", as_("clerk"), {"comment": ""})
    assert no_reason.value.errors == {"comment": ["请填写理由"]}
    timeline = walk(
        kind, [("submit", "applicant", {}), ("reject", "clerk", {"comment": "非本机关"})]
    )
    assert timeline[-1].to_state == "not_accepted"
    assert workflow.available(CaseFacts("not_accepted"), as_("clerk")) == []


@pytest.mark.parametrize("kind", KINDS)
def test_a_denial_needs_a_reason_and_ends_the_case(kind):
    workflow = get_workflow(kind)
    with pytest.raises(ActionDataInvalid) as no_reason:
        workflow.apply(CaseFacts("pending_decision"), "deny", as_("approver"), {})
    assert no_reason.value.errors == {"comment": ["请填写理由"]}
    steps = (
        INTAKE
        + REVIEW
        + [
            ("recommend", "reviewer", {"recommendation": "deny", "comment": "储存条件不符合"}),
            ("deny", "approver", {"comment": "储存条件不符合要求"}),
        ]
    )
    timeline = walk(kind, steps, rejected_materials=("site_plan",))
    assert timeline[-1].to_state == "denied"
    assert timeline[-2].data["recommendation"] == "deny"


@pytest.mark.parametrize(
    ("action", "data", "field"),
    [
        ("request_supplement", {"comment": "补正"}, "missing_materials"),
        ("request_supplement", {"missing_materials": "a", "comment": "补正"}, "missing_materials"),
        ("request_supplement", {"missing_materials": ["a"]}, "comment"),
    ],
)
def test_a_supplement_request_needs_the_complete_list_and_an_explanation(action, data, field):
    with pytest.raises(ActionDataInvalid) as refused:
        get_workflow("new").apply(CaseFacts("submitted"), action, as_("clerk"), data)
    assert list(refused.value.errors) == [field]


def test_a_rejected_verdict_needs_a_reason_and_dispatch_needs_the_parcel():
    new = get_workflow("new")
    with pytest.raises(ActionDataInvalid) as no_reason:
        new.apply(
            CaseFacts("under_review"),
            "verify_material",
            as_("reviewer"),
            {"material": "a", "verdict": "rejected"},
        )
    assert no_reason.value.errors == {"comment": ["退回材料须说明理由"]}
    with pytest.raises(ActionDataInvalid) as no_parcel:
        new.apply(CaseFacts("approved"), "dispatch", as_("dispatcher"), {"carrier": "EMS"})
    assert list(no_parcel.value.errors) == ["tracking_no"]


# --- 容缺 and the conditions of approval ------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_deferred_materials_allow_acceptance_but_not_approval(kind):
    workflow = get_workflow(kind)
    deferred = {"deferred_materials": ("fire_plan",)}
    assert "accept" in workflow.available(CaseFacts("submitted", **deferred), as_("clerk"))
    pending = CaseFacts("pending_decision", **deferred)
    assert workflow.available(pending, as_("approver")) == [
        "return_for_review",
        "extend_deadline",
        "deny",
    ]
    with pytest.raises(GuardFailed) as refused:
        workflow.apply(pending, "approve", as_("approver"), {})
    assert refused.value.code == "DEFERRED_MATERIALS_OUTSTANDING"
    assert refused.value.message == "容缺材料补齐并核验通过前不得批准：fire_plan"
    assert refused.value.details == ["fire_plan"]


def test_a_direct_extension_with_deferred_materials_waits_at_the_decision():
    facts = {"direct_extension": True, "deferred_materials": ("photo",)}
    assert walk("renewal", INTAKE, **facts)[-1].to_state == "pending_decision"
    with pytest.raises(GuardFailed) as refused:
        walk("renewal", INTAKE + [("approve", "approver", {})], **facts)
    assert refused.value.code == "DEFERRED_MATERIALS_OUTSTANDING"


@pytest.mark.parametrize(
    ("facts", "code"),
    [
        ({"rejected_materials": ("site_plan",)}, "MATERIALS_REJECTED"),
        ({"unverified_materials": ("site_plan",)}, "MATERIALS_UNVERIFIED"),
        ({"deferred_materials": ("fire_plan",)}, "DEFERRED_MATERIALS_OUTSTANDING"),
        ({"inspection_required": True}, "INSPECTION_NOT_PASSED"),
        ({"inspection_required": True, "inspection_result": "fail"}, "INSPECTION_NOT_PASSED"),
    ],
)
@pytest.mark.parametrize("kind", KINDS)
def test_recommending_approval_needs_verified_materials_and_a_passed_inspection(kind, facts, code):
    workflow = get_workflow(kind)
    case = CaseFacts("under_review", **facts)
    with pytest.raises(GuardFailed) as refused:
        workflow.apply(case, "recommend", as_("reviewer"), {"recommendation": "approve"})
    assert refused.value.code == code
    assert "recommend" in workflow.available(case, as_("reviewer"))
    denial = workflow.apply(case, "recommend", as_("reviewer"), {"recommendation": "deny"})
    assert denial.to_state == "pending_decision"


def test_an_inspection_the_permit_type_does_not_require_is_not_awaited():
    case = CaseFacts("under_review", inspection_result="fail")
    outcome = get_workflow("new").apply(
        case, "recommend", as_("reviewer"), {"recommendation": "approve"}
    )
    assert outcome.data == {"recommendation": "approve"}


@pytest.mark.parametrize("kind", KINDS)
def test_approval_is_refused_while_a_material_stands_rejected(kind):
    workflow = get_workflow(kind)
    case = CaseFacts("pending_decision", rejected_materials=("site_plan",))
    assert "approve" not in workflow.available(case, as_("approver"))
    with pytest.raises(GuardFailed) as refused:
        workflow.apply(case, "approve", as_("approver"), {})
    assert refused.value.code == "MATERIALS_REJECTED"
    assert "site_plan" in refused.value.message


# --- change, diagrams ------------------------------------------------------------------


def test_a_change_has_no_inspection_at_all():
    change = get_workflow("change")
    assert "inspection" not in change.states
    assert not INSPECTION_ACTIONS & set(change.actions())
    with pytest.raises(UnknownAction):
        change.apply(
            CaseFacts("under_review"),
            "schedule_inspection",
            as_("reviewer"),
            {"date": "2026-12-01"},
        )
    assert "inspection" not in to_mermaid(change)


def test_the_diagrams_show_labels_branches_and_ends():
    renewal = to_mermaid(get_workflow("renewal"))
    assert renewal.startswith("stateDiagram-v2\n    [*] --> draft\n")
    assert "submitted --> pending_decision: 受理（accept，clerk） [直接延期]" in renewal
    assert "submitted --> accepted: 受理（accept，clerk）\n" in renewal
    assert "under_review --> under_review: 核验材料（verify_material，reviewer）" in renewal
    assert "delivered --> [*]" in renewal and "approved --> [*]" not in renewal
    page = render_markdown(WORKFLOWS)
    assert page.startswith("# Workflows\n")
    assert page.count("```mermaid") == 3
    assert page == render_markdown(WORKFLOWS)


def test_supplements_are_requested_once_per_case():
    workflow = get_workflow("new")
    facts = CaseFacts("submitted", supplement_requested=True)
    with pytest.raises(GuardFailed) as refused:
        workflow.apply(facts, "request_supplement", as_("clerk"), VALID_DATA["request_supplement"])
    assert refused.value.code == "SUPPLEMENT_ALREADY_REQUESTED"
    assert "request_supplement" not in workflow.available(facts, as_("clerk"))


@pytest.mark.parametrize(
    "state", ["accepted", "under_review", "expert_review", "inspection", "pending_decision"]
)
def test_the_decision_limit_is_extended_once_from_each_deciding_state(state):
    workflow = get_workflow("new")
    outcome = workflow.apply(
        CaseFacts(state), "extend_deadline", as_("approver"), {"comment": "情况复杂"}
    )
    assert outcome.to_state == state
    with pytest.raises(GuardFailed) as refused:
        workflow.apply(
            CaseFacts(state, deadline_extended=True),
            "extend_deadline",
            as_("approver"),
            {"comment": "再次延长"},
        )
    assert refused.value.code == "DEADLINE_ALREADY_EXTENDED"
    with pytest.raises(ActionDataInvalid):
        workflow.apply(CaseFacts(state), "extend_deadline", as_("approver"), {})


def test_an_inspection_cannot_be_scheduled_in_the_past():
    from datetime import date

    facts = CaseFacts("under_review", today=date(2026, 11, 23))
    workflow = get_workflow("new")
    with pytest.raises(ActionDataInvalid) as refused:
        workflow.apply(facts, "schedule_inspection", as_("reviewer"), {"date": "2026-11-22"})
    assert refused.value.errors == {"date": ["核查日期不能早于今天"]}
    outcome = workflow.apply(facts, "schedule_inspection", as_("reviewer"), {"date": "2026-11-23"})
    assert outcome.to_state == "inspection"
