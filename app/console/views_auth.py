"""Console login, logout, the home redirect and HTML error pages."""

from __future__ import annotations

from flask import abort, g, redirect, render_template, request, url_for
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

from app.console import session as console_session
from app.console.blueprint import bp
from app.console.labels import register_filters
from app.errors import AppError
from app.extensions import client_address, db
from app.services import identity
from workflows.errors import WorkflowError

register_filters(bp)


def _safe_next(target: str | None) -> str:
    if target and target.startswith("/console/") and not target.startswith("//"):
        return target
    return url_for("console.queue")


@bp.route("/")
def home():
    """The console's front door: the work queue, or the login page."""
    if g.get("staff") is None:
        return redirect(url_for("console.login"))
    return redirect(url_for("console.queue"))


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Staff login with the same credentials and throttle as POST /api/v1/auth/staff."""
    error = None
    status = 200
    username = request.form.get("username", "")
    if request.method == "POST":
        try:
            user = identity.login_staff(
                username,
                request.form.get("password", ""),
                client_address(),
                request.form.get("totp", "").strip() or None,
            )
        except AppError as exc:
            db.session.rollback()
            error, status = exc.detail, exc.status
        else:
            console_session.start(user)
            return redirect(_safe_next(request.args.get("next")))
    elif g.get("session_expired"):
        error = "长时间未操作，已自动退出，请重新登录。"
    return (
        render_template("console/login.html", error=error, username=username),
        status,
    )


@bp.route("/logout", methods=["POST"])
def logout():
    """End the session."""
    console_session.end()
    return redirect(url_for("console.login"))


@bp.route("/<path:unknown>")
def unknown_page(unknown: str):
    """Any other console address: an HTML 404 (the API answers problems, not pages)."""
    abort(404)


def _error_page(status: int, message: str):
    db.session.rollback()
    return render_template("console/error.html", status=status, message=message), status


@bp.errorhandler(AppError)
def _app_error(exc: AppError):
    return _error_page(exc.status, exc.detail)


@bp.errorhandler(WorkflowError)
def _workflow_error(exc: WorkflowError):
    return _error_page(409, str(exc))


@bp.errorhandler(StaleDataError)
def _stale(exc: StaleDataError):
    return _error_page(409, "数据已被他人修改，请刷新页面后重试。")


@bp.errorhandler(HTTPException)
def _http_error(exc: HTTPException):
    messages = {404: "页面不存在，或不在您的管辖范围内。", 403: "您无权访问此页面。"}
    status = exc.code or 500
    return _error_page(status, messages.get(status, exc.description or "请求有误"))
