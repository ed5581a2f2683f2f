"""Handing cases over: ``assign``, ``claim``, ``transfer`` (one transaction each), the
automatic choice at acceptance, and urging (催办).

None of these moves the case's state; each is a timeline entry (which the applicant's
timeline leaves out) and a message to the staff member who now has the case.
"""

from __future__ import annotations

from sqlalchemy import select

from app.domain import access, assignment, timeline
from app.domain.case_facts import check_version
from app.domain.outbox import enqueue
from app.domain.transaction import commit
from app.errors import Conflict, Forbidden, field_error
from app.extensions import db
from app.models import Application, RegionAssignment, User
from app.models.office import ASSIGNMENT_MODES
from permits.identifiers import is_ascii_digits, is_region_code

URGE_ROLES = frozenset({"chief", "approver", "admin"})


def _not_open() -> Conflict:
    return Conflict("只有已受理、尚未作出决定的案件可以指定承办人或催办", code="CASE_NOT_OPEN")


def _new_assignee(application: Application, data: dict) -> User:
    value = data.get("assignee_id")
    if isinstance(value, str) and is_ascii_digits(value):
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool):
        raise field_error("assignee_id", "请选择承办人", "ASSIGNEE_REQUIRED")
    staff = db.session.get(User, value)
    if staff is None or not assignment.eligible_assignee(application, staff):
        message = "承办人须为本辖区在岗的审查人员"
        raise field_error("assignee_id", message, "ASSIGNEE_INVALID")
    return staff


def _tell_assignee(application: Application, staff: User, title: str, body: str, seq: int) -> None:
    enqueue(
        staff.id,
        topic="case",
        title=title,
        body=body,
        payload={"application_id": application.id, "action": "assign", "state": application.state},
        dedupe_key=f"office:{application.id}:{seq}:{staff.id}",
    )


def _record(
    application: Application,
    user: User | None,
    role: str,
    action: str,
    comment: str,
    data: dict,
) -> int:
    deputy_for = assignment.on_behalf_of(user, application)
    if deputy_for is not None:
        data = {**data, "on_behalf_of": assignment.staff_ref(deputy_for)}
    entry = timeline.append(
        application,
        user=user,
        role=role,
        action=action,
        from_state=application.state,
        to_state=application.state,
        comment=comment,
        data=data,
    )
    return entry.seq


def _hand_to(
    application: Application,
    user: User | None,
    role: str,
    action: str,
    staff: User,
    comment: str = "",
) -> None:
    previous = application.assignee
    data: dict = {"assignee_id": staff.id, "assignee_name": assignment.staff_name(staff)}
    if previous is not None:
        data["previous_assignee_id"] = previous.id
    seq = _record(application, user, role, action, comment, data)
    application.assignee = staff
    if user is None or staff.id != user.id:
        label = assignment.OFFICE_ACTION_LABELS[action]
        body = f"案件{application.number}已由{timeline.actor_label(user)}{label}给您承办。"
        body += f"说明：{comment}" if comment else ""
        _tell_assignee(application, staff, "新的承办案件", body, seq)


def take_office_action(
    user: User, application_id: int, action: str, data: dict, version: int | None
) -> Application:
    """Assign, claim or transfer the case for ``user`` (the version is checked when given)."""
    application = access.get_application(user, application_id, lock=True)
    if version is not None:
        check_version(application, version)
    if not user.is_staff:
        raise Forbidden("您没有执行此操作的权限", code="ACTION_FORBIDDEN")
    if not assignment.assignable(application):
        raise _not_open()
    if action == "assign":
        _assign(user, application, data)
    elif action == "claim":
        _claim(user, application)
    else:
        _transfer(user, application, data)
    commit()
    return application


def _already_assigned(application: Application) -> Conflict:
    name = assignment.staff_name(application.assignee) if application.assignee else ""
    return Conflict(
        f"该案件已由{name}承办；如需更换承办人，请使用“转办”。",
        code="CASE_ALREADY_ASSIGNED",
        title="案件已有承办人",
    )


def _assign(user: User, application: Application, data: dict) -> None:
    if assignment.CHIEF not in user.roles:
        raise Forbidden("只有科室负责人可以指定承办人", code="ACTION_FORBIDDEN")
    if application.assignee_id is not None:
        raise _already_assigned(application)
    staff = _new_assignee(application, data)
    _hand_to(application, user, assignment.CHIEF, "assign", staff, str(data.get("comment") or ""))


def _claim(user: User, application: Application) -> None:
    if assignment.REVIEWER not in user.roles:
        raise Forbidden("只有审查人员可以认领案件", code="ACTION_FORBIDDEN")
    if application.assignee_id is not None:
        raise _already_assigned(application)
    if not assignment.eligible_assignee(application, user):
        raise Forbidden("您不能认领该案件", code="ACTION_FORBIDDEN")
    _hand_to(application, user, assignment.REVIEWER, "claim", user)


def _transfer(user: User, application: Application, data: dict) -> None:
    if application.assignee_id is None:
        raise Conflict("该案件尚无承办人，请先指定或认领", code="CASE_NOT_ASSIGNED")
    if not assignment.is_owner_side(user, application):
        raise assignment.assigned_elsewhere(application)
    comment = str(data.get("comment") or "").strip()
    if not comment:
        raise field_error("comment", "请填写转办说明", "VALIDATION_FAILED")
    staff = _new_assignee(application, data)
    if staff.id == application.assignee_id:
        raise field_error("assignee_id", "新承办人与原承办人相同", "ASSIGNEE_INVALID")
    role = assignment.CHIEF if assignment.CHIEF in user.roles else assignment.REVIEWER
    _hand_to(application, user, role, "transfer", staff, comment)


def assign_automatically(application: Application) -> None:
    """``least_loaded`` at acceptance: the case goes to the reviewer with the fewest open
    cases (nothing happens under ``manual`` or when nobody is available)."""
    if application.assignee_id is not None:
        return
    staff = assignment.least_loaded(application)
    if staff is not None:
        _hand_to(application, None, "system", "assign", staff)


def urge(user: User, application_id: int, comment: str) -> Application:
    """催办: tell the assignee (and record it) that the case needs attention now."""
    application = access.get_application(user, application_id, lock=True)
    if not user.is_staff or not URGE_ROLES & set(user.roles):
        raise Forbidden("只有科室负责人、审批人员或管理员可以催办", code="ACTION_FORBIDDEN")
    if not assignment.is_open(application):
        raise _not_open()
    owner = application.assignee
    if owner is None:
        raise Conflict("该案件尚无承办人，请先指定承办人", code="CASE_NOT_ASSIGNED")
    comment = comment.strip()
    role = sorted(URGE_ROLES & set(user.roles))[0]
    seq = _record(application, user, role, "urge", comment, {"assignee_id": owner.id})
    body = f"{timeline.actor_label(user)}催办案件{application.number}，请尽快办理。"
    enqueue(
        owner.id,
        topic="urge",
        title="催办",
        body=body + (f"说明：{comment}" if comment else ""),
        payload={"application_id": application.id, "action": "urge", "state": application.state},
        dedupe_key=f"office:{application.id}:{seq}:{owner.id}",
    )
    commit()
    return application


def set_assignment(user: User | None, region_code: str, mode: str) -> RegionAssignment:
    """Choose how a region's accepted cases get their owner (admin, console or CLI)."""
    if mode not in ASSIGNMENT_MODES:
        raise field_error("mode", "分配方式须为 manual（手工）或 least_loaded（自动均衡）")
    if not is_region_code(region_code) or (
        user is not None and not access.in_region(user, region_code)
    ):
        raise field_error("region", "行政区划代码不正确或不在您的辖区内", "REGION_INVALID")
    row = db.session.get(RegionAssignment, region_code)
    if row is None:
        row = RegionAssignment(region_code=region_code)
        db.session.add(row)
    row.mode = mode
    row.updated_by = user.id if user else None
    commit()
    return row


def list_assignment_modes(user: User) -> list[RegionAssignment]:
    """The settings of the caller's jurisdiction, by region code."""
    rows = db.session.scalars(select(RegionAssignment).order_by(RegionAssignment.region_code))
    return [r for r in rows if access.in_region(user, r.region_code)]
