"""Building a staff member's work queue."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from app.extensions import db
from app.models import Application, User
from app.services import access, clock
from app.services.applications import available_actions
from workflows.definitions import WORKFLOWS


def _states_for_roles(roles: set[str]) -> set[str]:
    states: set[str] = set()
    for workflow in WORKFLOWS.values():
        for transition in workflow.transitions:
            if transition.roles & roles:
                states |= set(transition.sources)
    return states


def queue(
    user: User, *, state: str | None, overdue_only: bool, page: int, page_size: int
) -> tuple[list[Application], int]:
    """Cases in ``user``'s region on which they have an action now, by deadline."""
    states = _states_for_roles(set(user.roles))
    if state:
        states &= {state}
    if not states:
        return [], 0
    query = access.scope_applications(
        select(Application).where(Application.state.in_(states)), user
    )
    actionable = []
    for application in db.session.scalars(query):
        if not available_actions(user, application):
            continue
        deadline = clock.deadline(application)
        if overdue_only and not (deadline and deadline.overdue):
            continue
        actionable.append((deadline.due if deadline else date.max, application.id, application))
    actionable.sort(key=lambda item: (item[0], item[1]))
    start = (page - 1) * page_size
    return [item[2] for item in actionable[start : start + page_size]], len(actionable)
