"""Building a staff member's work queue.

The queue is paged and ordered in SQL from the columns ``queue_index`` keeps on the case row
(who acts, the due date, the first overdue day). An agent (帮办代办) acts in the applicant's
place on the cases of consenting enterprises, which no row marker can say; their queue is
still worked out case by case (``_queue_in_python``).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, func, or_, select

from app import timekeeping
from app.domain import access, agency, assignment, clock, queue_index
from app.extensions import db
from app.models import Application, User
from app.services.applications import available_actions
from permits.identifiers import region_prefix
from workflows.definitions import WORKFLOWS


def _states_for_roles(roles: set[str]) -> set[str]:
    states: set[str] = set()
    for workflow in WORKFLOWS.values():
        for transition in workflow.transitions:
            if transition.roles & roles:
                states |= set(transition.sources)
    return states


def _actionable(
    user: User, *, state: str | None, permit_type: str | None = None, region: str | None = None
) -> list[tuple[Application, clock.Deadline | None]]:
    """Cases in ``user``'s region (optionally narrowed) on which they have an action now."""
    states = _states_for_roles(set(user.roles))
    if state:
        states &= {state}
    if not states:
        return []
    query = access.scope_applications(
        access.with_case_details(select(Application).where(Application.state.in_(states))), user
    )
    if permit_type:
        query = query.where(Application.permit_type == permit_type)
    if region:
        query = query.where(Application.region_code.startswith(region_prefix(region)))
    return [
        (application, clock.deadline(application))
        for application in db.session.scalars(query)
        if available_actions(user, application)
    ]


def _uses_row_marker(user: User) -> bool:
    """An agent acts as the applicant on consenting enterprises' cases: worked out per case."""
    return agency.AGENT not in user.roles


# Who sees every case of the region by default, not only those the assignee rule lets them act on.
OVERSEERS = frozenset({assignment.CHIEF, "admin"})


def _owned_by(user: User) -> ColumnElement[bool]:
    """Cases ``user`` owns or owns today as the deputy of an absent colleague."""
    return Application.assignee_id.in_([user.id, *assignment.principals(user)])


def assignee_filter(user: User, assignee: str | None) -> ColumnElement[bool] | None:
    """``?assignee=``: ``me`` (the caller's cases and those of whom they deputise for today),
    ``none`` (unassigned), ``all`` or a staff member's id."""
    if not assignee or assignee == "all":
        return None
    if assignee == "none":
        return Application.assignee_id.is_(None)
    if assignee == "me":
        return _owned_by(user)
    return Application.assignee_id == int(assignee)


def _reviewers_own(user: User, roles: list[str]) -> ColumnElement[bool] | None:
    """A reviewer's default queue: the reviewer's steps only on cases they own, deputise for
    or nobody owns (the assignee rule refuses them the rest); the other roles' cases and a
    joint review's unit opinions are unaffected. Chiefs and admins see every case."""
    if assignment.REVIEWER not in user.roles or OVERSEERS & set(user.roles):
        return None
    others = [queue_index.token(role) for role in roles if role != assignment.REVIEWER]
    if user.region_code:  # a unit's own action (a joint review's opinion)
        others += [queue_index.token(role, user.region_code) for role in roles]
    return or_(
        Application.assignee_id.is_(None),
        _owned_by(user),
        *(Application.queue_roles.contains(t, autoescape=True) for t in others),
    )


def _queue_query(
    user: User,
    columns: list[Any],
    *,
    state: str | None,
    permit_type: str | None,
    region: str | None,
    assignee: str | None = None,
) -> Select | None:
    """The caller's actionable cases in SQL, from the columns ``queue_index`` keeps; a chief
    (科室负责人) oversees every case of the region some staff member acts on. Without
    ``assignee`` a reviewer sees what the assignee rule lets them act on (``_reviewers_own``)."""
    roles = [role for role in queue_index.staff_roles() if role in user.roles]
    chief = assignment.CHIEF in user.roles
    if not roles and not chief:
        return None
    tokens = [queue_index.token(role) for role in roles]
    if user.region_code:
        tokens += [queue_index.token(role, user.region_code) for role in roles]
    acting = (
        []
        if chief
        else [or_(*(Application.queue_roles.contains(t, autoescape=True) for t in tokens))]
    )
    query = access.scope_applications(
        select(*columns).where(Application.queue_roles.is_not(None), *acting), user
    )
    if state:
        query = query.where(Application.state == state)
    if permit_type:
        query = query.where(Application.permit_type == permit_type)
    if region:
        query = query.where(Application.region_code.startswith(access.region_prefix(region)))
    owned = assignee_filter(user, assignee) if assignee else _reviewers_own(user, roles)
    return query if owned is None else query.where(owned)


def _overdue() -> ColumnElement[bool]:
    """Overdue (``clock.deadline``): the reference day reached the first overdue day."""
    reference = func.coalesce(Application.clock_paused_on, timekeeping.today())
    return reference >= Application.queue_overdue_on


def queue(
    user: User,
    *,
    state: str | None,
    overdue_only: bool,
    page: int,
    page_size: int,
    permit_type: str | None = None,
    region: str | None = None,
    assignee: str | None = None,
) -> tuple[list[Application], int]:
    """Cases in ``user``'s region on which they have an action now, by deadline."""
    if not _uses_row_marker(user):
        return _queue_in_python(
            user,
            state=state,
            overdue_only=overdue_only,
            page=page,
            page_size=page_size,
            permit_type=permit_type,
            region=region,
        )
    columns = [Application.id, func.count().over().label("total")]
    ids = _queue_query(
        user, columns, state=state, permit_type=permit_type, region=region, assignee=assignee
    )
    if ids is None:
        return [], 0
    if overdue_only:
        ids = ids.where(_overdue())
    by_deadline = (Application.queue_due.is_(None), Application.queue_due, Application.id)
    page_ids = ids.order_by(*by_deadline).offset((page - 1) * page_size).limit(page_size)
    listed = page_ids.subquery()
    rows = db.session.execute(
        access.with_case_details(
            select(Application, listed.c.total).join(listed, listed.c.id == Application.id)
        ).order_by(*by_deadline)
    ).all()
    if not rows:  # past the last page: the count alone
        counted = ids.with_only_columns(func.count(), maintain_column_froms=True)
        return [], int(db.session.scalar(counted) or 0)
    return [row[0] for row in rows], int(rows[0][1])


def _queue_in_python(
    user: User,
    *,
    state: str | None,
    overdue_only: bool,
    page: int,
    page_size: int,
    permit_type: str | None,
    region: str | None,
) -> tuple[list[Application], int]:
    actionable = [
        (deadline.due if deadline else date.max, application.id, application)
        for application, deadline in _actionable(
            user, state=state, permit_type=permit_type, region=region
        )
        if not overdue_only or (deadline and deadline.overdue)
    ]
    actionable.sort(key=lambda item: (item[0], item[1]))
    start = (page - 1) * page_size
    return [item[2] for item in actionable[start : start + page_size]], len(actionable)


def queue_counts(user: User) -> dict[str, int]:
    """How many cases of ``user``'s queue wait in each state."""
    if _uses_row_marker(user):
        query = _queue_query(
            user, [Application.state, func.count()], state=None, permit_type=None, region=None
        )
        if query is None:
            return {}
        return {state: int(n) for state, n in db.session.execute(query.group_by(Application.state))}
    counts: dict[str, int] = {}
    for application, _ in _actionable(user, state=None):
        counts[application.state] = counts.get(application.state, 0) + 1
    return counts
