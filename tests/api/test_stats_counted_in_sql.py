"""Decision figures counted in the database use the office's dates, as the clock does."""

from __future__ import annotations

from datetime import date, datetime

from app.extensions import db
from app.jobs import stats
from app.timekeeping import OFFICE_TZ


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=OFFICE_TZ)


def test_spans_and_on_time_decisions_follow_office_dates_not_utc_dates(make):
    clerk = make.staff("clerk")
    firm = make.enterprise(make.applicant())
    cases = (
        # accepted late on 29 Sep, decided just after midnight on 9 Oct (8 Oct in UTC), due 9 Oct:
        # on time; working days 30 Sep, 8 Oct, 9 Oct.
        ("2026-09-29T23:30", "2026-10-09T00:30", date(2026, 10, 9)),
        # decided ten minutes into 12 Oct (11 Oct in UTC), due 11 Oct: late; working days
        # 10 Oct (the make-up Saturday) and 12 Oct.
        ("2026-10-09T10:00", "2026-10-12T00:10", date(2026, 10, 11)),
        # decided before it was accepted (a data fix): counted, with no working days.
        ("2026-10-12T09:00", "2026-10-09T09:00", date(2026, 10, 20)),
        # never accepted and no due date: decided, outside both rates.
        (None, "2026-10-15T09:00", None),
    )
    for accepted, decided, due in cases:
        case = make.case_in_state(firm, "approved", clerk)
        case.accepted_at = local(accepted) if accepted else None
        case.decided_at = local(decided)
        case.decision_due = due
    make.case_in_state(firm, "approved", clerk).decided_at = local("2026-11-01T00:05")
    db.session.commit()

    figures = stats.decisions("12", stats.Period(date(2026, 10, 1), date(2026, 10, 31)))

    assert figures.decided == 4
    assert figures.on_time_rate == round(2 / 3, 4)
    assert figures.avg_working_days == round((3 + 2 + 0) / 3, 1)
