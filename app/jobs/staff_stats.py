"""Each staff member's workload (``GET /stats/staff``), for a chief or an administrator.

Who worked on what comes from the timeline: a staff member "has" a case once they took a step
on it (accepted, reviewed, checked, decided, dispatched it…). Per active staff member of the
caller's region (and the regions under it) who holds a case-working role, for a period of
office-local dates:

- ``open_cases``: cases in their hands — not finished, taken a step on by them, and waiting
  now for one of their roles (the review queue's ``queue_roles``); a case no member of the
  awaited role has touched yet is nobody's;
- ``overdue``: of those, the ones whose running limit is past (the review queue's rule: the
  day the clock paused, else today, has reached the first overdue day);
- ``decided``: cases they took a step on that were decided (approved or denied) in the period;
- ``on_time_rate``: of those with a statutory due date, the share decided on or before it;
- ``steps`` and ``avg_working_days_per_step``: their steps in the period, and the mean
  working days from the case's previous timeline entry to each step (how long a case waited
  for them), one decimal.

Three statements whatever the number of staff and cases: the staff, the steps grouped by
(member, previous day, day), the cases aggregated per member.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import aliased

from app import timekeeping
from app.domain.working_day_sums import local_day, span_sum
from app.extensions import db
from app.jobs.stats import Period, period_of
from app.models import Application, TimelineEntry, User
from permits.identifiers import region_prefix
from workflows.definitions.common import STATES

CASE_ROLES = frozenset({"clerk", "reviewer", "inspector", "chief", "approver", "dispatcher"})
UNFINISHED = tuple(s.name for s in STATES if not s.terminal and s.name != "draft")


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _staff(prefix: str) -> list[User]:
    members = db.session.scalars(
        select(User)
        .where(User.kind == "staff", User.active.is_(True), User.region_code.startswith(prefix))
        .order_by(User.id)
    )
    return [member for member in members if CASE_ROLES & set(member.roles or ())]


def _step_spans(ids: list[int], period: Period) -> dict[int, tuple[int, int]]:
    """Per member: (steps in the period, Σ working days each step waited)."""
    previous = aliased(TimelineEntry)
    day, previous_day = local_day(TimelineEntry.at), local_day(previous.at)
    rows = db.session.execute(
        select(TimelineEntry.actor_id, previous_day, day, func.count())
        .join(
            previous,
            and_(
                previous.application_id == TimelineEntry.application_id,
                previous.seq == TimelineEntry.seq - 1,
            ),
            isouter=True,
        )
        .where(TimelineEntry.actor_id.in_(ids), period.holds(TimelineEntry.at))
        .group_by(TimelineEntry.actor_id, previous_day, day)
    ).all()
    by_member: dict[int, list[tuple[Any, Any, int]]] = defaultdict(list)
    for actor_id, start, end, count in rows:
        by_member[actor_id].append((start, end, int(count)))
    return {
        actor_id: (sum(count for _, _, count in pairs), span_sum(pairs))
        for actor_id, pairs in by_member.items()
    }


def _awaited_roles(marker: str | None) -> frozenset[str]:
    """The roles in a ``queue_roles`` marker (``|reviewer|approver@120100|``), units dropped."""
    return frozenset(token.split("@")[0] for token in (marker or "").split("|") if token)


def _case_figures(members: list[User], prefix: str, period: Period, today: date) -> dict[int, list]:
    """Per member: [open, overdue, decided in the period, with a due date, on time].

    One row per (member, queue marker): the markers are few whatever the number of cases,
    and which of them await the member depends on the member's roles."""
    ids = [member.id for member in members]
    roles = {member.id: set(member.roles) for member in members}
    handled = (
        select(TimelineEntry.actor_id, TimelineEntry.application_id)
        .where(TimelineEntry.actor_id.in_(ids))
        .distinct()
        .subquery()
    )
    unfinished = Application.state.in_(UNFINISHED)
    reference = func.coalesce(Application.clock_paused_on, today)
    decided = period.holds(Application.decided_at)
    with_due = and_(decided, Application.decision_due.is_not(None))
    on_time = and_(with_due, local_day(Application.decided_at) <= Application.decision_due)

    def count(condition: Any) -> Any:
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    rows = db.session.execute(
        select(
            handled.c.actor_id,
            Application.queue_roles,
            count(unfinished),
            count(and_(unfinished, Application.queue_overdue_on <= reference)),
            count(decided),
            count(with_due),
            count(on_time),
        )
        .join(Application, Application.id == handled.c.application_id)
        .where(Application.region_code.startswith(prefix))
        .group_by(handled.c.actor_id, Application.queue_roles)
    ).all()
    figures: dict[int, list] = {}
    for actor_id, marker, open_cases, overdue, decided_count, due_count, in_time in rows:
        totals = figures.setdefault(actor_id, [0, 0, 0, 0, 0])
        if _awaited_roles(marker) & roles[actor_id]:
            totals[0] += int(open_cases)
            totals[1] += int(overdue)
        totals[2] += int(decided_count)
        totals[3] += int(due_count)
        totals[4] += int(in_time)
    return figures


@dataclass(frozen=True)
class MemberFigures:
    """One staff member's workload in the period."""

    id: int
    name: str | None
    roles: list[str]
    region_code: str | None
    open_cases: int
    overdue: int
    decided: int
    on_time_rate: float | None
    steps: int
    avg_working_days_per_step: float | None


@dataclass(frozen=True)
class Workload:
    """Every staff member's figures for the period ``first`` to ``last``."""

    first: date
    last: date
    items: list[MemberFigures]


def staff_figures(region_code: str, first: date | None, last: date | None) -> Workload:
    """The workload of every staff member of ``region_code``'s jurisdiction in the period."""
    period = period_of(first, last)
    prefix = region_prefix(region_code)
    members = _staff(prefix)
    ids = [member.id for member in members]
    spans = _step_spans(ids, period) if ids else {}
    cases = _case_figures(members, prefix, period, timekeeping.today()) if ids else {}
    items = []
    for member in members:
        steps, waited = spans.get(member.id, (0, 0))
        open_cases, overdue, decided, with_due, on_time = cases.get(member.id, [0, 0, 0, 0, 0])
        items.append(
            MemberFigures(
                id=member.id,
                name=member.display_name or member.username,
                roles=sorted(CASE_ROLES & set(member.roles)),
                region_code=member.region_code,
                open_cases=open_cases,
                overdue=overdue,
                decided=decided,
                on_time_rate=_rate(on_time, with_due),
                steps=steps,
                avg_working_days_per_step=round(waited / steps, 1) if steps else None,
            )
        )
    return Workload(period.first, period.last, items)
