"""Many cases at once: bulk ``assign``/``transfer`` and one PDF of many mailing labels.

Each case of a bulk hand-over is its own transaction, so one refusal (a case of another
region, one already assigned) is reported beside the others and undoes none of them.
"""

from __future__ import annotations

from sqlalchemy.orm.exc import StaleDataError

from app.domain import assignment
from app.errors import AppError
from app.extensions import db
from app.licences.documents import labels_pdf
from app.services import delivery, office


def hand_over_many(user, body: dict) -> dict:
    """``{"results": [{"id", "ok", "assignee", "version", "error"}], "succeeded", "failed"}``."""
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
                {"code": exc.code, "detail": exc.detail}
                if isinstance(exc, AppError)
                else {"code": "VERSION_CONFLICT", "detail": "案件已被他人更新，请刷新后重试"}
            )
            results.append(
                {
                    "id": application_id,
                    "ok": False,
                    "assignee": None,
                    "version": None,
                    "error": error,
                }
            )
            continue
        results.append(
            {
                "id": application_id,
                "ok": True,
                "assignee": assignment.staff_ref(application.assignee),
                "version": application.version,
                "error": None,
            }
        )
    succeeded = sum(1 for r in results if r["ok"])
    return {"results": results, "succeeded": succeeded, "failed": len(results) - succeeded}


def labels(user, application_ids: list[int]) -> bytes:
    """The labels of shipped cases of the caller's region, in the order asked (404 names the
    first case that is not theirs or not shipped)."""
    shipped = [delivery.get_shipment(user, i) for i in dict.fromkeys(application_ids)]
    return labels_pdf(shipped)
