"""Moving a case through its workflow: one action, one transaction.

Loads the case (row-locked on PostgreSQL; the version column guards every backend), checks
the caller's version, asks the pure workflow engine for the transition, carries out its
effects (clock, records, licence, shipment, outbox), appends the timeline and commits once.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from sqlalchemy import select

from app import timekeeping
from app.domain import access, agency, assignment, clock, materials, timeline
from app.domain.case_facts import (
    EDITABLE_STATES,
    SUBMIT_ACTIONS,
    EffectHandler,
    actor_for,
    case_facts,
    check_version,
    material_names,
)
from app.domain.outbox import enqueue
from app.domain.shipments import create_shipment
from app.domain.transaction import commit
from app.errors import Conflict, field_error
from app.extensions import db
from app.licences.lifecycle import issue_licence
from app.models import Application, MaterialVerdict, Notice, TimelineEntry, User
from app.services import modes, notices, office, review_chain, snapshots
from app.services.applications import check_form_complete
from workflows.definitions import get_workflow
from workflows.engine import Actor, CaseFacts, Effect, Outcome

NOTICES = {
    "submit": ("申请已提交", "您的申请{number}已提交，办事大厅将在5个工作日内完成受理审查。"),
    "resubmit": ("补正材料已提交", "您的申请{number}补正材料已提交，请等待受理。"),
    "request_supplement": (
        "请补正材料",
        "您的申请{number}需要一次性补正以下材料：{materials}。说明：{comment}",
    ),
    "reject": ("不予受理", "您的申请{number}不予受理。理由：{comment}"),
    "accept": ("申请已受理", "您的申请{number}已受理，法定办结时限自今日起计算。"),
    "deemed_accept": (
        "申请已依法受理",
        "您的申请{number}未在法定期限内被告知补正或不予受理，依法自收到申请之日起视为受理。",
    ),
    "deemed_approve": (
        "依法视为准予延续",
        "您的延续申请{number}未在原许可证有效期届满前作出决定，依法视为准予延续，电子证照已生成。",
    ),
    "extend_deadline": (
        "审批期限延长",
        "您的申请{number}经本机关负责人批准，审批期限延长{extension_days}日，至{due}。理由：{comment}",
    ),
    "approve": ("准予许可", "您的申请{number}已准予许可，电子证照已生成，纸质证书将邮寄送达。"),
    "instant_approve": (
        "秒批通过",
        "您的申请{number}符合即时办理条件，已当即准予许可，电子证照已生成，纸质证书将邮寄送达。",
    ),
    "deny": (
        "不予许可",
        "您的申请{number}不予许可。理由：{comment}。如不服，可依法申请行政复议或提起行政诉讼。",
    ),
    "return_pre_review": (
        "预审意见",
        "您的申请{number}已完成先期预审，请按预审意见修改后提交：{comment}",
    ),
    "dispatch": ("证书已寄出", "您的许可证已寄出，快递单号：{tracking_no}。"),
    "confirm_delivery": ("证书已送达", "您的许可证已送达，欢迎对本次服务进行评价。"),
}


def _role_used(workflow, outcome: Outcome, user: User) -> str:
    if not user.is_staff:
        return "applicant"
    for transition in workflow.transitions:
        if transition.action == outcome.action and outcome.from_state in transition.sources:
            matching = sorted(transition.roles & set(user.roles))
            if matching:
                return matching[0]
    return user.roles[0] if user.roles else "staff"


def _check_material(application: Application, data: dict) -> None:
    codes = {s.material.code for s in materials.material_statuses(application)}
    if data.get("material") not in codes:
        message = "该申请没有此材料"
        raise field_error("material", message, "MATERIAL_UNKNOWN")


def _check_supplement_list(application: Application, data: dict) -> None:
    codes = {s.material.code for s in materials.material_statuses(application)}
    unknown = [c for c in data.get("missing_materials", []) if c not in codes]
    if unknown:
        message = f"不是本申请的材料：{'、'.join(unknown)}"
        raise field_error("missing_materials", message, "MATERIAL_UNKNOWN")


def _record_supplement_request(application: Application, data: dict, user: User | None) -> None:
    _check_supplement_list(application, data)
    last_document = max((d.id for d in application.documents), default=0)
    application.supplement_request = {
        "materials": list(dict.fromkeys(data["missing_materials"])),
        "comment": data.get("comment", ""),
        "after_document_id": last_document,
        "requested_at": timekeeping.local_iso(timekeeping.now()),
    }


def _record_verdict(application: Application, data: dict, user: User) -> None:
    _check_material(application, data)
    documents = [d for d in application.documents if d.material_code == data["material"]]
    if not documents:
        message = "该材料尚未上传，无法核验"
        raise field_error("material", message, "MATERIAL_NOT_UPLOADED")
    application.verdicts.append(
        MaterialVerdict(
            material_code=data["material"],
            document_id=documents[-1].id,
            verdict=data["verdict"],
            comment=data.get("comment", ""),
            reviewer_id=user.id,
        )
    )


def _limits(application: Application):
    return materials.permit_type_of(application)


def _receipt_day(application: Application) -> date:
    """The office's date of the (last) submission: the day the application was received."""
    if application.submitted_at is None:  # receipt clocks start on submitted cases only
        raise ValueError(f"application {application.id} has not been submitted")
    return application.submitted_at.astimezone(timekeeping.OFFICE_TZ).date()


def _staff_only(handler: Callable[[Application, dict, User], object]) -> EffectHandler:
    """A handler of effects only people's actions carry: it records who acted."""

    def run(application: Application, data: dict, user: User | None) -> object:
        if user is None:
            raise TypeError(f"a system action cannot carry the effect of {handler.__name__}")
        return handler(application, data, user)

    return run


def _pause_where_the_type_says(application: Application, data: dict, user: User | None) -> None:
    """The stage just entered stops the clock only if the permit type lists it (Art. 45)."""
    if _limits(application).clock_pause(application.state) is not None:
        clock.pause(application)


def _effect_handlers() -> dict[Effect, EffectHandler]:
    return {
        Effect.START_ACCEPTANCE_CLOCK: lambda a, d, u: clock.start(
            a, "acceptance", _limits(a).acceptance_limit_days
        ),
        Effect.START_DECISION_CLOCK: lambda a, d, u: clock.start(
            a, "decision", _limits(a).decision_limit(a.kind)
        ),
        Effect.START_DECISION_CLOCK_FROM_RECEIPT: lambda a, d, u: clock.start(
            a, "decision", _limits(a).decision_limit(a.kind), on=_receipt_day(a)
        ),
        Effect.START_DELIVERY_CLOCK: lambda a, d, u: clock.start(
            a, "delivery", _limits(a).delivery_limit_days
        ),
        Effect.PAUSE_CLOCK: _pause_where_the_type_says,
        Effect.EXTEND_DEADLINE: lambda a, d, u: clock.extend(a, _limits(a).extension_days),
        Effect.RESUME_CLOCK: lambda a, d, u: clock.resume(a),
        Effect.STOP_CLOCK: lambda a, d, u: clock.stop(a),
        Effect.RECORD_SUPPLEMENT_REQUEST: _record_supplement_request,
        Effect.RECORD_VERDICT: _staff_only(_record_verdict),
        Effect.RECORD_INSPECTION: lambda a, d, u: setattr(a, "inspection_result", d["result"]),
        Effect.RECORD_RECOMMENDATION: lambda a, d, u: setattr(
            a, "recommendation", d["recommendation"]
        ),
        Effect.ISSUE_LICENCE: lambda a, d, u: issue_licence(a),
        Effect.CREATE_SHIPMENT: lambda a, d, u: create_shipment(a, d),
        Effect.CLOSE_CASE: lambda a, d, u: setattr(a, "closed_at", timekeeping.now()),
        Effect.NOTIFY_APPLICANT: lambda a, d, u: None,  # after the state change, see below
        **modes.effect_handlers(),
        **review_chain.effect_handlers(),
    }


def _stamp_milestones(application: Application, outcome: Outcome) -> None:
    moment = timekeeping.now()
    if outcome.action in ("submit", "resubmit"):
        application.submitted_at = moment
    elif outcome.action == "accept":
        application.accepted_at = moment
        application.decision_due = application.clock_due
    elif outcome.action == "deemed_accept":  # Art. 32: accepted from the day of receipt
        application.accepted_at = application.submitted_at
        application.decision_due = application.clock_due
    elif outcome.action in ("approve", "deny", "deemed_approve"):
        application.decided_at = moment
    elif outcome.to_state in ("not_accepted", "withdrawn", "denied"):
        application.closed_at = moment
    if outcome.action == "schedule_inspection":
        application.inspection_date = outcome.data.get("date")
        application.inspection_result = None


def _notify(
    application: Application,
    facts: CaseFacts,
    outcome: Outcome,
    seq: int,
    notice: Notice | None = None,
) -> None:
    template = NOTICES.get(outcome.action)
    if template is None:
        return
    title, body = template
    values = {
        "number": application.number,
        "comment": outcome.data.get("comment", ""),
        "tracking_no": outcome.data.get("tracking_no", ""),
        "extension_days": application.deadline_extended_days or "",
        "due": f"{application.clock_due:%Y年%m月%d日}" if application.clock_due else "",
        "materials": material_names(facts, outcome.data.get("missing_materials") or []),
    }
    enqueue(
        application.enterprise.manager_id,
        topic="case",
        title=title,
        body=body.format(**values),
        payload={
            "application_id": application.id,
            "action": outcome.action,
            "state": outcome.to_state,
            **({"notice_id": notice.id, "notice_title": notice.title} if notice else {}),
        },
        dedupe_key=f"case:{application.id}:{seq}",
    )


def _transition(
    application: Application, user: User | None, actor: Actor, action: str, data: dict
) -> Application:
    workflow = get_workflow(application.kind)
    facts = case_facts(application)
    outcome = workflow.apply(facts, action, actor, data)
    handlers = _effect_handlers()
    application.state = outcome.to_state
    for effect in outcome.effects:
        handlers[effect](application, dict(outcome.data), user)
    _stamp_milestones(application, outcome)
    notice = notices.issue_for(application, outcome)  # the decision in writing, same transaction
    deputy_for = assignment.on_behalf_of(user, application)
    entry = timeline.append(
        application,
        user=user,
        role=_role_used(workflow, outcome, user) if user else sorted(actor.roles)[0],
        action=outcome.action,
        from_state=outcome.from_state,
        to_state=outcome.to_state,
        comment=str(outcome.data.get("comment") or ""),
        data={
            **{
                k: (v.isoformat() if hasattr(v, "isoformat") else v)
                for k, v in outcome.data.items()
                if k != "comment"
            },
            **({"notice_id": notice.id, "notice_number": notice.number} if notice else {}),
            **({"on_behalf_of": assignment.staff_ref(deputy_for)} if deputy_for else {}),
        },
    )
    if notice is not None:
        notice.timeline_seq = entry.seq
    if Effect.NOTIFY_APPLICANT in outcome.effects:
        _notify(application, facts, outcome, entry.seq, notice)
    snapshots.record(application, outcome.action)
    if outcome.to_state == "accepted":
        office.assign_automatically(application)
    application.touch()
    return application


def _refuse_if_already_taken(application: Application, user: User, action: str, data: dict) -> None:
    """A stale version whose last step is this very action by this very user is a double tap
    (or a retry without an Idempotency-Key): say what already happened, not "someone else
    changed the data"."""
    last = db.session.scalars(
        select(TimelineEntry)
        .where(TimelineEntry.application_id == application.id)
        .order_by(TimelineEntry.seq.desc())
        .limit(1)
    ).first()
    if last is None or last.action != action or last.actor_id != user.id:
        return
    if last.from_state == last.to_state and last.data.get("material") != data.get("material"):
        return  # an action that stays in its state (verify_material) may be meant for another
    workflow = get_workflow(application.kind)
    label = next((t.label for t in workflow.transitions if t.action == action and t.label), action)
    moment = last.at.astimezone(timekeeping.OFFICE_TZ)
    raise Conflict(
        f"您已于{moment.month}月{moment.day}日 {moment:%H:%M}执行过“{label}”，无需重复操作。"
        f"申请当前状态：{workflow.label(application.state)}",
        code="ACTION_ALREADY_TAKEN",
        title="该操作已完成",
    )


def take_action(
    user: User, application_id: int, action: str, data: dict, version: int | None
) -> Application:
    """Apply one workflow action for ``user`` to the case, atomically."""
    if action in assignment.OFFICE_ACTIONS:
        return office.take_office_action(user, application_id, action, data, version)
    application = access.get_application(user, application_id, lock=True)
    if version is not None and version != application.version:
        _refuse_if_already_taken(application, user, action, data)
    check_version(application, version)
    agency.check_agent_action(user, application, action)
    assignment.check_reviewer_step(user, application, action)
    if action in SUBMIT_ACTIONS and application.state in EDITABLE_STATES:
        check_form_complete(application)
    try:
        _transition(application, user, actor_for(user, application), action, data)
        modes.after_action(application, action, take_system_action)
    except Exception:
        # An effect may refuse after the state was changed in memory (an unknown carrier):
        # nothing of the half-done transition may stay in the session.
        db.session.rollback()
        raise
    commit()
    return application


def take_system_action(application: Application, action: str, role: str, data: dict) -> None:
    """An action taken on the office's behalf (the courier's delivery receipt); no commit."""
    _transition(application, None, Actor(roles=frozenset({role})), action, data)
