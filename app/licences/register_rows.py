"""Reading and checking a licence register file (``register_import``'s first half).

Each record is read in ``COLUMNS`` order (plus the optional particulars' columns) and checked
on its own (``check_cells``) and against the other rows (``cross_row_problems``); nothing here
touches the database.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

from app.domain.permit_types import require_permit_type
from app.licences.lifecycle import issuer_region
from app.spreadsheet import looks_like_formula
from permits.catalogue import PermitType, get_catalogue, get_permit_type
from permits.identifiers import (
    credit_code_problem,
    credit_code_region,
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
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")

Record = tuple[int, list[str], dict[str, str]]  # line, cells in COLUMNS order, optional cells


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


class FileRefused(Exception):
    """The file cannot be read as a register at all (encoding, header)."""


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


def read_records(path: Path) -> Iterator[tuple[int, list[str], dict[str, str]]]:
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
def cached_permit_type(code: str) -> PermitType | None:
    """The catalogue entry, looked up once per code: a register repeats a handful of codes."""
    return get_permit_type(code)


@cache
def cached_issuer_name(permit_type_code: str, region_code: str) -> str:
    # Called for rows whose permit type has passed the checks: the catalogue has it.
    return issuer_name(issuer_region(require_permit_type(permit_type_code), region_code))


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
    permit_type = cached_permit_type(values["permit_type"])
    if permit_type is None:
        return [f"许可事项：未知的许可事项代码“{values['permit_type']}”"]
    if permit_type.holder == "person":
        return [f"许可事项：{permit_type.name}由个人持有，本登记表格式不含持证人，不能导入"]
    if not is_region_code(values["region_code"]):
        return []
    try:
        cached_issuer_name(permit_type.code, values["region_code"])
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


def check_cells(
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
        cached_permit_type(values["permit_type"]), extras or {}
    )
    problems += particular_problems
    valid_from, valid_until = _date(values["valid_from"]), _date(values["valid_until"])
    for name, parsed in (("valid_from", valid_from), ("valid_until", valid_until)):
        if parsed is None:
            problems.append(f"{LABELS[name]}：应为YYYY-MM-DD格式的日期")
    if valid_from and valid_until and valid_until <= valid_from:
        problems.append("有效期至：应晚于有效期起")
    if problems or valid_from is None or valid_until is None:  # (a None date is a problem)
        return LineProblem(line, tuple(problems))
    return RegisterRow(
        line=line,
        valid_from=valid_from,
        valid_until=valid_until,
        particulars=particulars,
        **{name: values[name] for name in COLUMNS if name not in ("valid_from", "valid_until")},
    )


# --- checks across rows --------------------------------------------------------------------


def cross_row_problems(records: list[Record]) -> dict[int, list[str]]:
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
