"""The statutory clock of a case, counted in Chinese working days (《行政许可法》Art. 82).

One limit runs at a time: acceptance (Art. 32, 5 working days from receipt), decision
(Art. 42 or the permit type's own rule, from acceptance) and delivery (Art. 44, 10 days
from the decision). Expert review and testing pause it (Art. 45): on resume the due date
moves by the working days spent paused.

The calendar is built once per schedule folder (``HOLIDAY_SCHEDULE_DIR``). Loading a new
year's schedule (``install_schedule``) rebuilds it and moves the due dates of running cases
to what the loaded schedule gives, each move recorded in the case's timeline.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

from flask import current_app, has_app_context
from sqlalchemy import select
from sqlalchemy.orm.attributes import flag_dirty

from app import timekeeping
from app.domain import timeline
from app.domain.transaction import commit
from app.errors import ValidationFailed
from app.extensions import db
from app.files import write_atomically
from app.models import Application
from permits.working_days import (
    DEFAULT_SCHEDULE_DIR,
    WorkingCalendar,
    load_schedule,
    validate_schedule_file,
)


def schedule_dir() -> Path:
    configured = current_app.config.get("HOLIDAY_SCHEDULE_DIR") if has_app_context() else None
    return Path(configured) if configured else DEFAULT_SCHEDULE_DIR


def calendar() -> WorkingCalendar:
    return _calendar(schedule_dir())


@cache
def _calendar(directory: Path) -> WorkingCalendar:
    return WorkingCalendar(directory)


@dataclass(frozen=True)
class Deadline:
    kind: str
    due: date
    working_days_left: int
    paused: bool
    overdue: bool

    def as_dict(self) -> dict:
        return {
            "kind": self.kind,
            "due": self.due.isoformat(),
            "working_days_left": self.working_days_left,
            "paused": self.paused,
            "overdue": self.overdue,
        }


def start(application: Application, kind: str, limit_days: int, on: date | None = None) -> None:
    """Start the ``kind`` limit today, or ``on`` an earlier day (deemed acceptance)."""
    first = on or timekeeping.today()
    application.clock_kind = kind
    application.clock_started_on = first
    application.clock_due = calendar().add_working_days(first, limit_days)
    application.clock_paused_on = None


def pause(application: Application) -> None:
    if application.clock_kind and application.clock_paused_on is None:
        application.clock_paused_on = timekeeping.today()


def resume(application: Application) -> None:
    if application.clock_paused_on is None or application.clock_due is None:
        return
    spent = calendar().working_days_between(application.clock_paused_on, timekeeping.today())
    application.clock_due = calendar().add_working_days(application.clock_due, spent)
    application.clock_paused_on = None


def extend(application: Application, days: int) -> None:
    """Art. 42: the decision limit runs ``days`` more working days, once per case."""
    if application.clock_kind == "decision" and application.clock_due is not None:
        application.clock_due = calendar().add_working_days(application.clock_due, days)
        application.decision_due = application.clock_due
    application.deadline_extended_days = days


def stop(application: Application) -> None:
    application.clock_kind = None
    application.clock_started_on = None
    application.clock_due = None
    application.clock_paused_on = None


def deadline(application: Application, today: date | None = None) -> Deadline | None:
    """Where the running limit stands today, or None when no limit runs."""
    if not application.clock_kind or application.clock_due is None:
        return None
    today = today or timekeeping.today()
    reference = application.clock_paused_on or today
    due = application.clock_due
    if reference <= due:
        left = calendar().working_days_between(reference, due)
    else:
        left = -calendar().working_days_between(due, reference)
    return Deadline(
        kind=application.clock_kind,
        due=due,
        working_days_left=left,
        paused=application.clock_paused_on is not None,
        overdue=left < 0,
    )


@dataclass(frozen=True)
class Recomputed:
    application_number: str
    old_due: date
    new_due: date


def install_schedule(path: Path, directory: Path | None = None) -> tuple[int, list[Recomputed]]:
    """Add the year's announced schedule and move running limits to what it gives.

    A limit keeps its number of working days (pauses already added in); only the days that
    count change, so each running case's due date is recounted from its start with the new
    calendar. Every moved case gets a timeline entry; one commit for all.
    """
    problems = validate_schedule_file(path)
    if problems:
        message = "；".join(problems)
        raise ValidationFailed(message, code="SCHEDULE_INVALID", errors={"file": problems})
    schedule = load_schedule(path)
    directory = directory or schedule_dir()
    before = _calendar(directory)
    write_atomically(directory / f"{schedule.year}.yaml", path.read_bytes())
    _calendar.cache_clear()
    after = _calendar(directory)
    moved = []
    for application in _running_cases():
        change = _recount(application, before, after, schedule.source)
        if change is not None:
            moved.append(change)
        # The first overdue day may move without the due date: the flush hooks that keep the
        # review queue's columns (app.domain.queue_index) must see every running case.
        flag_dirty(application)
    commit()
    return schedule.year, moved


def _running_cases() -> list[Application]:
    query = (
        select(Application)
        .where(Application.clock_kind.is_not(None), Application.clock_due.is_not(None))
        .order_by(Application.id)
        .with_for_update(of=Application)
    )
    return list(db.session.scalars(query))


def _recount(
    application: Application, before: WorkingCalendar, after: WorkingCalendar, source: str
) -> Recomputed | None:
    old_due = application.clock_due
    if old_due is None:  # not selected: only running clocks are recounted
        return None
    started = application.clock_started_on or old_due
    new_due = after.add_working_days(started, before.working_days_between(started, old_due))
    if new_due == old_due:
        return None
    application.clock_due = new_due
    if application.clock_kind == "decision":
        application.decision_due = new_due
    timeline.append(
        application,
        user=None,
        role="system",
        action="recompute_deadline",
        from_state=application.state,
        to_state=application.state,
        comment=f"依{source}重新计算法定期限：{old_due:%Y年%m月%d日}改为{new_due:%Y年%m月%d日}",
        data={"old_due": old_due.isoformat(), "new_due": new_due.isoformat()},
    )
    application.touch()
    return Recomputed(application.number, old_due, new_due)
