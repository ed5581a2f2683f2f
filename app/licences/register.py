"""The office's view of its licence register: a licence's history (renewals, changes,
revocation) and the expiring-licence report with renewal and reminder status."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from app.extensions import db
from app.licences import access as licence_access
from app.models import Application, Licence, Reminder, User
from workflows.definitions import get_workflow

REPORT_LIMIT = 1000


def licence_history(licence: Licence) -> list[Licence]:
    """The licence's line, oldest first: what it superseded and what superseded it."""
    line = [licence]
    earlier = licence
    while earlier.supersedes_id is not None:
        found = db.session.get(Licence, earlier.supersedes_id)
        if found is None or found in line:
            break
        earlier = found
        line.insert(0, earlier)
    later = licence
    while True:
        successor = db.session.scalars(
            select(Licence).where(Licence.supersedes_id == later.id).order_by(Licence.id)
        ).first()
        if successor is None or successor in line:
            break
        line.append(successor)
        later = successor
    return line


def amendments(licence: Licence) -> list[Application]:
    """Renewal and change applications filed against the licence, newest first."""
    return list(
        db.session.scalars(
            select(Application)
            .where(Application.licence_id == licence.id)
            .order_by(Application.id.desc())
        )
    )


@dataclass(frozen=True)
class ExpiringRow:
    licence: Licence
    renewal: Application | None
    reminders_sent: list[int]


def _is_open(application: Application) -> bool:
    return not get_workflow(application.kind).is_terminal(application.state)


def expiring_report(user: User, within_days: int) -> list[ExpiringRow]:
    """The region's live licences ending within ``within_days``, soonest first, each with its
    open renewal (if any) and the reminder thresholds already sent."""
    licences, _ = licence_access.list_licences(
        user,
        enterprise_id=None,
        status=None,
        expiring_within_days=within_days,
        page=1,
        page_size=REPORT_LIMIT,
    )
    ids = [licence.id for licence in licences]
    renewals: dict[int, Application] = {}
    for application in db.session.scalars(
        select(Application).where(Application.licence_id.in_(ids), Application.kind == "renewal")
    ):
        if _is_open(application) and application.licence_id is not None:
            renewals[application.licence_id] = application
    sent: dict[int, list[int]] = {}
    for reminder in db.session.scalars(
        select(Reminder).where(Reminder.licence_id.in_(ids), Reminder.status == "sent")
    ):
        sent.setdefault(reminder.licence_id, []).append(reminder.threshold_days)
    return [
        ExpiringRow(
            licence, renewals.get(licence.id), sorted(sent.get(licence.id, []), reverse=True)
        )
        for licence in licences
    ]
