"""Loading an office's existing licence register (a UTF-8 CSV) into Zerovisit.

All or nothing: every row is checked first (permit type, credit code, region, dates, numbers
repeated in the file, one enterprise name per credit code, numbers already in the database)
and when any row is bad nothing is loaded and each bad line is named — line numbers as a
spreadsheet shows them, the header being line 1. Otherwise the whole file loads in one
transaction, in multi-row inserts of ``CHUNK`` rows.

Idempotent by licence number: a row whose number is already registered with the same data
counts as unchanged; one whose number is registered with *different* data is refused,
because an imported licence may since have been renewed, changed or revoked, and a register
must not silently rewrite it (correct it through those procedures instead).

Enterprises are matched by credit code or created without a manager: the first applicant who
registers that credit code claims it (``enterprises.register_enterprise``). Imported licences
get ``source="imported"``, an electronic-licence identifier whose serial is derived from the
number (``R`` + 16 base32 characters of its SHA-256, so it never collides with issued
serials), the issuing authority's name, ``issued_on = valid_from`` (the register does not say)
and the legal representative as the prefilled principal of a later renewal form. Their signed
PDFs are rendered right after the load commits (``licence_documents.render_missing_pdfs``, which
``flask licences import`` runs, and ``flask licences render-pdfs`` repeats after a crash), not
in this transaction: a register of thousands loads in seconds either way.

Besides ``COLUMNS``, a file may carry optional columns named after the permit types' licence
fields (``business_premises``, ``storage_address``, ``trading_mode``, ``licensed_scope``, …;
see ``particular_columns``): their values are checked against the type's new-application
form and recorded as the licence's particulars, so a renewal or change carries them on. A
list field (``licensed_scope``) takes items separated by ``；``, ``;`` or ``、``.

Special-operations certificates are held by a person, whom this format does not name: such
rows are refused.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar, cast

from flask import current_app
from sqlalchemy import Table, insert, select
from sqlalchemy.exc import IntegrityError

from app import timekeeping
from app.domain.permit_types import require_permit_type
from app.extensions import db
from app.licences.holder import holder_record
from app.licences.register_rows import (
    LABELS,
    FileRefused,
    LineProblem,
    Record,
    RegisterRow,
    cached_issuer_name,
    check_cells,
    cross_row_problems,
    read_records,
)
from app.models import Enterprise, Licence
from permits.identifiers import register_elicence_identifier

CHUNK = 1000
# Rows go in through Core (executemany, no ORM objects); the declarative base types the
# mapped table only as a FromClause.
LICENCES = cast(Table, Licence.__table__)
Progress = Callable[[str, int, int], None]  # (stage, rows done, rows in the stage)
T = TypeVar("T")


@dataclass
class ImportSummary:
    rows: int = 0
    loaded: int = 0
    unchanged: int = 0
    refused: int = 0  # bad rows; when any, nothing was loaded
    enterprises_created: int = 0
    problems: list[LineProblem] = field(default_factory=list)

    @property
    def accepted(self) -> bool:
        return not self.problems


def _chunks(items: list[T], size: int = CHUNK) -> Iterator[list[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


# --- checks against the database ------------------------------------------------------------


STORED_COLUMNS = (
    Licence.number,
    Licence.permit_type,
    Licence.region_code,
    Licence.holder,
    Licence.valid_from,
    Licence.valid_until,
    Enterprise.credit_code,
)


def _differences(stored: Any, row: RegisterRow) -> list[str]:
    """Labels of the fields where the registered licence differs from ``row``."""
    holder = stored.holder or {}
    comparisons = {
        "permit_type": (stored.permit_type, row.permit_type),
        "credit_code": (stored.credit_code, row.credit_code),
        "region_code": (stored.region_code, row.region_code),
        "enterprise_name": (holder.get("name"), row.enterprise_name),
        "legal_representative": (holder.get("legal_representative"), row.legal_representative),
        "address": (holder.get("address"), row.address),
        "valid_from": (stored.valid_from, row.valid_from),
        "valid_until": (stored.valid_until, row.valid_until),
    }
    differing = [LABELS[name] for name, (known, given) in comparisons.items() if known != given]
    recorded = holder.get("form") or {}
    permit_type = require_permit_type(row.permit_type)  # a checked row: the type is known
    return differing + [
        permit_type.licence_fields[name]
        for name, value in row.particulars.items()
        if recorded.get(name) != value
    ]


def _existing_numbers(
    rows: list[RegisterRow], progress: Progress | None
) -> tuple[set[str], dict[int, list[str]]]:
    """Numbers already registered with the same data, and problems of those that differ."""
    unchanged: set[str] = set()
    problems: dict[int, list[str]] = {}
    done = 0
    for chunk in _chunks(rows):
        by_number = {row.number: row for row in chunk}
        stored_rows = db.session.execute(
            select(*STORED_COLUMNS)
            .join(Enterprise, Enterprise.id == Licence.enterprise_id)
            .where(Licence.number.in_(by_number))
        ).all()
        for stored in stored_rows:
            row = by_number[stored.number]
            differences = _differences(stored, row)
            if differences:
                problems[row.line] = [
                    f"许可证编号：已登记且内容不同（{'、'.join(differences)}），"
                    "已导入的许可证请通过延续、变更或撤销办理"
                ]
            else:
                unchanged.add(row.number)
        done += len(chunk)
        if progress is not None:
            progress("比对已登记的许可证", done, len(rows))
    return unchanged, problems


# --- loading -------------------------------------------------------------------------------


def _identifier(permit_type_code: str, number: str) -> str:
    type_code = require_permit_type(permit_type_code).type_code
    return register_elicence_identifier(type_code, current_app.config["ISSUER_CREDIT_CODE"], number)


def _enterprise_ids(rows: list[RegisterRow]) -> tuple[dict[str, int], int]:
    """Enterprise id per credit code, creating the unknown ones; and how many were created."""
    first_rows: dict[str, RegisterRow] = {}
    for row in rows:
        first_rows.setdefault(row.credit_code, row)
    ids: dict[str, int] = {}
    for codes in _chunks(list(first_rows)):
        found = db.session.execute(
            select(Enterprise.credit_code, Enterprise.id).where(Enterprise.credit_code.in_(codes))
        ).all()
        ids.update({code: id_ for code, id_ in found})
    now = timekeeping.now()
    missing = [first_rows[code] for code in first_rows if code not in ids]
    for chunk in _chunks(missing):
        created = db.session.execute(
            insert(Enterprise).returning(Enterprise.credit_code, Enterprise.id),
            [
                {
                    "name": row.enterprise_name,
                    "credit_code": row.credit_code,
                    "legal_representative": row.legal_representative,
                    "address": row.address,
                    "region_code": row.region_code,
                    "contact_phone": "",
                    "manager_id": None,
                    "bad_credit": False,
                    "created_at": now,
                    "updated_at": now,
                }
                for row in chunk
            ],
        ).all()
        ids.update({code: id_ for code, id_ in created})
    return ids, len(missing)


def _licence_values(row: RegisterRow, enterprise_id: int, now: Any) -> dict:
    return {
        "number": row.number,
        "identifier": _identifier(row.permit_type, row.number),
        "permit_type": row.permit_type,
        "enterprise_id": enterprise_id,
        "region_code": row.region_code,
        "holder": holder_record(
            row.enterprise_name,
            row.credit_code,
            row.address,
            row.legal_representative,
            {"principal": row.legal_representative, **row.particulars},
        ),
        "issuer_name": cached_issuer_name(row.permit_type, row.region_code),
        "issued_on": row.valid_from,
        "valid_from": row.valid_from,
        "valid_until": row.valid_until,
        "source": "imported",
        "version": 1,
        "created_at": now,
        "updated_at": now,
    }


def _load(rows: list[RegisterRow], summary: ImportSummary, progress: Progress | None) -> None:
    enterprise_ids, summary.enterprises_created = _enterprise_ids(rows)
    now = timekeeping.now()
    for chunk in _chunks(rows):
        db.session.execute(
            insert(LICENCES),
            [_licence_values(row, enterprise_ids[row.credit_code], now) for row in chunk],
        )
        summary.loaded += len(chunk)
        if progress is not None:
            progress("写入许可证", summary.loaded, len(rows))


def _check_all(
    records: list[Record], progress: Progress | None
) -> tuple[list[RegisterRow], dict[int, list[str]]]:
    rows: list[RegisterRow] = []
    problems: dict[int, list[str]] = {}
    for done, (line, cells, extras) in enumerate(records, start=1):
        checked = check_cells(line, cells, extras)
        if isinstance(checked, LineProblem):
            problems[line] = list(checked.messages)
        else:
            rows.append(checked)
        if progress is not None and (done % CHUNK == 0 or done == len(records)):
            progress("检查数据", done, len(records))
    for line, messages in cross_row_problems(records).items():
        problems.setdefault(line, []).extend(messages)
    return rows, problems


def import_register(path: Path, progress: Progress | None = None) -> ImportSummary:
    """Check the whole register, then load it in one transaction — or load nothing.

    ``progress`` hears of three stages in turn: checking rows, comparing them with licences
    already registered, writing them.
    """
    summary = ImportSummary()
    try:
        records = list(read_records(path))
    except FileRefused as exc:
        summary.problems = [LineProblem(0, (str(exc),))]
        return summary
    summary.rows = len(records)
    rows, problems = _check_all(records, progress)
    if not summary.rows:
        summary.problems = [LineProblem(0, ("文件中没有许可证数据",))]
        return summary
    good = [row for row in rows if row.line not in problems]
    unchanged, stored_problems = _existing_numbers(good, progress)
    for line, messages in stored_problems.items():
        problems.setdefault(line, []).extend(messages)
    if problems:
        summary.refused = len(problems)
        summary.problems = [LineProblem(line, tuple(problems[line])) for line in sorted(problems)]
        db.session.rollback()
        return summary
    summary.unchanged = len(unchanged)
    try:
        _load([row for row in rows if row.number not in unchanged], summary, progress)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        summary.loaded = summary.enterprises_created = 0
        summary.problems = [
            LineProblem(
                0, ("导入期间有其他操作写入了相同的许可证或企业，未导入任何数据，请重新导入",)
            )
        ]
    return summary
