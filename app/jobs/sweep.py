"""The daily sweep: what the law decides when the office has not (《行政许可法》Art. 32, 50).

- A ``submitted`` case whose acceptance limit (5 working days) has passed is accepted by
  law from the day of receipt (``deemed_accept``).
- A renewal not decided before the old licence expires is approved by law
  (``deemed_approve``): the renewed licence is issued.
- Renewed licences past their last day are marked superseded.

Each case is its own transaction, row-locked and re-checked, so the sweep is idempotent and
safe to run twice at once; a case that cannot be decided (e.g. a licence particular missing)
is reported and left for the office, without stopping the others. Timeline actor: system.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select

from app import timekeeping
from app.errors import AppError
from app.extensions import db
from app.licences.lifecycle import supersede_ended_licences
from app.models import Application, Licence
from app.services.cases import take_system_action
from workflows.definitions.common import OFFICE_OWES
from workflows.errors import WorkflowError

log = logging.getLogger(__name__)


@dataclass
class SweepSummary:
    deemed_accepted: list[str] = field(default_factory=list)
    deemed_approved: list[str] = field(default_factory=list)
    superseded: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)  # (case number, reason)


def sweep(today: date | None = None) -> SweepSummary:
    """Apply the deemed decisions due as of ``today`` (the office's date by default)."""
    today = today or timekeeping.today()
    summary = SweepSummary()
    for application_id in _acceptance_overdue(today):
        _decide(application_id, "deemed_accept", summary.deemed_accepted, summary, today)
    for application_id in _renewal_undecided_at_expiry(today):
        _decide(application_id, "deemed_approve", summary.deemed_approved, summary, today)
    summary.superseded = supersede_ended_licences(today)
    db.session.commit()
    return summary


def _acceptance_overdue(today: date) -> list[int]:
    return list(
        db.session.scalars(
            select(Application.id)
            .where(
                Application.state == "submitted",
                Application.clock_kind == "acceptance",
                Application.clock_due < today,
            )
            .order_by(Application.id)
        )
    )


def _renewal_undecided_at_expiry(today: date) -> list[int]:
    return list(
        db.session.scalars(
            select(Application.id)
            .join(Licence, Licence.id == Application.licence_id)
            .where(
                Application.kind == "renewal",
                Application.state.in_(OFFICE_OWES),
                Licence.valid_until < today,
            )
            .order_by(Application.id)
        )
    )


def _still_due(application: Application, action: str, today: date) -> bool:
    """Re-checked under the row lock: another sweep may have got there first."""
    if action == "deemed_accept":
        return (
            application.state == "submitted"
            and application.clock_kind == "acceptance"
            and application.clock_due is not None
            and application.clock_due < today
        )
    return application.state in OFFICE_OWES


def _decide(
    application_id: int, action: str, done: list[str], summary: SweepSummary, today: date
) -> None:
    application = db.session.scalars(
        select(Application).where(Application.id == application_id).with_for_update(of=Application)
    ).first()
    if application is None or not _still_due(application, action, today):
        db.session.rollback()
        return
    number = application.number
    try:
        take_system_action(application, action, "system", {})
        db.session.commit()
    except (AppError, WorkflowError) as exc:
        db.session.rollback()
        reason = str(getattr(exc, "detail", None) or getattr(exc, "message", exc))
        log.warning("%s 未能%s：%s", number, action, reason)
        summary.failed.append((number, reason))
        return
    done.append(number)
