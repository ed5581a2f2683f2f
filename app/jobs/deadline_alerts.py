"""The daily deadline warnings (预警) and the escalation of overdue cases (督办).

A case whose running limit has ``DEADLINE_WARNING_DAYS`` working days or fewer left warns
its assignee and the region's chiefs; an overdue case is escalated to the region's chiefs
(and its assignee is told). Each goes out once per case, level and limit: the outbox's
dedupe key makes a second run of the same day, or of any later day, send nothing new.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from flask import current_app
from sqlalchemy import select

from app.domain import assignment, clock
from app.domain.outbox import enqueue
from app.extensions import db
from app.models import Application, User
from permits.identifiers import region_covers

# Working days left are counted by the calendar; a window of calendar days wide enough for
# any holiday run keeps the scan to cases near their due date.
CALENDAR_WINDOW_DAYS = 21
LEVELS = {
    "warning": (
        "办理期限预警",
        "案件{number}距法定期限仅剩{left}个工作日（{due}届满），请抓紧办理。",
    ),
    "overdue": ("超期督办", "案件{number}已超过法定期限（{due}届满），请立即督办。"),
}


@dataclass
class AlertSummary:
    warned: int = 0
    escalated: int = 0


def _chiefs() -> list[User]:
    return [
        user
        for user in db.session.scalars(
            select(User).where(User.kind == "staff", User.active.is_(True)).order_by(User.id)
        )
        if assignment.CHIEF in user.roles
    ]


def _recipients(application: Application, level: str, chiefs: list[User]) -> list[User]:
    found = [c for c in chiefs if region_covers(c.region_code or "", application.region_code)]
    owner = application.assignee
    if owner is not None and owner.active and owner not in found:
        found.insert(0, owner)
    return found


def scan(today: date) -> AlertSummary:
    """Warn and escalate for ``today``; idempotent for any number of runs."""
    summary = AlertSummary()
    warning_days = int(current_app.config.get("DEADLINE_WARNING_DAYS", 2))
    chiefs = _chiefs()
    candidates = db.session.scalars(
        select(Application)
        .where(
            Application.clock_due.is_not(None),
            Application.clock_due <= today + timedelta(days=CALENDAR_WINDOW_DAYS),
            Application.clock_paused_on.is_(None),
        )
        .order_by(Application.id)
    ).all()
    for application in candidates:
        deadline = clock.deadline(application, today)
        if deadline is None or deadline.paused or not assignment.is_open(application):
            continue
        if deadline.overdue:
            level = "overdue"
        elif deadline.working_days_left <= warning_days:
            level = "warning"
        else:
            continue
        title, body = LEVELS[level]
        text = body.format(
            number=application.number,
            left=deadline.working_days_left,
            due=f"{deadline.due:%Y年%m月%d日}",
        )
        for user in _recipients(application, level, chiefs):
            key = f"deadline:{application.id}:{level}:{deadline.kind}:{user.id}"
            message = enqueue(
                user.id,
                topic="deadline",
                title=title,
                body=text,
                payload={
                    "application_id": application.id,
                    "level": level,
                    "due": deadline.due.isoformat(),
                },
                dedupe_key=key,
            )
            if message is not None and message.id is None:
                if level == "overdue":
                    summary.escalated += 1
                else:
                    summary.warned += 1
                db.session.flush()
    db.session.commit()
    return summary
