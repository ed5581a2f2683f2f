"""承办 on the console: hand-overs, internal notes, urging, what changed (on the case page),
bulk hand-overs and exports from the lists, the staff member's alerts (a badge and a list),
deputies, and the region's assignment mode."""

from __future__ import annotations

from datetime import date

from flask import g, redirect, render_template, request, url_for
from sqlalchemy import func, select
from sqlalchemy.orm.exc import StaleDataError

from app.api.xlsx import send_export
from app.console.blueprint import bp
from app.console.session import current_staff, staff_page
from app.domain import access, assignment
from app.errors import AppError
from app.extensions import db
from app.models import Application, Notification, User
from app.schemas.notification import NotificationSchema
from app.schemas.office import (
    MAX_BULK_IDS,
    AssignmentSchema,
    BulkResponseSchema,
    ChangesSchema,
    DeputySchema,
    NoteSchema,
)
from app.services import (
    applications,
    deputies,
    enterprise_requests,
    exports,
    handovers,
    notes,
    notifications,
    office,
    review,
    snapshots,
)
from permits.identifiers import is_ascii_digits
from workflows.errors import WorkflowError

ALERT_TOPICS = ("deadline", "urge", "case")


@bp.context_processor
def _alert_badge() -> dict:
    """The unread alerts count for the navigation's badge (staff pages only)."""
    user = g.get("staff")
    if user is None:
        return {"alert_count": 0}
    count = db.session.scalar(
        select(func.count())
        .select_from(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
    )
    return {"alert_count": int(count or 0)}


def reviewers_for(application: Application) -> list[User]:
    """Who may own the case: active reviewers covering its region, by name."""
    staff = db.session.scalars(
        select(User).where(User.kind == "staff", User.active.is_(True)).order_by(User.username)
    )
    return [u for u in staff if assignment.eligible_assignee(application, u)]


def case_context(user: User, application: Application) -> dict:
    """What the case page adds for office work: owner, hand-overs, notes, what changed."""
    return {
        "office_actions": assignment.office_actions(user, application),
        "reviewers": reviewers_for(application),
        "may_urge": bool(office.URGE_ROLES & set(user.roles))
        and application.assignee_id is not None
        and assignment.is_open(application),
        "notes": NoteSchema(many=True).dump(notes.list_notes(user, application.id)),
        "changes": ChangesSchema().dump(snapshots.changes(user, application.id)),
    }


def _int_arg(name: str) -> int | None:
    value = request.form.get(name, "")
    return int(value) if is_ascii_digits(value) else None


def _back(application_id: int, done: str | None = None, error: str | None = None):
    if error:
        return redirect(url_for("console.case", application_id=application_id, office_error=error))
    return redirect(url_for("console.case", application_id=application_id, done=done))


@bp.route("/cases/<int:application_id>/office", methods=["POST"])
@staff_page()
def case_office(application_id: int):
    """Assign, claim or transfer the case from its page."""
    access.get_application(current_staff(), application_id)  # 404 outside the region
    action = request.form.get("action", "")
    if action not in assignment.OFFICE_ACTIONS:
        return _back(application_id, error="未知的操作")
    data = {"assignee_id": _int_arg("assignee_id"), "comment": request.form.get("comment", "")}
    try:
        office.take_office_action(
            current_staff(), application_id, action, data, _int_arg("version")
        )
    except (AppError, WorkflowError, StaleDataError) as exc:
        db.session.rollback()
        message = exc.detail if isinstance(exc, AppError) else "案件已被他人更新，请刷新后重试"
        return _back(application_id, error=message)
    return _back(application_id, done=action)


@bp.route("/cases/<int:application_id>/notes", methods=["POST"])
@staff_page()
def case_note(application_id: int):
    """Add an internal note (never shown to the applicant)."""
    access.get_application(current_staff(), application_id)
    try:
        notes.add_note(current_staff(), application_id, request.form.get("body", ""))
    except AppError as exc:
        db.session.rollback()
        return _back(application_id, error=exc.detail)
    return redirect(url_for("console.case", application_id=application_id) + "#h-notes")


@bp.route("/cases/<int:application_id>/urge", methods=["POST"])
@staff_page("chief", "approver", "admin")
def case_urge(application_id: int):
    """催办: notify the assignee."""
    access.get_application(current_staff(), application_id)
    try:
        office.urge(current_staff(), application_id, request.form.get("comment", ""))
    except AppError as exc:
        db.session.rollback()
        return _back(application_id, error=exc.detail)
    return _back(application_id, done="urge")


@bp.route("/queue/bulk", methods=["POST"])
@staff_page("chief", "reviewer")
def queue_bulk():
    """Assign or transfer the ticked cases; a page of per-case results."""
    user = current_staff()
    ids = [int(i) for i in request.form.getlist("ids") if is_ascii_digits(i)][:MAX_BULK_IDS]
    assignee_id = _int_arg("assignee_id")
    action = request.form.get("action", "assign")
    if not ids or assignee_id is None or action not in ("assign", "transfer"):
        results = None
        error = "请勾选案件并选择承办人"
    else:
        body = {
            "action": action,
            "ids": ids,
            "assignee_id": assignee_id,
            "comment": request.form.get("comment", ""),
        }
        results, error = BulkResponseSchema().dump(handovers.hand_over_many(user, body)), None
    numbers = {
        row.id: row.number
        for row in db.session.execute(
            select(Application.id, Application.number).where(Application.id.in_(ids))
        )
    }
    return render_template(
        "console/bulk_result.html", results=results, error=error, numbers=numbers
    )


def team_reviewers(user: User) -> list[User]:
    """Active reviewers of the caller's jurisdiction (the bulk form's choices)."""
    staff = db.session.scalars(
        select(User).where(User.kind == "staff", User.active.is_(True)).order_by(User.username)
    )
    return [
        u
        for u in staff
        if assignment.REVIEWER in u.roles and access.in_region(user, u.region_code or "")
    ]


def _export_queue(user: User, args) -> exports.ExportFile:
    state, permit_type = args.get("state") or None, args.get("permit_type") or None
    assignee, overdue = args.get("assignee") or None, args.get("overdue") == "1"

    def fetch(page: int, size: int) -> tuple[list, int]:
        return review.queue(
            user,
            state=state,
            overdue_only=overdue,
            page=page,
            page_size=size,
            permit_type=permit_type,
            assignee=assignee,
        )

    shown = {"state": state, "permit_type": permit_type, "assignee": assignee, "overdue": overdue}
    return exports.export_cases(user, "queue", shown, fetch)


def _export_cases(user: User, args) -> exports.ExportFile:
    state, permit_type = args.get("state") or None, args.get("permit_type") or None

    def fetch(page: int, size: int) -> tuple[list, int]:
        return applications.list_applications(
            user, state=state, permit_type=permit_type, page=page, page_size=size
        )

    shown = {"state": state, "permit_type": permit_type}
    return exports.export_cases(user, "cases", shown, fetch)


def _export_licences(user: User, args) -> exports.ExportFile:
    return exports.export_licences(
        user, {"status": args.get("status") or None, "q": args.get("q") or None}
    )


def _export_expiring(user: User, args) -> exports.ExportFile:
    days = args.get("days", "90")
    return exports.export_licences(
        user, {"expiring_within_days": int(days) if is_ascii_digits(days) else 90}
    )


def _export_requests(user: User, args) -> exports.ExportFile:
    wanted = enterprise_requests.RequestFilter(
        args.get("topic") or None, args.get("state") or None, None
    )

    def fetch(page: int, size: int) -> tuple[list, int]:
        return enterprise_requests.list_requests(user, wanted, page, size)

    shown = {"topic": wanted.topic, "state": wanted.state}
    return exports.export_requests(user, shown, fetch)


EXPORTS = {
    "queue": _export_queue,
    "cases": _export_cases,
    "licences": _export_licences,
    "expiring": _export_expiring,
    "requests": _export_requests,
}


@bp.route("/export/<kind>.xlsx")
@staff_page()
def export(kind: str):
    """The queue, the cases, the licences, the expiring licences or the requests as .xlsx,
    with the filters of the page the button is on."""
    if kind not in EXPORTS:
        return render_template("console/error.html", message="没有这种导出"), 404
    return send_export(EXPORTS[kind](current_staff(), request.args))


# The alerts page shows the fields GET /notifications answers with.
_NOTIFICATIONS = NotificationSchema(many=True)


@bp.route("/alerts")
@staff_page()
def alerts():
    """我的提醒: deadline warnings, escalations, urging and new cases, newest first."""
    items, total, unread = notifications.list_notifications(
        current_staff(), unread_only=False, page=1, page_size=100
    )
    return render_template(
        "console/alerts.html",
        items=_NOTIFICATIONS.dump(items),
        total=total,
        unread=unread,
    )


@bp.route("/alerts/<int:notification_id>/read", methods=["POST"])
@staff_page()
def alert_read(notification_id: int):
    notifications.mark_read(current_staff(), notification_id)
    return redirect(url_for("console.alerts"))


@bp.route("/deputies", methods=["GET", "POST"])
@staff_page()
def deputy_page():
    """代理: who stands in for me (an admin: for a colleague of the region) and when."""
    user = current_staff()
    staff_id = _int_arg("staff_id") or int(request.args.get("staff_id", user.id) or user.id)
    error = None
    if request.method == "POST":
        try:
            starts = date.fromisoformat(request.form.get("starts_on", ""))
            ends = date.fromisoformat(request.form.get("ends_on", ""))
            data = {"deputy_id": _int_arg("deputy_id") or 0, "starts_on": starts, "ends_on": ends}
            deputies.add_deputy(user, staff_id, data)
            return redirect(url_for("console.deputy_page", staff_id=staff_id))
        except ValueError:
            error = "请填写正确的起止日期"
        except AppError as exc:
            db.session.rollback()
            error = exc.detail
    rows = DeputySchema(many=True).dump(deputies.list_deputies(user, staff_id))
    colleagues = [
        u
        for u in db.session.scalars(
            select(User).where(User.kind == "staff", User.active.is_(True)).order_by(User.username)
        )
        if access.in_region(user, u.region_code or "")
    ]
    return render_template(
        "console/deputies.html",
        rows=rows,
        member=db.session.get(User, staff_id),
        colleagues=colleagues,
        error=error,
    ), (422 if error else 200)


@bp.route("/deputies/<int:staff_id>/<int:row_id>/delete", methods=["POST"])
@staff_page()
def deputy_delete(staff_id: int, row_id: int):
    deputies.remove_deputy(current_staff(), staff_id, row_id)
    return redirect(url_for("console.deputy_page", staff_id=staff_id))


@bp.route("/admin/assignment", methods=["GET", "POST"])
@staff_page("admin")
def admin_assignment():
    """案件分配方式: manual or least_loaded, per region of the admin's jurisdiction."""
    user = current_staff()
    error = None
    if request.method == "POST":
        try:
            office.set_assignment(
                user, request.form.get("region", "").strip(), request.form.get("mode", "")
            )
            return redirect(url_for("console.admin_assignment"))
        except AppError as exc:
            db.session.rollback()
            error = exc.detail
    rows = AssignmentSchema(many=True).dump(office.list_assignment_modes(user))
    return render_template(
        "console/assignment.html", rows=rows, error=error, region=user.region_code
    ), (422 if error else 200)
