"""Many cases at once: bulk ``assign``/``transfer`` and one PDF of many mailing labels.

Each case of a bulk hand-over is its own transaction, so one refusal (a case of another
region, one already assigned) is reported beside the others and undoes none of them.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm.exc import StaleDataError

from app.errors import AppError
from app.extensions import db
from app.licences.documents import labels_pdf
from app.models import User
from app.services import delivery, office


@dataclass(frozen=True)
class Refusal:
    code: str
    detail: str


@dataclass(frozen=True)
class HandOver:
    """One case of a bulk hand-over: its owner and version now, or why it was refused."""

    id: int
    assignee: User | None = None
    version: int | None = None
    error: Refusal | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass(frozen=True)
class BulkHandOver:
    """Every case's outcome, in the order asked (duplicates once), and the counts."""

    results: list[HandOver]

    @property
    def succeeded(self) -> int:
        return sum(1 for result in self.results if result.ok)

    @property
    def failed(self) -> int:
        return len(self.results) - self.succeeded


def hand_over_many(user: User, body: dict) -> BulkHandOver:
    """``assign`` or ``transfer`` each case of ``body["ids"]`` in its own transaction."""
    data = {"assignee_id": body["assignee_id"], "comment": body.get("comment", "")}
    results = []
    for application_id in dict.fromkeys(body["ids"]):
        try:
            application = office.take_office_action(
                user, application_id, body["action"], data, None
            )
        except (AppError, StaleDataError) as exc:
            db.session.rollback()
            error = (
                Refusal(exc.code, exc.detail)
                if isinstance(exc, AppError)
                else Refusal("VERSION_CONFLICT", "案件已被他人更新，请刷新后重试")
            )
            results.append(HandOver(application_id, error=error))
            continue
        results.append(HandOver(application_id, application.assignee, application.version))
    return BulkHandOver(results)


def labels(user, application_ids: list[int]) -> bytes:
    """The labels of shipped cases of the caller's region, in the order asked (404 names the
    first case that is not theirs or not shipped)."""
    shipped = [delivery.get_shipment(user, i) for i in dict.fromkeys(application_ids)]
    return labels_pdf(shipped)
