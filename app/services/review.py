"""Building a staff member's work queue."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from app.domain import access, clock
from app.extensions import db
from app.models import Application, User
from app.services.applications import available_actions
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
        query = query.where(Application.region_code.startswith(access.region_prefix(region)))
    return [
        (application, clock.deadline(application))
        for application in db.session.scalars(query)
        if available_actions(user, application)
    ]


def queue(
    user: User,
    *,
    state: str | None,
    overdue_only: bool,
    page: int,
    page_size: int,
    permit_type: str | None = None,
    region: str | None = None,
) -> tuple[list[Application], int]:
    """Cases in ``user``'s region on which they have an action now, by deadline."""
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
    counts: dict[str, int] = {}
    for application, _ in _actionable(user, state=None):
        counts[application.state] = counts.get(application.state, 0) + 1
    return counts
