"""The statutory clock of a case, counted in Chinese working days (《行政许可法》Art. 82).

One limit runs at a time: acceptance (Art. 32, 5 working days from receipt), decision
(Art. 42 or the permit type's own rule, from acceptance) and delivery (Art. 44, 10 days
from the decision). Expert review and testing pause it (Art. 45): on resume the due date
moves by the working days spent paused.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache

from app.models import Application
from app.services import timekeeping
from permits.working_days import WorkingCalendar

DELIVERY_LIMIT_DAYS = 10  # Art. 44


@cache
def calendar() -> WorkingCalendar:
    return WorkingCalendar()


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


def start(application: Application, kind: str, limit_days: int) -> None:
    today = timekeeping.today()
    application.clock_kind = kind
    application.clock_started_on = today
    application.clock_due = calendar().add_working_days(today, limit_days)
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
