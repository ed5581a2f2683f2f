"""The states and transitions every kind of case shares (api-contract.md, 行政许可法)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace
from typing import TypedDict, Unpack

from workflows import guards
from workflows.engine import (
    CaseFacts,
    Effect,
    Field,
    Guard,
    Route,
    State,
    Transition,
    Workflow,
)

E = Effect

STATES = (
    State("draft", "草稿"),
    State("pre_review", "预审中"),
    State("submitted", "已提交待受理"),
    State("supplement_required", "待补正"),
    State("accepted", "已受理"),
    State("under_review", "审查中"),
    State("expert_review", "专家评审中"),
    State("joint_review", "联合审查中"),
    State("inspection", "现场核查中"),
    State("pending_check", "待审核"),
    State("pending_decision", "待决定"),
    State("approved", "已批准"),
    State("dispatched", "已寄出"),
    State("delivered", "已送达", terminal=True),
    State("denied", "不予许可", terminal=True),
    State("not_accepted", "不予受理", terminal=True),
    State("withdrawn", "已撤回", terminal=True),
)

BEFORE_APPROVAL = frozenset(
    {
        "draft",
        "pre_review",
        "submitted",
        "supplement_required",
        "accepted",
        "under_review",
        "expert_review",
        "joint_review",
        "inspection",
        "pending_check",
        "pending_decision",
    }
)

REASON = Field("comment", "理由")
OPTIONAL_COMMENT = Field("comment", "说明", required=False)


class TransitionExtras(TypedDict, total=False):
    """The optional parts of a ``Transition`` that ``t`` passes through by keyword."""

    fields: tuple[Field, ...]
    guards: tuple[Guard, ...]
    when: Callable[[CaseFacts], bool] | None
    effects: tuple[Effect, ...]
    note: str
    route: Route | None


def t(
    action: str,
    sources: Iterable[str] | str,
    target: str | None,
    role: str,
    label: str,
    **extra: Unpack[TransitionExtras],
) -> Transition:
    states = frozenset({sources} if isinstance(sources, str) else sources)
    return Transition(action, states, target, frozenset({role}), label, **extra)


SUBMIT = t(
    "submit",
    "draft",
    "submitted",
    "applicant",
    "提交",
    guards=(guards.materials_complete,),
    effects=(E.START_ACCEPTANCE_CLOCK, E.NOTIFY_APPLICANT),
)
WITHDRAW = t(
    "withdraw",
    BEFORE_APPROVAL,
    "withdrawn",
    "applicant",
    "撤回",
    fields=(OPTIONAL_COMMENT,),
    effects=(E.STOP_CLOCK,),
)
REQUEST_SUPPLEMENT = t(
    "request_supplement",
    "submitted",
    "supplement_required",
    "clerk",
    "一次性告知补正",
    fields=(Field("missing_materials", "需补正的材料", kind="list"), Field("comment", "补正说明")),
    guards=(guards.supplement_not_yet_requested,),
    effects=(E.RECORD_SUPPLEMENT_REQUEST, E.STOP_CLOCK, E.NOTIFY_APPLICANT),
)
RESUBMIT = t(
    "resubmit",
    "supplement_required",
    "submitted",
    "applicant",
    "提交补正材料",
    guards=(guards.materials_complete,),
    effects=(E.START_ACCEPTANCE_CLOCK, E.NOTIFY_APPLICANT),
)
REJECT = t(
    "reject",
    "submitted",
    "not_accepted",
    "clerk",
    "不予受理",
    fields=(REASON,),
    effects=(E.STOP_CLOCK, E.NOTIFY_APPLICANT),
)
ACCEPT = t(
    "accept",
    "submitted",
    "accepted",
    "clerk",
    "受理",
    effects=(E.START_DECISION_CLOCK, E.NOTIFY_APPLICANT),
)
# Art. 32: no notice within the acceptance limit → accepted by law from the day of receipt.
DEEMED_ACCEPT = t(
    "deemed_accept",
    "submitted",
    "accepted",
    "system",
    "依法视为受理",
    effects=(E.START_DECISION_CLOCK_FROM_RECEIPT, E.NOTIFY_APPLICANT),
)
START_REVIEW = t("start_review", "accepted", "under_review", "reviewer", "开始审查")
VERIFY_MATERIAL = t(
    "verify_material",
    "under_review",
    None,
    "reviewer",
    "核验材料",
    fields=(
        Field("material", "材料"),
        Field("verdict", "核验结论", choices=("ok", "rejected")),
        Field("comment", "说明", required=False),
    ),
    guards=(guards.reason_for_rejected_verdict,),
    effects=(E.RECORD_VERDICT,),
)
START_EXPERT_REVIEW = t(
    "start_expert_review",
    "under_review",
    "expert_review",
    "reviewer",
    "专家评审",
    fields=(REASON,),
    effects=(E.PAUSE_CLOCK,),
)
FINISH_EXPERT_REVIEW = t(
    "finish_expert_review",
    "expert_review",
    "under_review",
    "reviewer",
    "结束专家评审",
    fields=(OPTIONAL_COMMENT,),
    effects=(E.RESUME_CLOCK,),
)
SCHEDULE_INSPECTION = t(
    "schedule_inspection",
    "under_review",
    "inspection",
    "reviewer",
    "安排现场核查",
    fields=(Field("date", "核查日期", kind="date"),),
    guards=(guards.inspection_date_not_past,),
    effects=(E.PAUSE_CLOCK,),
)
RECORD_INSPECTION = t(
    "record_inspection",
    "inspection",
    "under_review",
    "inspector",
    "录入核查结果",
    fields=(Field("result", "核查结果", choices=("pass", "fail")), OPTIONAL_COMMENT),
    effects=(E.RECORD_INSPECTION, E.RESUME_CLOCK),
)
RECOMMEND = t(
    "recommend",
    "under_review",
    "pending_decision",
    "reviewer",
    "提出审查意见",
    fields=(Field("recommendation", "审查意见", choices=("approve", "deny")), OPTIONAL_COMMENT),
    guards=(guards.recommendation_supported,),
    effects=(E.RECORD_RECOMMENDATION,),
)
# 三级审批 (承办 审查 → 科室 审核 → 局领导 审批): where the permit type names three review
# levels, the recommendation goes to the section chief first. Listed before RECOMMEND, which
# is the branch taken otherwise.
RECOMMEND_FOR_CHECK = replace(
    RECOMMEND,
    target="pending_check",
    when=lambda facts: facts.review_levels >= 3,
    note="三级审批",
)
CHECK = t(
    "check",
    "pending_check",
    None,
    "chief",
    "审核",
    fields=(Field("opinion", "审核意见", choices=("agree", "disagree")), OPTIONAL_COMMENT),
    guards=(guards.reason_for_disagreement,),
    route=Route("opinion", (("agree", "pending_decision"), ("disagree", "under_review"))),
    effects=(E.RECORD_CHECK,),
)
# The approver sends a case back to review instead of denying it.
RETURN_FOR_REVIEW = t(
    "return_for_review",
    "pending_decision",
    "under_review",
    "approver",
    "退回审查",
    fields=(REASON,),
    effects=(E.RETURN_FOR_REVIEW,),
)
# At the check the chief (or the approver, who decides after it) may send it back as well.
RETURN_FROM_CHECK = replace(
    RETURN_FOR_REVIEW, sources=frozenset({"pending_check"}), roles=frozenset({"chief", "approver"})
)
# Art. 42: the head of the office may extend the decision limit once, telling the reason.
EXTEND_DEADLINE = t(
    "extend_deadline",
    (
        "accepted",
        "under_review",
        "expert_review",
        "inspection",
        "pending_check",
        "pending_decision",
    ),
    None,
    "approver",
    "延长审批期限",
    fields=(REASON,),
    guards=(guards.deadline_not_yet_extended,),
    effects=(E.EXTEND_DEADLINE, E.NOTIFY_APPLICANT),
)
APPROVE = t(
    "approve",
    "pending_decision",
    "approved",
    "approver",
    "准予许可",
    fields=(OPTIONAL_COMMENT,),
    guards=(guards.approval_allowed,),
    effects=(E.STOP_CLOCK, E.ISSUE_LICENCE, E.START_DELIVERY_CLOCK, E.NOTIFY_APPLICANT),
)
DENY = t(
    "deny",
    "pending_decision",
    "denied",
    "approver",
    "不予许可",
    fields=(REASON,),
    effects=(E.STOP_CLOCK, E.NOTIFY_APPLICANT),
)
DISPATCH = t(
    "dispatch",
    "approved",
    "dispatched",
    "dispatcher",
    "寄出证书",
    fields=(
        Field("carrier", "快递公司", max_length=32),
        Field("tracking_no", "快递单号", max_length=64),
    ),
    effects=(E.CREATE_SHIPMENT, E.NOTIFY_APPLICANT),
)
CONFIRM_DELIVERY = t(
    "confirm_delivery",
    "dispatched",
    "delivered",
    "dispatcher",
    "确认送达",
    effects=(E.STOP_CLOCK, E.CLOSE_CASE, E.NOTIFY_APPLICANT),
)

INTAKE = (SUBMIT, WITHDRAW, REQUEST_SUPPLEMENT, RESUBMIT, REJECT)
# Before it is decided and while the office owes the next step (not while it waits for the
# applicant's supplements), a case may be decided by operation of law.
OFFICE_OWES = frozenset(
    {
        "submitted",
        "accepted",
        "under_review",
        "expert_review",
        "inspection",
        "joint_review",
        "pending_check",
        "pending_decision",
    }
)
REVIEW = (START_REVIEW, VERIFY_MATERIAL, START_EXPERT_REVIEW, FINISH_EXPERT_REVIEW)
INSPECTION = (SCHEDULE_INSPECTION, RECORD_INSPECTION)
DECISION = (
    RECOMMEND_FOR_CHECK,
    RECOMMEND,
    CHECK,
    RETURN_FROM_CHECK,
    RETURN_FOR_REVIEW,
    EXTEND_DEADLINE,
    APPROVE,
    DENY,
    DISPATCH,
    CONFIRM_DELIVERY,
)


def build(name: str, transitions: Iterable[Transition], *, without: Iterable[str] = ()) -> Workflow:
    """A workflow over the shared states, less the ``without`` ones its transitions never reach."""
    transitions = tuple(transitions)
    excluded = set(without)
    return Workflow(
        name=name,
        initial="draft",
        states={s.name: s for s in STATES if s.name not in excluded},
        transitions=transitions,
    )
