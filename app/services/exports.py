""".xlsx exports of the office's lists: the queue, the cases, the licences (and the expiring
ones), the request desk — with the list's filters, personal data masked, every export
recorded (who, when, which list and filter, how many rows).

Rows are read in batches and written by openpyxl's write-only workbook, so an export of
100 000 licences neither holds them all in memory nor the sheet (bench/ measures it).
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Select

from app import timekeeping
from app.domain import clock
from app.domain.transaction import commit
from app.extensions import db
from app.licences.access import licence_query
from app.licences.lifecycle import STATUS_LABELS, licence_status, note_successors
from app.models import Application, EnterpriseRequest, ExportRecord, Licence, User
from app.spreadsheet import write_xlsx
from permits.catalogue import get_catalogue
from permits.identifiers import mask_id_number, mask_phone
from workflows.definitions import get_workflow

BATCH = 1000
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

CASE_HEADER = (
    "申请编号",
    "事项",
    "申请类型",
    "企业名称",
    "统一社会信用代码",
    "状态",
    "承办人",
    "提交时间",
    "期限届满日",
    "剩余工作日",
    "是否超期",
    "收件人",
    "联系电话",
    "作业人员身份证号",
)
LICENCE_HEADER = (
    "许可证编号",
    "事项",
    "持证单位",
    "统一社会信用代码",
    "有效期自",
    "有效期至",
    "状态",
    "持证人身份证号",
)
REQUEST_HEADER = ("编号", "企业名称", "主题", "标题", "状态", "答复期限", "提交时间")
KIND_LABELS = {"new": "新办", "renewal": "延续", "change": "变更"}


@dataclass(frozen=True)
class ExportFile:
    path: Path
    filename: str
    rows: int


def _permit_name(code: str) -> str:
    permit_type = get_catalogue().get(code)
    return permit_type.name if permit_type else code


def case_row(application: Application) -> list[Any]:
    """One case as the office reads it in a spreadsheet; a person's data masked."""
    deadline = clock.deadline(application)
    form = application.form or {}
    delivery = application.delivery or {}
    owner = application.assignee
    worker_id = form.get("worker_id_number")
    return [
        application.number,
        _permit_name(application.permit_type),
        KIND_LABELS.get(application.kind, application.kind),
        application.enterprise.name,
        application.enterprise.credit_code,
        get_workflow(application.kind).label(application.state),
        (owner.display_name or owner.username) if owner else "",
        timekeeping.local_iso(application.submitted_at) or "",
        deadline.due if deadline else None,
        deadline.working_days_left if deadline else None,
        "是" if deadline and deadline.overdue else "否",
        delivery.get("recipient", ""),
        mask_phone(delivery.get("phone", "")),
        mask_id_number(worker_id) if isinstance(worker_id, str) and worker_id else "",
    ]


def licence_row(licence: Licence, today: Any) -> list[Any]:
    holder = licence.holder or {}
    worker_id = (holder.get("form") or {}).get("worker_id_number")
    return [
        licence.number,
        _permit_name(licence.permit_type),
        holder.get("name", ""),
        holder.get("credit_code", ""),
        licence.valid_from,
        licence.valid_until,
        STATUS_LABELS.get(licence_status(licence, today), ""),
        mask_id_number(worker_id) if isinstance(worker_id, str) and worker_id else "",
    ]


def request_row(item: EnterpriseRequest) -> list[Any]:
    return [
        item.id,
        item.enterprise.name,
        item.topic,
        item.title,
        item.state,
        item.due_on,
        timekeeping.local_iso(item.created_at),
    ]


def pages(fetch: Callable[[int, int], tuple[list, int]]) -> Iterator[Any]:
    """Every item of a paged list function ``fetch(page, page_size)``, page by page."""
    page = 1
    while True:
        items, total = fetch(page, BATCH)
        yield from items
        if not items or page * BATCH >= total:
            return
        page += 1


def streamed_licences(query: Select) -> Iterator[Licence]:
    """The licences of ``query`` in batches of ``BATCH`` (a server-side cursor on
    PostgreSQL), each batch's renewals looked up in one statement (``licence_status``)."""
    for batch in db.session.scalars(query.execution_options(yield_per=BATCH)).partitions():
        note_successors(list(batch))
        yield from batch


def export(
    user: User,
    kind: str,
    filters: dict,
    header: Sequence[str],
    rows: Iterable[Sequence[Any]],
) -> ExportFile:
    """Write the rows to a temporary ``.xlsx`` and record the export (the caller sends the
    file and removes it)."""
    directory = Path(tempfile.mkdtemp(prefix="zv-export-"))
    stamp = timekeeping.now().astimezone(timekeeping.OFFICE_TZ)
    filename = f"{kind}-{stamp:%Y%m%d-%H%M%S}.xlsx"
    path = directory / filename
    count = write_xlsx(path, kind, header, rows)
    shown = {k: v for k, v in filters.items() if v not in (None, "", False)}
    db.session.add(ExportRecord(staff_id=user.id, kind=kind, filters=shown, rows=count))
    commit()
    return ExportFile(path=path, filename=filename, rows=count)


def export_licences(user: User, filters: dict) -> ExportFile:
    """The licence list (``expiring_within_days`` set: the expiring list) as ``.xlsx``."""
    query = licence_query(
        user,
        enterprise_id=filters.get("enterprise_id"),
        status=filters.get("status"),
        expiring_within_days=filters.get("expiring_within_days"),
        text=filters.get("q"),
    ).order_by(Licence.valid_until, Licence.id)
    today = timekeeping.today()
    kind = "expiring" if filters.get("expiring_within_days") is not None else "licences"
    rows = (licence_row(licence, today) for licence in streamed_licences(query))
    return export(user, kind, filters, LICENCE_HEADER, rows)


def export_cases(
    user: User, kind: str, filters: dict, fetch: Callable[[int, int], tuple[list, int]]
) -> ExportFile:
    """A list of cases (the queue or the case list), read page by page through ``fetch``."""
    return export(user, kind, filters, CASE_HEADER, (case_row(a) for a in pages(fetch)))


def export_requests(
    user: User, filters: dict, fetch: Callable[[int, int], tuple[list, int]]
) -> ExportFile:
    return export(user, "requests", filters, REQUEST_HEADER, (request_row(r) for r in pages(fetch)))
