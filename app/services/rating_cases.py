"""差评整改: following up every bad rating, as GB/T 39734 and 国办发〔2019〕51号 require.

A rating of 1 or 2 opens a rectification case with two due dates in working days from the
rating day: the call back (回访, ``RATING_CONTACT_DAYS``) and the rectification or explanation
(``RATING_RECTIFY_DAYS``). The region's section chief takes ``contact``, ``rectify``,
``explain`` and ``appeal`` (the office disputes a malicious rating); an administrator
decides an appeal. The applicant is told the outcome in the inbox and may then rate once
more; an appeal upheld takes the rating out of the satisfaction rate.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask import current_app
from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy import case as sql_case
from sqlalchemy.orm import joinedload

from app import timekeeping
from app.domain import access, clock
from app.domain.outbox import enqueue
from app.domain.transaction import commit
from app.errors import Conflict, Forbidden, NotFound, field_error
from app.extensions import db
from app.models import (
    CLOSED_STATUSES,
    RATING_CASE_STATUSES,
    Application,
    Rating,
    RatingCase,
    User,
)
from app.models.rating_case import STATUS_LABELS
from permits.identifiers import region_covers, region_prefix

CHIEF, ADMIN = "chief", "admin"
# The statuses an overdue case can be in: the office still owes the call or the outcome.
OWED_STATUSES = ("open", "contacted")


@dataclass(frozen=True)
class Step:
    """One action: the statuses it starts from, who takes it, where it leads."""

    label: str
    sources: tuple[str, ...]
    role: str
    target: str  # "" for reject_appeal: back to where the case stood before the appeal
    comment_required: bool


STEPS = {  # one per RATING_CASE_ACTIONS, which the API takes
    "contact": Step("回访", ("open",), CHIEF, "contacted", False),
    "rectify": Step("整改", ("contacted",), CHIEF, "rectified", True),
    "explain": Step("说明", ("contacted",), CHIEF, "explained", True),
    "appeal": Step("申诉", ("open", "contacted"), CHIEF, "appealed", True),
    "uphold_appeal": Step("申诉成立", ("appealed",), ADMIN, "appeal_upheld", False),
    "reject_appeal": Step("驳回申诉", ("appealed",), ADMIN, "", True),
}
OUTCOMES = {
    "rectified": "已整改",
    "explained": "已作出说明",
}


def open_for(rating: Rating, region_code: str) -> RatingCase:
    """A rectification case for a bad rating, due in working days from the rating day."""
    calendar = clock.calendar()
    rated_on = timekeeping.today()
    case = RatingCase(
        rating_id=rating.id,
        application_id=rating.application_id,
        region_code=region_code,
        score=rating.score,
        status="open",
        contact_due=calendar.add_working_days(rated_on, current_app.config["RATING_CONTACT_DAYS"]),
        rectify_due=calendar.add_working_days(rated_on, current_app.config["RATING_RECTIFY_DAYS"]),
        history=[],
        created_at=timekeeping.now(),
    )
    db.session.add(case)
    return case


def _check_staff(user: User) -> None:
    if not user.is_staff or not {CHIEF, ADMIN} & set(user.roles):
        raise Forbidden("只有科室负责人或管理员可以处理差评整改", code="RATING_CASE_FORBIDDEN")


def _scoped(query: Select, user: User) -> Select:
    prefix = region_prefix(access.staff_region(user))
    return query.where(RatingCase.region_code.startswith(prefix))


def list_cases(user: User, status: str | None) -> list[RatingCase]:
    """The region's rectification cases, the most urgent first."""
    _check_staff(user)
    query = _scoped(select(RatingCase), user).options(
        joinedload(RatingCase.rating), joinedload(RatingCase.application)
    )
    if status is not None:
        if status not in RATING_CASE_STATUSES:
            message = f"状态须为以下之一：{'、'.join(RATING_CASE_STATUSES)}"
            raise field_error("status", message, "RATING_CASE_STATUS_UNKNOWN")
        query = query.where(RatingCase.status == status)
    return list(db.session.scalars(query.order_by(RatingCase.rectify_due, RatingCase.id)))


def get_case(user: User, case_id: int, *, lock: bool = False) -> RatingCase:
    _check_staff(user)
    query = _scoped(select(RatingCase).where(RatingCase.id == case_id), user)
    if lock:
        query = query.with_for_update(of=RatingCase)
    case = db.session.scalars(query).first()
    if case is None:
        raise NotFound("差评整改事项不存在", code="RATING_CASE_NOT_FOUND")
    return case


def take_action(user: User, case_id: int, action: str, comment: str) -> RatingCase:
    """One step of the follow-up, by the role the step names, in one transaction."""
    step = STEPS.get(action)
    if step is None:
        raise field_error("action", f"没有“{action}”这项操作", "RATING_ACTION_UNKNOWN")
    case = get_case(user, case_id, lock=True)
    if step.role not in user.roles:
        role = "管理员" if step.role == ADMIN else "科室负责人"
        raise Forbidden(f"“{step.label}”须由{role}办理", code="RATING_CASE_FORBIDDEN")
    if case.status not in step.sources:
        raise Conflict(
            f"该差评整改事项当前为“{STATUS_LABELS[case.status]}”，不能{step.label}",
            code="RATING_CASE_STATE",
        )
    comment = comment.strip()
    if step.comment_required and not comment:
        raise field_error("comment", f"{step.label}须填写说明", "COMMENT_REQUIRED")
    now = timekeeping.now()
    target = step.target or ("contacted" if case.contacted_at is not None else "open")
    case.history = [
        *case.history,
        {
            "action": action,
            "from": case.status,
            "to": target,
            "by": user.display_name or user.username,
            "by_id": user.id,
            "at": timekeeping.local_iso(now),
            "comment": comment,
        },
    ]
    case.status = target
    if action == "contact":
        case.contacted_at = now
    if target in CLOSED_STATUSES:
        case.resolved_at = now
        case.resolution = comment
        _tell_the_applicant(case, target, comment)
    if target == "appeal_upheld":
        case.rating.excluded = True
    commit()
    return case


def _tell_the_applicant(case: RatingCase, outcome: str, comment: str) -> None:
    number = case.application.number
    if outcome == "appeal_upheld":
        title = "评价核实结果"
        body = f"经核实，您对申请{number}的评价不计入满意度统计。{comment}".strip()
    else:
        title = "差评整改结果"
        body = f"您对申请{number}的评价我们{OUTCOMES[outcome]}：{comment}。欢迎您重新评价一次。"
    enqueue(
        case.application.enterprise.manager_id,
        topic="rating_outcome",
        title=title,
        body=body,
        payload={"application_id": case.application_id, "rating_case_id": case.id},
        dedupe_key=f"rating-outcome:{case.id}",
    )


def may_rerate(rating: Rating) -> bool:
    """Once the office has answered a bad rating (rectified or explained), once."""
    if rating.rerated_at is not None:
        return False
    answered = select(RatingCase.id).where(
        RatingCase.rating_id == rating.id, RatingCase.status.in_(("rectified", "explained"))
    )
    return db.session.scalars(answered.limit(1)).first() is not None


def overdue_level(case: RatingCase, today: date) -> str | None:
    """ "contact" when the call back is late, "rectify" when the outcome is; else None."""
    if case.status not in OWED_STATUSES:
        return None
    if case.rectify_due < today:
        return "rectify"
    if case.contacted_at is None and case.contact_due < today:
        return "contact"
    return None


@dataclass(frozen=True)
class ShownCase:
    """A case as ``user`` sees it on ``today``: the object ``RatingCaseSchema`` dumps, the
    case's columns and what depends on the viewer and the day."""

    case: RatingCase
    user: User
    today: date

    def __getattr__(self, name: str) -> Any:
        return getattr(self.case, name)

    @property
    def overdue(self) -> bool:
        return overdue_level(self.case, self.today) is not None

    @property
    def actions(self) -> list[str]:
        """The steps ``user`` may take now."""
        return [
            name
            for name, step in STEPS.items()
            if self.case.status in step.sources and step.role in self.user.roles
        ]


def shown(case: RatingCase, user: User) -> ShownCase:
    return ShownCase(case, user, timekeeping.today())


def _active_chiefs() -> list[User]:
    """Active section chiefs; few enough to filter their roles here on every backend."""
    staff = db.session.scalars(select(User).where(User.kind == "staff", User.active.is_(True)))
    return [member for member in staff if CHIEF in (member.roles or ())]


def warn_overdue(today: date) -> int:
    """Tell the region's chiefs of each late call back or rectification, once per case and
    level however often it runs; returns the messages written now."""
    owed = db.session.scalars(
        select(RatingCase)
        .where(RatingCase.status.in_(OWED_STATUSES), RatingCase.contact_due < today)
        .options(joinedload(RatingCase.application))
        .order_by(RatingCase.id)
    )
    chiefs = _active_chiefs()
    written = 0
    for case in owed:
        level = overdue_level(case, today)
        if level is None:
            continue
        what = "回访" if level == "contact" else "整改或说明"
        due = case.contact_due if level == "contact" else case.rectify_due
        for chief in chiefs:
            if not region_covers(chief.region_code or "", case.region_code):
                continue
            message = enqueue(
                chief.id,
                topic="rating_overdue",
                title="差评整改超期",
                body=f"申请{case.application.number}的差评{what}已超过期限（{due:%Y年%m月%d日}），"
                "请督促办理。",
                payload={"rating_case_id": case.id, "application_id": case.application_id},
                dedupe_key=f"rating-overdue:{case.id}:{level}:{chief.id}",
            )
            if message is not None and message.id is None:  # not already sent
                written += 1
                db.session.flush()
    commit()
    return written


def rating_figures(prefix: str, starts: datetime, ends: datetime, today: date) -> dict:
    """``/stats``' ``ratings`` block for ratings given in ``[starts, ends)``; a rating whose
    appeal was upheld counts nowhere (the office showed it malicious)."""
    by_score = dict(
        db.session.execute(
            select(Rating.score, func.count())
            .join(Application, Application.id == Rating.application_id)
            .where(
                Application.region_code.startswith(prefix),
                Rating.created_at >= starts,
                Rating.created_at < ends,
                Rating.excluded.is_(False),
            )
            .group_by(Rating.score)
        ).all()
    )

    def count(condition: Any) -> Any:
        return func.coalesce(func.sum(sql_case((condition, 1), else_=0)), 0)

    late_call = and_(RatingCase.contacted_at.is_(None), RatingCase.contact_due < today)
    row = db.session.execute(
        select(
            func.count(),
            count(RatingCase.contacted_at.is_not(None)),
            count(RatingCase.status.in_(("rectified", "explained"))),
            count(
                and_(
                    RatingCase.status.in_(OWED_STATUSES),
                    or_(RatingCase.rectify_due < today, late_call),
                )
            ),
        ).where(
            RatingCase.region_code.startswith(prefix),
            RatingCase.created_at >= starts,
            RatingCase.created_at < ends,
            RatingCase.status != "appeal_upheld",
        )
    ).one()
    bad, contacted, rectified, overdue = (int(value) for value in row)
    return {
        "by_score": {str(score): int(by_score.get(score, 0)) for score in range(5, 0, -1)},
        "bad": bad,
        "contacted_rate": round(contacted / bad, 4) if bad else None,
        "rectified_rate": round(rectified / bad, 4) if bad else None,
        "overdue": overdue,
    }
