"""The request desk (诉求响应) in the console: the region's queue and a request's page."""

from __future__ import annotations

from flask import redirect, render_template, request, send_file, url_for
from sqlalchemy.orm.exc import StaleDataError

from app.console.blueprint import bp
from app.console.session import current_staff, staff_page
from app.errors import AppError, VersionConflict
from app.extensions import db
from app.schemas.enterprise_request import RequestSchema, RequestSummarySchema
from app.services import enterprise_requests as service
from app.services.documents import storage
from permits.identifiers import is_ascii_digits

PAGE_SIZE = 20
INLINE_TYPES = ("application/pdf", "image/jpeg", "image/png")
ACTION_LABELS = {"claim": "认领", "reply": "答复", "close": "办结", "reopen": "重新办理"}
STALE = "该诉求在您打开页面后已被他人处理，您的操作尚未保存。下方已是最新内容，请核对后重新提交。"


@bp.route("/requests")
@staff_page(*service.HANDLER_ROLES)
def requests_queue():
    """诉求: the region's requests, earliest answer deadline first, with overdue flags."""
    user = current_staff()
    overdue = request.args.get("overdue") == "1"
    filters = service.RequestFilter(
        topic=request.args.get("topic") or None,
        state=request.args.get("state") or None,
        overdue=True if overdue else None,
    )
    page_text = request.args.get("page", "1")
    page = max(int(page_text), 1) if is_ascii_digits(page_text) else 1
    items, total = service.list_requests(user, filters, page, PAGE_SIZE)
    return render_template(
        "console/requests.html",
        items=RequestSummarySchema(many=True).dump(
            service.ShownRequest(item, user) for item in items
        ),
        total=total,
        page=page,
        pages=max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1),
        filters={"topic": filters.topic, "state": filters.state, "overdue": overdue},
        topics=service.all_topics(),
        states=service.STATE_LABELS,
    )


def _render(request_id: int, error: str | None = None, comment: str = ""):
    user = current_staff()
    view = RequestSchema().dump(service.ShownRequest(service.get_request(user, request_id), user))
    return (
        render_template(
            "console/request.html",
            item=view,
            error=error,
            comment=comment,
            action_labels=ACTION_LABELS,
            inline_types=INLINE_TYPES,
        ),
        409 if error else 200,
    )


@bp.route("/requests/<int:request_id>")
@staff_page(*service.HANDLER_ROLES)
def request_page(request_id: int):
    """A request: what the enterprise asked, its files and history, and the actions now."""
    return _render(request_id)


@bp.route("/requests/<int:request_id>/actions", methods=["POST"])
@staff_page(*service.HANDLER_ROLES)
def request_action(request_id: int):
    """Claim, reply, close or reopen through the same service as the API."""
    version_text = request.form.get("version", "")
    comment = request.form.get("comment", "")
    data = {
        "action": request.form.get("action", ""),
        "comment": comment,
        "version": int(version_text) if is_ascii_digits(version_text) else -1,
    }
    try:
        service.take_action(current_staff(), request_id, data)
    except (VersionConflict, StaleDataError):
        db.session.rollback()
        return _render(request_id, STALE, comment)
    except AppError as exc:
        db.session.rollback()
        if exc.status == 404:
            raise
        return _render(request_id, exc.detail, comment)
    return redirect(url_for("console.request_page", request_id=request_id, done=data["action"]))


@bp.route("/requests/<int:request_id>/attachments/<int:attachment_id>")
@staff_page(*service.HANDLER_ROLES)
def request_attachment(request_id: int, attachment_id: int):
    """An attachment, shown in the browser (images and PDFs)."""
    item = service.get_attachment(current_staff(), request_id, attachment_id)
    inline = item.content_type in INLINE_TYPES
    response = send_file(
        storage().open(item.sha256),
        mimetype=item.content_type,
        as_attachment=not inline,
        download_name=item.filename,
        max_age=0,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
