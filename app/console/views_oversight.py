"""Oversight pages: the chief's 差评整改 list, and each staff member's workload."""

from __future__ import annotations

from datetime import date

from flask import redirect, render_template, request, url_for

from app.console.blueprint import bp
from app.console.session import current_staff, staff_page
from app.domain import access
from app.errors import AppError
from app.extensions import db
from app.jobs import staff_stats
from app.schemas.rating_case import RatingCaseSchema
from app.schemas.stats import StaffStatsSchema
from app.services import rating_cases as service

OVERSEERS = ("chief", "admin")
ACTION_LABELS = {name: step.label for name, step in service.STEPS.items()}


def _render_cases(error: str | None = None, status: int = 200):
    user = current_staff()
    chosen = request.args.get("status") or None
    if chosen not in service.STATUS_LABELS:
        chosen = None
    items = RatingCaseSchema(many=True).dump(
        service.shown(item, user) for item in service.list_cases(user, chosen)
    )
    page = render_template(
        "console/rating_cases.html",
        items=items,
        chosen=chosen,
        statuses=service.STATUS_LABELS,
        action_labels=ACTION_LABELS,
        needs_comment={name for name, step in service.STEPS.items() if step.comment_required},
        error=error,
    )
    return page, status


@bp.route("/rating-cases")
@staff_page(*OVERSEERS)
def rating_cases():
    """差评整改: the region's bad ratings, the earliest due first, with the actions now."""
    return _render_cases()


@bp.route("/rating-cases/<int:case_id>/actions", methods=["POST"])
@staff_page(*OVERSEERS)
def rating_case_action(case_id: int):
    """Contact, rectify, explain, appeal or decide an appeal, through the API's service."""
    try:
        service.take_action(
            current_staff(),
            case_id,
            request.form.get("action", ""),
            request.form.get("comment", ""),
        )
    except AppError as exc:
        db.session.rollback()
        if exc.status == 404:
            raise
        return _render_cases(exc.detail, 409 if exc.status == 409 else 422)
    return redirect(url_for("console.rating_cases", done=case_id))


def _date_arg(name: str) -> date | None:
    try:
        return date.fromisoformat(request.args.get(name, ""))
    except ValueError:
        return None


@bp.route("/workload")
@staff_page(*OVERSEERS)
def workload():
    """Each staff member of the region: cases in hand, overdue, decided, on time, step time."""
    first, last = _date_arg("from"), _date_arg("to")
    if first and last and first > last:
        first, last = last, first
    region = access.staff_region(current_staff())
    figures = StaffStatsSchema().dump(staff_stats.staff_figures(region, first, last))
    return render_template("console/workload.html", figures=figures, region=region)
