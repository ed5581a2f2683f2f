"""Licences: search, the licence page with its PDF and history, revocation, and the
expiring-licence report (到期提醒) with its CSV export."""

from __future__ import annotations

import csv
import io

from flask import Response, redirect, render_template, request, url_for

from app.console.blueprint import bp
from app.console.session import current_staff, staff_page
from app.errors import AppError
from app.extensions import db
from app.licences import access as licence_access
from app.licences import register as licence_register
from app.licences.documents import licence_ofd, licence_pdf
from app.licences.shown import LicenceOut
from app.models import Licence
from app.schemas.licence import LicenceSchema
from app.services import pii_access
from app.web.observability import request_origin
from permits.identifiers import is_ascii_digits

PAGE_SIZE = 20
EXPIRY_WINDOWS = (30, 90, 120)
FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r")
LICENCE = LicenceSchema()


def _licence(licence: Licence) -> dict:
    """The licence as the API shows it."""
    return LICENCE.dump(LicenceOut(licence))


@bp.route("/licences")
@staff_page()
def licences():
    """Search the region's licences by number, enterprise name, credit code or a holder's
    ID number."""
    text = request.args.get("q", "").strip()
    status = request.args.get("status") or None
    page_text = request.args.get("page", "1")
    page = max(int(page_text), 1) if is_ascii_digits(page_text) else 1
    items, total = licence_access.list_licences(
        current_staff(),
        enterprise_id=None,
        status=status,
        expiring_within_days=None,
        page=page,
        page_size=PAGE_SIZE,
        text=text or None,
    )
    return render_template(
        "console/licences.html",
        items=[_licence(x) for x in items],
        total=total,
        page=page,
        pages=max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1),
        q=text,
        status=status,
    )


def _render_licence(licence_id: int, error: str | None = None):
    licence = licence_access.get_licence(current_staff(), licence_id)
    return (
        render_template(
            "console/licence.html",
            licence=licence,
            view=_licence(licence),
            history=[_licence(x) for x in licence_register.licence_history(licence)],
            amendments=licence_register.amendments(licence),
            error=error,
        ),
        200 if error is None else 409,
    )


@bp.route("/licences/<int:licence_id>")
@staff_page()
def licence(licence_id: int):
    """One licence: status, validity, history and the signed PDF."""
    return _render_licence(licence_id)


@bp.route("/licences/<int:licence_id>/pdf")
@staff_page()
def licence_file(licence_id: int):
    """The signed electronic licence, shown in the browser."""
    item = licence_access.get_licence(current_staff(), licence_id)
    content = licence_pdf(item)
    pii_access.record_licence_pdf(current_staff(), item, pii_access.Origin(*request_origin()))
    response = Response(content, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="licence-{item.id}.pdf"'
    return response


@bp.route("/licences/<int:licence_id>/ofd")
@staff_page()
def licence_ofd_file(licence_id: int):
    """The national electronic licence (OFD with the SM2 seal), as a download."""
    item = licence_access.get_licence(current_staff(), licence_id)
    content = licence_ofd(item)
    pii_access.record_licence_pdf(current_staff(), item, pii_access.Origin(*request_origin()))
    response = Response(content, mimetype="application/ofd")
    name = item.identifier or f"licence-{item.id}"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}.ofd"'
    return response


@bp.route("/licences/<int:licence_id>/revoke", methods=["POST"])
@staff_page("approver")
def licence_revoke(licence_id: int):
    """Revoke a licence with the reason (approver)."""
    reason = request.form.get("comment", "").strip()
    version_text = request.form.get("version", "")
    if not reason:
        licence_access.get_licence(current_staff(), licence_id)
        return _render_licence(licence_id, error="请填写撤销理由。")
    try:
        licence_access.revoke_licence(
            current_staff(),
            licence_id,
            reason,
            int(version_text) if is_ascii_digits(version_text) else None,
        )
    except AppError as exc:
        db.session.rollback()
        if exc.status == 404:
            raise
        return _render_licence(licence_id, error=exc.detail)
    return redirect(url_for("console.licence", licence_id=licence_id, done="revoke"))


def _window() -> int:
    text = request.args.get("days", "90")
    return int(text) if is_ascii_digits(text) and int(text) in EXPIRY_WINDOWS else 90


@bp.route("/expiring")
@staff_page()
def expiring():
    """到期提醒: licences ending soon, with renewal and reminder status."""
    days = _window()
    return render_template(
        "console/expiring.html",
        rows=licence_register.expiring_report(current_staff(), days),
        days=days,
        windows=EXPIRY_WINDOWS,
        view=_licence,
    )


def csv_cell(value: object) -> str:
    """A cell a spreadsheet will not run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_LEADS) else text


@bp.route("/expiring.csv")
@staff_page()
def expiring_csv():
    """The expiring-licence report as CSV (UTF-8 with BOM, for spreadsheet software)."""
    days = _window()
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "许可证编号",
            "许可事项",
            "企业名称",
            "统一社会信用代码",
            "联系电话",
            "有效期至",
            "剩余天数",
            "延续申请",
            "已发提醒（天）",
        ]
    )
    for row in licence_register.expiring_report(current_staff(), days):
        item = _licence(row.licence)
        writer.writerow(
            csv_cell(v)
            for v in (
                item["number"],
                item["permit_type"],
                item["enterprise"]["name"],
                item["enterprise"]["credit_code"],
                row.licence.enterprise.contact_phone,
                item["valid_until"],
                item["days_to_expiry"],
                row.renewal.number if row.renewal else "未申请",
                "、".join(str(d) for d in row.reminders_sent) or "未发",
            )
        )
    response = Response("\ufeff" + out.getvalue(), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="expiring-{days}d.csv"'
    return response
