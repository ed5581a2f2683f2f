"""The figures offices report (办结率, 按时办结率, 跑零次率, 满意率), per region and period.

A period is a range of office-local dates, both ends included. Figures, as the contract names
them:

- ``applications``: cases received (submitted) in the period, by their state now, every
  state listed; a case resubmitted after 补正 counts where its latest submission falls.
  Drafts never reached the office and are not counted.
- ``decided``: cases decided (approved or denied) in the period.
- ``on_time_rate``: of those with a statutory due date, the share decided on or before it.
- ``avg_working_days_to_decision``: acceptance to decision, in Chinese working days
  (《行政许可法》Art. 82), one decimal.
- ``zero_visit_rate`` (跑零次率): of cases completed in the period (licence delivered), the
  share whose licence reached the applicant by mail. Every step in Zerovisit is online and
  certificates are mailed; there is no in-person pick-up path yet, so this is 1.0 unless a
  completed case has no delivered shipment — the figure is ready for when one exists.
- ``satisfaction_rate``: ratings given in the period scoring 4 or 5, over all ratings, less
  those an upheld appeal showed malicious (差评申诉).
- ``licences``: live licences in the region today — active, expiring (inside the renewal
  window), expired.
- ``ratings`` (好差评, GB/T 39734): ratings given in the period by score, the bad ones
  (1–2) followed up, the share called back and rectified or explained, and those overdue
  (``services/rating_cases.py``); a rating whose appeal was upheld counts nowhere.
- ``requests``: the request desk (诉求响应): received in the period, handled (answered),
  handling rate, average working days to the first answer, and the same by topic.

A rate whose denominator is zero is ``None``: "no data" is not "0 %".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import and_, case, func, select

from app import timekeeping
from app.domain.working_day_sums import local_day, span_sum
from app.errors import field_error
from app.extensions import db
from app.models import Application, Licence, Rating, Shipment
from app.services.enterprise_requests import request_figures
from app.services.rating_cases import rating_figures
from app.timekeeping import OFFICE_TZ
from permits.catalogue import get_catalogue
from permits.identifiers import region_prefix
from workflows.definitions.common import STATES as WORKFLOW_STATES

STATES = tuple(state.name for state in WORKFLOW_STATES if state.name != "draft")
SATISFIED_SCORE = 4
DEFAULT_RENEWAL_WINDOW = 90


@dataclass(frozen=True)
class Period:
    first: date
    last: date

    @property
    def starts(self) -> datetime:
        return datetime.combine(self.first, time.min, tzinfo=OFFICE_TZ)

    @property
    def ends(self) -> datetime:
        """The first moment after the period."""
        return datetime.combine(self.last + timedelta(days=1), time.min, tzinfo=OFFICE_TZ)

    def holds(self, column: Any) -> Any:
        return and_(column >= self.starts, column < self.ends)


# Statistics cover the office's own records; outside these bounds date arithmetic overflows.
EARLIEST, LATEST = date(2000, 1, 1), date(2199, 12, 31)


def period_of(first: date | None, last: date | None) -> Period:
    """The requested period; by default from 1 January to today."""
    last = last or timekeeping.today()
    first = first or last.replace(month=1, day=1)
    if first > last:
        message = "开始日期不能晚于结束日期"
        raise field_error("from", message, "PERIOD_INVALID")
    for field, value in (("from", first), ("to", last)):
        if not EARLIEST <= value <= LATEST:
            message = f"日期须在{EARLIEST.year}年至{LATEST.year}年之间"
            raise field_error(field, message, "PERIOD_INVALID")
    return Period(first, last)


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _in_region(column: Any, prefix: str) -> Any:
    return column.startswith(prefix) if prefix else column.is_not(None)


def applications_by_state(prefix: str, period: Period) -> dict[str, int]:
    rows = db.session.execute(
        select(Application.state, func.count())
        .where(_in_region(Application.region_code, prefix), period.holds(Application.submitted_at))
        .group_by(Application.state)
    ).all()
    counts = dict.fromkeys(STATES, 0)
    counts.update({state: int(n) for state, n in rows})
    return counts


@dataclass(frozen=True)
class Decisions:
    decided: int
    on_time_rate: float | None
    avg_working_days: float | None


def decisions(prefix: str, period: Period) -> Decisions:
    """One grouped statement: a row per (acceptance date, decision date), whatever the volume."""
    accepted_on, decided_on = local_day(Application.accepted_at), local_day(Application.decided_at)
    on_time = decided_on <= Application.decision_due
    rows = db.session.execute(
        select(
            accepted_on,
            decided_on,
            func.count(),
            func.count(Application.decision_due),
            func.coalesce(func.sum(case((on_time, 1), else_=0)), 0),
        )
        .where(_in_region(Application.region_code, prefix), period.holds(Application.decided_at))
        .group_by(accepted_on, decided_on)
    ).all()
    decided = sum(int(row[2]) for row in rows)
    with_due = sum(int(row[3]) for row in rows)
    in_time = sum(int(row[4]) for row in rows)
    accepted = sum(int(row[2]) for row in rows if row[0] is not None)
    spans = span_sum((row[0], row[1], int(row[2])) for row in rows)
    average = round(spans / accepted, 1) if accepted else None
    return Decisions(decided, _rate(in_time, with_due), average)


def zero_visit_rate(prefix: str, period: Period) -> float | None:
    completed = (
        select(Application.id)
        .where(
            _in_region(Application.region_code, prefix),
            Application.state == "delivered",
            period.holds(Application.closed_at),
        )
        .subquery()
    )
    total = db.session.scalar(select(func.count()).select_from(completed)) or 0
    mailed = (
        db.session.scalar(
            select(func.count())
            .select_from(completed)
            .join(Shipment, Shipment.application_id == completed.c.id)
            .where(Shipment.status == "delivered")
        )
        or 0
    )
    return _rate(mailed, total)


def satisfaction_rate(prefix: str, period: Period) -> float | None:
    row = db.session.execute(
        select(
            func.count(),
            func.coalesce(func.sum(case((Rating.score >= SATISFIED_SCORE, 1), else_=0)), 0),
        )
        .join(Application, Application.id == Rating.application_id)
        .where(
            _in_region(Application.region_code, prefix),
            period.holds(Rating.created_at),
            Rating.excluded.is_(False),
        )
    ).one()
    return _rate(int(row[1]), int(row[0]))


def licence_counts(prefix: str, today: date | None = None) -> dict[str, int]:
    """Live licences of the region by derived status, counted in the database."""
    today = today or timekeeping.today()
    windows = {
        code: today + timedelta(days=permit_type.renewal_window_days)
        for code, permit_type in get_catalogue().items()
    }
    window_end = case(
        windows, value=Licence.permit_type, else_=today + timedelta(DEFAULT_RENEWAL_WINDOW)
    )

    def count_where(condition: Any) -> Any:
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    row = db.session.execute(
        select(
            count_where(Licence.valid_until > window_end),
            count_where(and_(Licence.valid_until >= today, Licence.valid_until <= window_end)),
            count_where(Licence.valid_until < today),
        ).where(_in_region(Licence.region_code, prefix), Licence.terminal_status.is_(None))
    ).one()
    return {"active": int(row[0]), "expiring": int(row[1]), "expired": int(row[2])}


@dataclass(frozen=True)
class OfficeFigures:
    """The contract's statistics of a region for a period (``StatsSchema`` dumps them)."""

    applications: dict[str, int]  # by state
    decided: int
    on_time_rate: float | None
    avg_working_days_to_decision: float | None
    zero_visit_rate: float | None
    satisfaction_rate: float | None
    licences: dict[str, int]  # active, expiring, expired
    requests: dict[str, Any]
    ratings: dict[str, Any]


def office_figures(prefix: str, period: Period) -> OfficeFigures:
    """The contract's statistics for the region starting with ``prefix`` ("" = everywhere)."""
    decided = decisions(prefix, period)
    ratings = rating_figures(prefix, period.starts, period.ends, timekeeping.today())
    scores = {int(score): count for score, count in ratings["by_score"].items()}
    satisfied = sum(count for score, count in scores.items() if score >= SATISFIED_SCORE)
    return OfficeFigures(
        applications=applications_by_state(prefix, period),
        decided=decided.decided,
        on_time_rate=decided.on_time_rate,
        avg_working_days_to_decision=decided.avg_working_days,
        zero_visit_rate=zero_visit_rate(prefix, period),
        satisfaction_rate=_rate(satisfied, sum(scores.values())),
        licences=licence_counts(prefix),
        requests=request_figures(prefix, period),
        ratings=ratings,
    )


def region_figures(region_code: str, first: date | None, last: date | None) -> OfficeFigures:
    """Statistics for a staff member's jurisdiction."""
    return office_figures(region_prefix(region_code), period_of(first, last))


def months_until(last: date, count: int) -> list[Period]:
    """The ``count`` calendar months ending with the one holding ``last``, oldest first."""
    periods = []
    year, month = last.year, last.month
    for _ in range(count):
        first = date(year, month, 1)
        following = date(year + month // 12, month % 12 + 1, 1)
        periods.append(Period(first, min(following - timedelta(days=1), last)))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return periods[::-1]


@dataclass(frozen=True)
class MonthFigures:
    label: str
    received: int
    decided: int
    on_time_rate: float | None
    satisfaction_rate: float | None


def monthly_figures(prefix: str, months: int, last: date | None = None) -> list[MonthFigures]:
    rows = []
    for period in months_until(last or timekeeping.today(), months):
        decided = decisions(prefix, period)
        rows.append(
            MonthFigures(
                label=f"{period.first.year}-{period.first.month:02d}",
                received=sum(applications_by_state(prefix, period).values()),
                decided=decided.decided,
                on_time_rate=decided.on_time_rate,
                satisfaction_rate=satisfaction_rate(prefix, period),
            )
        )
    return rows
