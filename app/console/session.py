"""Console sessions: login state in Flask's signed cookie, idle timeout, CSRF tokens.

The cookie is HttpOnly and SameSite=Lax (and Secure in production). It holds the user id,
a fingerprint of the password hash (a password reset ends old sessions), the time of the
last request (idle timeout) and the CSRF token every form carries. The user is reloaded on
every request, so a deactivated account is logged out at once. Bearer tokens are ignored.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import wraps
from typing import Any

from flask import (
    Blueprint,
    Flask,
    Response,
    abort,
    current_app,
    g,
    redirect,
    request,
    session,
    url_for,
)

from app import timekeeping
from app.extensions import db
from app.models import User
from app.web.reading_aids import elder_mode_on

IDLE_TIMEOUT = timedelta(minutes=30)
IDLE_WARNING = timedelta(minutes=3)  # how long before the idle logout the page warns
CSRF_FIELD = "csrf_token"


def init_session(app: Flask, bp: Blueprint) -> None:
    """Cookie flags, the per-request user and the CSRF check for every console POST."""
    app.config.setdefault("SESSION_COOKIE_HTTPONLY", True)
    app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    app.config["SESSION_COOKIE_SECURE"] = app.config.get("APP_ENV") == "production"
    app.config.setdefault("CONSOLE_IDLE_TIMEOUT", IDLE_TIMEOUT)
    app.config.setdefault("CONSOLE_IDLE_WARNING", IDLE_WARNING)
    bp.before_request(_load_user)
    bp.before_request(_check_csrf)
    bp.after_request(_security_headers)
    bp.app_context_processor(lambda: {"csrf_token": csrf_token})
    bp.context_processor(_page_settings)


def _fingerprint(user: User) -> str:
    return hashlib.sha256((user.password_hash or "").encode()).hexdigest()[:16]


def start(user: User) -> None:
    """Log ``user`` in: a fresh session (new CSRF token) bound to their current password."""
    session.clear()
    session["uid"] = user.id
    session["pw"] = _fingerprint(user)
    session["seen"] = timekeeping.now().isoformat()
    session[CSRF_FIELD] = secrets.token_urlsafe(32)
    session.permanent = False


def end() -> None:
    session.clear()


def _load_user() -> None:
    g.staff = None
    uid = session.get("uid")
    if uid is None:
        return
    user = db.session.get(User, uid)
    seen = datetime.fromisoformat(session.get("seen", "1970-01-01T00:00:00+00:00"))
    idle = timekeeping.now() - seen > current_app.config["CONSOLE_IDLE_TIMEOUT"]
    if (
        user is None
        or not (user.is_staff and user.active)
        or idle
        or session.get("pw") != _fingerprint(user)
    ):
        csrf = session.get(CSRF_FIELD)
        session.clear()
        if csrf:
            session[CSRF_FIELD] = csrf
        g.session_expired = idle
        return
    session["seen"] = timekeeping.now().isoformat()
    g.staff = user


def csrf_token() -> str:
    """The session's CSRF token (created on first use, e.g. by the login form)."""
    if CSRF_FIELD not in session:
        session[CSRF_FIELD] = secrets.token_urlsafe(32)
    return session[CSRF_FIELD]


def _page_settings() -> dict[str, Any]:
    """What every console page needs to render its reading aids and the idle warning."""
    config = current_app.config
    return {
        "elder_mode": elder_mode_on(request),
        "idle_seconds": int(config["CONSOLE_IDLE_TIMEOUT"].total_seconds()),
        "idle_warning_seconds": int(config["CONSOLE_IDLE_WARNING"].total_seconds()),
    }


def _check_csrf() -> None:
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    request.max_content_length = current_app.config["MAX_UPLOAD_BYTES"]
    sent = request.form.get(CSRF_FIELD, "")
    expected = session.get(CSRF_FIELD, "")
    if not expected or not hmac.compare_digest(sent, expected):
        abort(400, description="页面已过期或来源不明（缺少安全令牌），请刷新页面后重试。")


CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'self'"
)


def _security_headers(response: Response) -> Response:
    """Console pages load nothing from elsewhere and may only be framed by the console.

    Files (PDFs shown in the browser's viewer) get no CSP: it would block the viewer."""
    response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    if response.mimetype == "text/html":
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("Cache-Control", "no-store")
    return response


def staff_page(*roles: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """A page for logged-in staff; with ``roles``, only for those holding one of them."""

    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            user = g.get("staff")
            if user is None:
                return redirect(url_for("console.login", next=request.full_path.rstrip("?")))
            if roles and not set(roles) & set(user.roles):
                abort(403, description="您的角色无权访问此页面。")
            return view(*args, **kwargs)

        return wrapper

    return decorator


def current_staff() -> User:
    return g.staff
