"""The staff member's own security page (binding a TOTP authenticator), a case's personal
data in full (recorded), and the admin's 查询留痕 page."""

from __future__ import annotations

from datetime import datetime

import segno
from flask import Response, redirect, render_template, request, url_for

from app.console.blueprint import bp
from app.console.session import current_staff, staff_page
from app.errors import AppError, ValidationFailed
from app.extensions import db
from app.schemas.pii_access import PiiAccessSchema
from app.services import pii_access, totp
from app.timekeeping import OFFICE_TZ
from app.web.observability import request_origin
from permits.identifiers import is_ascii_digits

PAGE_SIZE = 50
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


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


@bp.route("/cases/<int:application_id>/personal-data")
@staff_page()
def case_personal_data(application_id: int):
    """The case's personal data in full; the view is recorded before the page is sent."""
    data = pii_access.personal_data(
        current_staff(), application_id, pii_access.Origin(*request_origin())
    )
    return render_template("console/personal_data.html", application_id=application_id, data=data)


def _filters_from_args() -> pii_access.Filters:
    def moment(name: str) -> datetime | None:
        value = request.args.get(name, "").strip()
        if not value:
            return None
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError as exc:
            raise ValidationFailed(
                "时间格式应为 YYYY-MM-DD", errors={name: ["时间格式不正确"]}
            ) from exc
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=OFFICE_TZ)

    staff_id = request.args.get("staff_id", "").strip()
    return pii_access.Filters(
        subject=request.args.get("subject", "").strip() or None,
        staff_id=int(staff_id) if is_ascii_digits(staff_id) else None,
        start=moment("from"),
        end=moment("to"),
    )


@bp.route("/admin/pii-access")
@staff_page("admin")
def admin_pii_access():
    """查询留痕: who saw whose personal data, filtered, paged; export as .xlsx."""
    filters = _filters_from_args()
    if request.args.get("format") == "xlsx":
        return Response(
            pii_access.export_xlsx(current_staff(), filters),
            mimetype=XLSX,
            headers={"Content-Disposition": 'attachment; filename="pii-access.xlsx"'},
        )
    page_arg = request.args.get("page", "1")
    page = max(int(page_arg), 1) if is_ascii_digits(page_arg) else 1
    items, total = pii_access.list_records(current_staff(), filters, page, PAGE_SIZE)
    return render_template(
        "console/pii_access.html",
        items=PiiAccessSchema(many=True).dump(items),
        total=total,
        page=page,
        pages=max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1),
        args=request.args,
    )
