"""Administration (admin): staff accounts, the permit catalogue (read-only), holiday
schedules."""

from __future__ import annotations

import tempfile
from pathlib import Path

from flask import abort, redirect, render_template, request, url_for

from app.console.blueprint import bp
from app.console.session import current_staff, staff_page
from app.domain import access, clock
from app.errors import AppError
from app.extensions import db
from app.models import STAFF_ROLES
from app.services import identity, staff_accounts
from permits.catalogue import get_catalogue, get_permit_type
from permits.identifiers import is_ascii_digits

MAX_SCHEDULE_BYTES = 64 * 1024


def _render_staff(error: str | None = None, done: str | None = None, status: int = 200):
    admin = current_staff()
    return (
        render_template(
            "console/staff.html",
            staff=staff_accounts.list_staff(admin.region_code),
            roles=STAFF_ROLES,
            error=error,
            done=done,
            form=request.form,
        ),
        status,
    )


@bp.route("/admin/staff")
@staff_page("admin")
def staff_list():
    """Staff accounts within the admin's region."""
    return _render_staff(done=request.args.get("done"))


def _region_allowed(region: str) -> bool:
    return access.in_region(current_staff(), region)


@bp.route("/admin/staff", methods=["POST"])
@staff_page("admin")
def staff_create():
    """Create a staff account (same checks as ``flask staff create``)."""
    region = request.form.get("region", "").strip()
    if region and not _region_allowed(region):
        return _render_staff(error="只能在您的管辖区划内创建账号。", status=422)
    try:
        user = identity.create_staff(
            request.form.get("username", ""),
            request.form.get("password", ""),
            request.form.getlist("roles"),
            region,
        )
    except AppError as exc:
        db.session.rollback()
        return _render_staff(
            error="；".join(m for ms in exc.errors.values() for m in ms) or exc.detail, status=422
        )
    return redirect(url_for("console.staff_list", done=f"已创建 {user.username}"))


@bp.route("/admin/staff/<int:user_id>", methods=["POST"])
@staff_page("admin")
def staff_update(user_id: int):
    """Change roles and region, deactivate or reactivate, or reset the password."""
    admin = current_staff()
    user = staff_accounts.get_staff_in_region(admin, user_id)
    operation = request.form.get("op", "")
    try:
        if operation == "update":
            region = request.form.get("region", "").strip()
            if not _region_allowed(region):
                return _render_staff(error="只能设置您的管辖区划内的区划代码。", status=422)
            staff_accounts.update_staff(user, request.form.getlist("roles"), region)
            done = f"已更新 {user.username}"
        elif operation in ("deactivate", "activate"):
            if user.id == admin.id:
                return _render_staff(error="不能停用自己的账号。", status=422)
            staff_accounts.set_active(user, operation == "activate")
            done = f"已{'启用' if operation == 'activate' else '停用'} {user.username}"
        elif operation == "reset":
            staff_accounts.reset_password(user, request.form.get("password", ""))
            done = f"已重置 {user.username} 的密码"
        else:
            abort(400)
    except AppError as exc:
        db.session.rollback()
        return _render_staff(error=exc.detail, status=422)
    return redirect(url_for("console.staff_list", done=done))


@bp.route("/admin/catalogue")
@staff_page("admin")
def admin_catalogue():
    """The permit catalogue (事项清单), read-only."""
    return render_template("console/catalogue.html", catalogue=get_catalogue())


@bp.route("/admin/catalogue/<code>")
@staff_page("admin")
def admin_permit_type(code: str):
    """One permit type: materials, limits, legal basis and guide."""
    permit_type = get_permit_type(code)
    if permit_type is None:
        abort(404)
    return render_template("console/permit_type.html", p=permit_type)


def _installed_years() -> list[int]:
    return sorted(
        int(p.stem) for p in clock.schedule_dir().glob("*.yaml") if is_ascii_digits(p.stem)
    )


def _install(year_text: str, upload) -> tuple[list[str], str | None]:
    """Check and load the uploaded file as ``{year}.yaml`` through the clock's service (the
    same check as ``flask calendar check``; running limits are recounted)."""
    if (
        not is_ascii_digits(year_text)
        or len(year_text) != 4
        or upload is None
        or not upload.filename
    ):
        return ["请填写四位年份并选择文件"], None
    content = upload.read(MAX_SCHEDULE_BYTES + 1)
    if len(content) > MAX_SCHEDULE_BYTES:
        return ["文件过大"], None
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / f"{year_text}.yaml"
        path.write_bytes(content)
        try:
            year, moved = clock.install_schedule(path)
        except AppError as exc:
            db.session.rollback()
            return exc.errors.get("file", [exc.detail]), None
    return [], f"{year} 年节假日安排已载入；重新计算期限的申请 {len(moved)} 件。"


@bp.route("/admin/holidays", methods=["GET", "POST"])
@staff_page("admin")
def admin_holidays():
    """Upload a newly announced year's holiday schedule, checked like ``calendar check``."""
    problems: list[str] = []
    done = None
    if request.method == "POST":
        problems, done = _install(request.form.get("year", ""), request.files.get("file"))
    return (
        render_template(
            "console/holidays.html", problems=problems, done=done, years=_installed_years()
        ),
        422 if problems else 200,
    )
