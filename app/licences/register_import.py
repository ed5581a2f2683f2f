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

import base64
import csv
import hashlib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any, TypeVar, cast

from flask import current_app
from jsonschema import Draft202012Validator
from sqlalchemy import Table, insert, select
from sqlalchemy.exc import IntegrityError

from app.domain import timekeeping
from app.extensions import db
from app.licences.lifecycle import issuer_region
from app.models import Enterprise, Licence
from app.spreadsheet import looks_like_formula
from permits.catalogue import PermitType, get_catalogue, get_permit_type
from permits.identifiers import (
    credit_code_problem,
    credit_code_region,
    elicence_identifier,
    is_region_code,
    normalize_credit_code,
)
from permits.numbering import NumberingError, issuer_name

COLUMNS = (
    "number",
    "permit_type",
    "enterprise_name",
    "credit_code",
    "region_code",
    "legal_representative",
    "address",
    "valid_from",
    "valid_until",
)
LABELS = {
    "number": "许可证编号",
    "permit_type": "许可事项",
    "enterprise_name": "企业名称",
    "credit_code": "统一社会信用代码",
    "region_code": "行政区划代码",
    "legal_representative": "法定代表人",
    "address": "地址",
    "valid_from": "有效期起",
    "valid_until": "有效期至",
}
MAX_LENGTH = {
    "number": 64,
    "enterprise_name": 200,
    "legal_representative": 64,
    "address": 300,
}
NATIONAL_REGISTRATION = "100000"
LIST_SEPARATORS = re.compile(r"[;；、]")
CHUNK = 1000
# Rows go in through Core (executemany, no ORM objects); the declarative base types the
# mapped table only as a FromClause.
LICENCES = cast(Table, Licence.__table__)
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")

Progress = Callable[[str, int, int], None]  # (stage, rows done, rows in the stage)
Record = tuple[int, list[str], dict[str, str]]  # line, cells in COLUMNS order, optional cells

T = TypeVar("T")


@dataclass(frozen=True)
class RegisterRow:
    line: int
    number: str
    permit_type: str
    enterprise_name: str
    credit_code: str
    region_code: str
    legal_representative: str
    address: str
    valid_from: date
    valid_until: date
    particulars: dict[str, Any] = field(default_factory=dict)  # licence field → value


@dataclass(frozen=True)
class LineProblem:
    line: int  # 0: the file as a whole
    messages: tuple[str, ...]

    def __str__(self) -> str:
        where = f"第{self.line}行" if self.line else "文件"
        return f"{where}：{'；'.join(self.messages)}"


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


class FileRefused(Exception):
    """The file cannot be read as a register at all (encoding, header)."""


def _chunks(items: list[T], size: int = CHUNK) -> Iterator[list[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


# --- reading and checking each row on its own -----------------------------------------------


def particular_columns() -> tuple[str, ...]:
    """The optional columns: every licence field of the catalogue's enterprise permit types."""
    names = {
        name
        for permit_type in get_catalogue().values()
        if permit_type.holder == "enterprise"
        for name in permit_type.licence_fields
    }
    return tuple(sorted(names))


def _read(path: Path) -> Iterator[tuple[int, list[str], dict[str, str]]]:
    """(line number of the record's last line, cells in ``COLUMNS`` order, optional cells by
    column) for each data record.

    Columns may come in any order; blank records are left out.
    """
    with open(path, encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        try:
            header = [cell.strip() for cell in next(reader, [])]
            order = _column_order(header)
            optional = {name: header.index(name) for name in particular_columns() if name in header}
            width = len(order) + len(optional)
            for cells in reader:
                if not any(cell.strip() for cell in cells):
                    continue
                extras: dict[str, str] = {}
                if len(cells) == width:
                    extras = {name: cells[index].strip() for name, index in optional.items()}
                    cells = [cells[index] for index in order]
                yield reader.line_num, [cell.strip() for cell in cells], extras
        except UnicodeDecodeError:
            raise FileRefused(f"文件不是 UTF-8 编码（第{reader.line_num + 1}行附近）") from None
        except csv.Error as exc:
            raise FileRefused(f"第{reader.line_num}行不是有效的 CSV：{exc}") from None


def _column_order(header: list[str]) -> list[int]:
    """Where each of ``COLUMNS`` sits in the file's header; refuses a header that lacks one."""
    if not header:
        raise FileRefused("文件为空，第1行应为表头：" + ",".join(COLUMNS))
    missing = [c for c in COLUMNS if c not in header]
    unknown = [c for c in header if c not in COLUMNS and c not in particular_columns()]
    repeated = sorted({c for c in header if header.count(c) > 1})
    details = []
    if missing:
        details.append("缺少列 " + "、".join(missing))
    if unknown:
        details.append("未知的列 " + "、".join(unknown))
    if repeated:
        details.append("重复的列 " + "、".join(repeated))
    if details:
        raise FileRefused(f"第1行表头不正确（{'；'.join(details)}），应为：{','.join(COLUMNS)}")
    return [header.index(column) for column in COLUMNS]


def _date(value: str) -> date | None:
    if not _ISO_DATE.fullmatch(value):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


@cache
def _permit_type(code: str) -> PermitType | None:
    """The catalogue entry, looked up once per code: a register repeats a handful of codes."""
    return get_permit_type(code)


def _known_permit_type(code: str) -> PermitType:
    """The entry of a code ``_permit_type_problems`` has already accepted."""
    return get_catalogue()[code]


@cache
def _issuer_name(permit_type_code: str, region_code: str) -> str:
    return issuer_name(issuer_region(_known_permit_type(permit_type_code), region_code))


def _identity_problems(values: dict[str, str]) -> list[str]:
    problems = []
    credit_problem = credit_code_problem(values["credit_code"])
    if credit_problem:
        problems.append(f"统一社会信用代码：{credit_problem}")
    region_ok = is_region_code(values["region_code"])
    if not region_ok:
        problems.append("行政区划代码：不是有效的行政区划代码")
    if not credit_problem and region_ok:
        registered = credit_code_region(values["credit_code"])
        if registered != NATIONAL_REGISTRATION and registered[:2] != values["region_code"][:2]:
            problems.append("行政区划代码：与统一社会信用代码的登记地不在同一省份")
    return problems


def _permit_type_problems(values: dict[str, str]) -> list[str]:
    permit_type = _permit_type(values["permit_type"])
    if permit_type is None:
        return [f"许可事项：未知的许可事项代码“{values['permit_type']}”"]
    if permit_type.holder == "person":
        return [f"许可事项：{permit_type.name}由个人持有，本登记表格式不含持证人，不能导入"]
    if not is_region_code(values["region_code"]):
        return []
    try:
        _issuer_name(permit_type.code, values["region_code"])
    except NumberingError as exc:
        return [f"行政区划代码：{exc}"]
    return []


def _particulars(
    permit_type: PermitType | None, extras: dict[str, str]
) -> tuple[dict[str, Any], list[str]]:
    """The licence particulars of a row, checked against the type's new-application form."""
    given = {name: value for name, value in extras.items() if value}
    if permit_type is None or not given:
        return {}, []
    properties = permit_type.form_schema["new"].get("properties", {})
    values: dict[str, Any] = {}
    problems: list[str] = []
    for name, text in given.items():
        if name not in permit_type.licence_fields:
            problems.append(f"{name}：{permit_type.name}证书没有此记载事项")
            continue
        spec = properties.get(name, {"type": "string"})
        value: Any = text
        if spec.get("type") == "array":
            value = [item.strip() for item in LIST_SEPARATORS.split(text) if item.strip()]
        if next(Draft202012Validator(spec).iter_errors(value), None) is not None:
            problems.append(f"{permit_type.licence_fields[name]}：“{text}”不符合要求")
            continue
        values[name] = value
    return values, problems


def _check_cells(
    line: int, cells: list[str], extras: dict[str, str] | None = None
) -> RegisterRow | LineProblem:
    """A row whose every cell is acceptable on its own, or what is wrong with it."""
    if len(cells) != len(COLUMNS):
        return LineProblem(line, (f"应有{len(COLUMNS)}列，实际{len(cells)}列",))
    values = dict(zip(COLUMNS, cells, strict=True))
    values["credit_code"] = normalize_credit_code(values["credit_code"])
    problems = [f"{LABELS[name]}：不能为空" for name in COLUMNS if not values[name]]
    problems += [
        f"{LABELS[name]}：不能超过{limit}个字符"
        for name, limit in MAX_LENGTH.items()
        if len(values[name]) > limit
    ]
    problems += [
        # A spreadsheet would run it when an export of the register is opened (CSV injection).
        f"{LABELS[name]}：不能以 = + - @ 开头（电子表格会当作公式执行）"
        for name in COLUMNS
        if looks_like_formula(values[name])
    ]
    if problems:
        return LineProblem(line, tuple(problems))
    problems += _identity_problems(values) + _permit_type_problems(values)
    particulars, particular_problems = _particulars(
        _permit_type(values["permit_type"]), extras or {}
    )
    problems += particular_problems
    valid_from, valid_until = _date(values["valid_from"]), _date(values["valid_until"])
    for name, parsed in (("valid_from", valid_from), ("valid_until", valid_until)):
        if parsed is None:
            problems.append(f"{LABELS[name]}：应为YYYY-MM-DD格式的日期")
    if valid_from and valid_until and valid_until <= valid_from:
        problems.append("有效期至：应晚于有效期起")
    if problems or valid_from is None or valid_until is None:
        return LineProblem(line, tuple(problems))
    return RegisterRow(
        line=line,
        valid_from=valid_from,
        valid_until=valid_until,
        particulars=particulars,
        **{name: values[name] for name in COLUMNS if name not in ("valid_from", "valid_until")},
    )


# --- checks across rows and against the database --------------------------------------------


def _cross_row_problems(records: list[Record]) -> dict[int, list[str]]:
    """Numbers repeated in the file; one credit code under two names. Bad rows count too."""
    problems: dict[int, list[str]] = {}
    first_of_number: dict[str, int] = {}
    name_of_code: dict[str, tuple[str, int]] = {}
    for line, cells, _ in records:
        if len(cells) != len(COLUMNS):
            continue
        values = dict(zip(COLUMNS, cells, strict=True))
        number, name = values["number"], values["enterprise_name"]
        credit_code = normalize_credit_code(values["credit_code"])
        earlier = first_of_number.setdefault(number, line) if number else line
        if earlier != line:
            problems.setdefault(line, []).append(f"许可证编号：与第{earlier}行重复")
        if not (credit_code and name):
            continue
        first_name, name_line = name_of_code.setdefault(credit_code, (name, line))
        if first_name != name:
            problems.setdefault(line, []).append(
                f"企业名称：同一统一社会信用代码在第{name_line}行为“{first_name}”，与本行不一致"
            )
    return problems


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
    permit_type = _known_permit_type(row.permit_type)
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
    digest = hashlib.sha256(number.encode("utf-8")).digest()
    serial = "R" + base64.b32encode(digest).decode("ascii")[:16]
    type_code = _known_permit_type(permit_type_code).type_code
    return elicence_identifier(type_code, current_app.config["ISSUER_CREDIT_CODE"], serial, 1)


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
        "holder": {
            "name": row.enterprise_name,
            "credit_code": row.credit_code,
            "address": row.address,
            "legal_representative": row.legal_representative,
            "form": {"principal": row.legal_representative, **row.particulars},
        },
        "issuer_name": _issuer_name(row.permit_type, row.region_code),
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
        checked = _check_cells(line, cells, extras)
        if isinstance(checked, LineProblem):
            problems[line] = list(checked.messages)
        else:
            rows.append(checked)
        if progress is not None and (done % CHUNK == 0 or done == len(records)):
            progress("检查数据", done, len(records))
    for line, messages in _cross_row_problems(records).items():
        problems.setdefault(line, []).extend(messages)
    return rows, problems


def import_register(path: Path, progress: Progress | None = None) -> ImportSummary:
    """Check the whole register, then load it in one transaction — or load nothing.

    ``progress`` hears of three stages in turn: checking rows, comparing them with licences
    already registered, writing them.
    """
    summary = ImportSummary()
    try:
        records = list(_read(path))
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
