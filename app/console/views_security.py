"""The staff member's own security page: binding a TOTP authenticator (second factor)."""

from __future__ import annotations

import segno
from flask import redirect, render_template, request, url_for

from app.console.blueprint import bp
from app.console.session import current_staff, staff_page
from app.errors import AppError
from app.extensions import db
from app.services import totp


def _render(error: str | None = None, status: int = 200, done: str | None = None):
    user = current_staff()
    uri = totp.provisioning_uri(user, user.totp_pending) if user.totp_pending else None
    return (
        render_template(
            "console/security.html",
            enrolled=bool(user.totp_secret),
            uri=uri,
            qr=segno.make(uri, error="m").svg_data_uri(scale=5) if uri else None,
            error=error,
            done=done or request.args.get("done"),
        ),
        status,
    )


@bp.route("/me/security")
@staff_page()
def my_security():
    """Whether a second factor is bound; the QR code of one being bound."""
    return _render()


@bp.route("/me/security/totp", methods=["POST"])
@staff_page()
def my_totp_start():
    """A new secret to scan; it replaces the active one only once a code confirms it."""
    totp.start_enrolment(current_staff())
    return redirect(url_for("console.my_security"))


@bp.route("/me/security/totp/confirm", methods=["POST"])
@staff_page()
def my_totp_confirm():
    """Activate the scanned secret with the first code the authenticator shows."""
    try:
        totp.confirm_enrolment(current_staff(), request.form.get("totp", ""))
    except AppError as exc:
        db.session.rollback()
        return _render(error=exc.detail, status=exc.status)
    return redirect(url_for("console.my_security", done="已绑定动态验证码，下次登录时需输入。"))
