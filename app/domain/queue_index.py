"""What the review queue reads from the case row, kept current at every flush.

The queue pages and orders in SQL, so three columns of ``applications`` carry what was once
worked out per case in Python:

- ``queue_roles``: the staff roles with an action on the case now, as ``|clerk|reviewer|``.
  An action only some members of a role may take carries their unit instead: a joint review
  awaiting the opinion of unit 120100 gives ``|reviewer@120100|``. NULL when no staff role
  acts, so the queue's partial index holds only the cases somebody has to work on.
- ``queue_due``: the running limit's due date (``clock.deadline``), NULL when none runs.
- ``queue_overdue_on``: the first day the case counts as overdue, the working day after
  ``queue_due``; a case is overdue when its reference day (the day its clock paused, else
  today) has reached it.

Whether a role may act depends on the case's kind and state and on a few fields of the row
(the Art. 42 extension, the recommendation…); the material guards only choose *which*
actions a role has, never leave it without one — tests/unit/test_queue_index.py holds the
workflows to that. So the marker is computed from the row alone.

``refresh`` is the one function that computes the columns; a ``before_flush`` hook calls it
for every new or changed case, so a state change, a clock start, pause, resume or extension,
the sweep's deemed actions and a direct write all leave the columns current. The calendar
recount (``clock.install_schedule``) marks every running case dirty so the hook sees it, since a
new holiday can move the day a case turns overdue without moving its due date.
"""

from __future__ import annotations

from functools import cache, lru_cache

from sqlalchemy import event
from sqlalchemy.orm import Session

from app.domain import clock
from app.models import Application
from workflows.definitions import WORKFLOWS, get_workflow
from workflows.engine import Actor, CaseFacts

JOINT_REVIEW_KEY = "joint_review"  # where a joint review keeps its units and opinions
NON_STAFF_ROLES = frozenset({"applicant", "system"})
# Actions a role's members may take only on some cases: the action → the unit it needs.
UNIT_ACTIONS = frozenset({"give_opinion"})  # 联合审查: the units still owing an opinion


@cache
def staff_roles() -> tuple[str, ...]:
    roles: set[str] = set()
    for workflow in WORKFLOWS.values():
        for transition in workflow.transitions:
            roles |= transition.roles
    return tuple(sorted(roles - NON_STAFF_ROLES))


@cache
def acting_states() -> frozenset[str]:
    """States in which some staff role has a transition: the only ones ``marker`` can mark."""
    return frozenset(
        state
        for workflow in WORKFLOWS.values()
        for transition in workflow.transitions
        if transition.roles - NON_STAFF_ROLES
        for state in transition.sources
    )


RowFacts = tuple[str, str | None, bool, str | None, bool, bool]


def row_facts(application: Application) -> RowFacts:
    """The case facts the row alone gives (no materials), as a key: state, inspection
    result, direct extension, recommendation, supplement requested, deadline extended."""
    return (
        application.state,
        application.inspection_result,
        bool(application.direct_extension),
        application.recommendation,
        application.supplement_request is not None,
        application.deadline_extended_days is not None,
    )


def token(role: str, unit: str | None = None) -> str:
    """How ``role`` (of ``unit``, for a unit's action) stands in ``queue_roles``."""
    return f"|{role}@{unit}|" if unit else f"|{role}|"


def marker(application: Application) -> str | None:
    """``queue_roles`` of the case: who among the staff has an action on it now."""
    if not application.state or application.kind not in WORKFLOWS:
        return None
    names: list[str] = []
    for role, units_only in _acting_roles(application.kind, row_facts(application)):
        if units_only:
            names.extend(f"{role}@{unit}" for unit in _awaited_units(application))
        else:
            names.append(role)
    return f"|{'|'.join(names)}|" if names else None


@lru_cache(maxsize=1024)
def _acting_roles(kind: str, row: RowFacts) -> tuple[tuple[str, bool], ...]:
    """The staff roles with an action on a case of ``kind`` with the row's facts, each with
    whether its only actions are a unit's. The workflow's answer rests on nothing else, and
    every flush of a changed case asks (an upload bumps the version): worked out once."""
    workflow = get_workflow(kind)
    state, inspection_result, direct_extension, recommendation, supplement, extended = row
    facts = CaseFacts(
        state=state,
        inspection_result=inspection_result,
        direct_extension=direct_extension,
        recommendation=recommendation,
        supplement_requested=supplement,
        deadline_extended=extended,
    )
    acting = []
    for role in staff_roles():
        actions = set(workflow.available(facts, Actor(roles=frozenset({role}))))
        if actions:
            acting.append((role, not actions - UNIT_ACTIONS))
    return tuple(acting)


def _awaited_units(application: Application) -> list[str]:
    current = (application.modes or {}).get(JOINT_REVIEW_KEY) or {}
    answered = current.get("opinions") or {}
    return [unit for unit in current.get("units") or [] if unit not in answered]


def columns(application: Application) -> dict[str, object]:
    """The queue's columns as the case stands: the one place that computes them."""
    deadline = clock.deadline(application)
    due = deadline.due if deadline else None
    return {
        "queue_roles": marker(application),
        "queue_due": due,
        "queue_overdue_on": clock.calendar().add_working_days(due, 1) if due else None,
    }


def refresh(application: Application) -> None:
    """Set the queue's columns from the case; assigns only what changed."""
    for name, value in columns(application).items():
        if getattr(application, name) != value:
            setattr(application, name, value)


def _refresh_changed_cases(session: Session, flush_context, instances) -> None:
    with session.no_autoflush:
        for instance in (*session.new, *session.dirty):
            if isinstance(instance, Application):
                refresh(instance)


def register() -> None:
    """Keep the columns current in every session (idempotent)."""
    if not event.contains(Session, "before_flush", _refresh_changed_cases):
        event.listen(Session, "before_flush", _refresh_changed_cases)
