"""查询留痕: recording and listing who saw a person's unmasked data or downloaded a material.

The record is written in its own short transaction and committed before the data leaves
the server: a response that fails afterwards (a client gone mid-download, a rendering
error) still leaves its record. It is a database row, not a log file, so no local disk
sits on the read path; on PostgreSQL the record's transaction commits with
``synchronous_commit = off`` (for that transaction only), so the read does not wait for the
WAL to reach the disk either. The record is durable against everything except a crash of
PostgreSQL itself within the WAL writer's delay (a fraction of a second), the same
window the outbox would have without a further round trip; an outbox row written in the
read's transaction would cost the same commit and add a worker hop before the record
could be queried.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from io import BytesIO

from openpyxl import Workbook
from sqlalchemy import Select, func, select, text

from app.domain import access, agency, transaction
from app.errors import Forbidden, ValidationFailed
from app.extensions import db
from app.models import Application, Document, Licence, PiiAccess, User
from app.spreadsheet import safe_cell
from app.timekeeping import local_iso

EXPORT_LIMIT = 50_000
PERSONAL_FORM_FIELDS = ("worker_id_number", "worker_phone", "principal_phone")


@dataclass(frozen=True)
class Origin:
    """Where the data was shown: the route and the request's id (X-Request-ID)."""

    route: str
    request_id: str


def _write(records: Iterable[PiiAccess]) -> None:
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("SET LOCAL synchronous_commit TO off"))
    db.session.add_all(records)
    transaction.commit()


def _record(
    user: User, application: Application, fields: str, origin: Origin, document_id=None
) -> PiiAccess:
    return PiiAccess(
        staff_id=user.id,
        staff_name=(user.display_name or user.username or f"user-{user.id}")[:64],
        subject=application.number,
        application_id=application.id,
        fields=fields[:200],
        document_id=document_id,
        route=origin.route[:200],
        request_id=origin.request_id[:64],
    )


def personal_data(user: User, application_id: int, origin: Origin) -> dict:
    """The case's personal data unmasked, for staff who may see the case; recorded first."""
    if not user.is_staff or agency.agent_only(user):
        raise Forbidden("仅办理人员可查看完整个人信息")
    application = access.get_application(user, application_id)
    form = application.form or {}
    delivery = application.delivery or {}
    shown_form = {k: form[k] for k in PERSONAL_FORM_FIELDS if form.get(k)}
    shown_delivery = {k: delivery[k] for k in ("recipient", "phone", "address") if delivery.get(k)}
    fields = [*shown_form, *(f"delivery.{k}" for k in shown_delivery if k != "recipient")]
    data = {"form": shown_form, "delivery": shown_delivery}
    if fields:
        _write([_record(user, application, ",".join(fields), origin)])
    return data


def record_download(user: User, document: Document, origin: Origin) -> None:
    """A material is about to be sent: record it before the first byte goes out."""
    _write([_record(user, document.application, "document", origin, document.id)])


def record_licence_pdf(user: User, licence: Licence, origin: Origin) -> None:
    """A person's certificate prints the holder's ID number in full: record its download.
    An enterprise's licence carries no personal data and is not recorded."""
    if not (licence.holder or {}).get("id_number"):
        return
    application = (
        db.session.get(Application, licence.application_id) if licence.application_id else None
    )
    _write(
        [
            PiiAccess(
                staff_id=user.id,
                staff_name=(user.display_name or user.username or f"user-{user.id}")[:64],
                subject=application.number if application else licence.number[:64],
                application_id=application.id if application else None,
                fields="licence.id_number",
                route=origin.route[:200],
                request_id=origin.request_id[:64],
            )
        ]
    )


@dataclass(frozen=True)
class Filters:
    subject: str | None = None
    staff_id: int | None = None
    start: datetime | None = None
    end: datetime | None = None


def _query(filters: Filters) -> Select:
    query = select(PiiAccess)
    if filters.subject:
        query = query.where(PiiAccess.subject == filters.subject.strip())
    if filters.staff_id is not None:
        query = query.where(PiiAccess.staff_id == filters.staff_id)
    if filters.start is not None:
        query = query.where(PiiAccess.at >= filters.start)
    if filters.end is not None:
        query = query.where(PiiAccess.at < filters.end)
    return query


def _check(user: User, filters: Filters) -> None:
    if "admin" not in user.roles:
        raise Forbidden("仅系统管理员可查看查询留痕记录")
    if filters.start and filters.end and filters.start >= filters.end:
        raise ValidationFailed(
            "开始时间须早于结束时间", errors={"from": ["开始时间须早于结束时间"]}
        )


def list_records(
    user: User, filters: Filters, page: int, page_size: int
) -> tuple[list[PiiAccess], int]:
    """One page of records, newest first, and how many match."""
    _check(user, filters)
    query = _query(filters)
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    items = db.session.scalars(
        query.order_by(PiiAccess.at.desc(), PiiAccess.id.desc())
        .limit(page_size)
        .offset((page - 1) * page_size)
    ).all()
    return list(items), total


HEADER = ("时间", "工作人员ID", "工作人员", "申请编号", "查看内容", "材料ID", "访问地址", "请求ID")


def export_xlsx(user: User, filters: Filters) -> bytes:
    """The matching records as an .xlsx workbook (newest first, at most EXPORT_LIMIT)."""
    _check(user, filters)
    book = Workbook(write_only=True)
    sheet = book.create_sheet("查询留痕")
    sheet.append(HEADER)
    rows = db.session.scalars(
        _query(filters).order_by(PiiAccess.at.desc(), PiiAccess.id.desc()).limit(EXPORT_LIMIT)
    )
    for r in rows:
        sheet.append(
            [
                safe_cell(v)
                for v in (
                    local_iso(r.at),
                    r.staff_id,
                    r.staff_name,
                    r.subject,
                    r.fields,
                    r.document_id or "",
                    r.route,
                    r.request_id,
                )
            ]
        )
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()
