"""CSV and Excel files a spreadsheet will not execute.

Excel, WPS and LibreOffice treat a cell starting with ``=``, ``+``, ``-``, ``@`` (or a tab
or carriage return before one) as a formula, so ``=HYPERLINK(…)`` typed into a register
or a form would run on the office's machine when an export is opened (CSV injection).
Exports prefix such cells with an apostrophe; imports refuse them.
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from app.files import write_atomically

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def looks_like_formula(value: str) -> bool:
    return value.startswith(FORMULA_STARTS)


def safe_cell(value: object) -> str:
    """The cell text, neutralised with a leading apostrophe when it would be a formula."""
    text = "" if value is None else str(value)
    return f"'{text}" if looks_like_formula(text) else text


def write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[object]]) -> int:
    """Write a UTF-8 (with BOM, for Excel) CSV atomically; return the number of rows."""
    text = io.StringIO(newline="")
    writer = csv.writer(text)
    writer.writerow(header)
    count = 0
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])
        count += 1
    write_atomically(path, text.getvalue().encode("utf-8-sig"))
    return count


def write_xlsx(
    path: Path, sheet_title: str, header: Sequence[str], rows: Iterable[Sequence[object]]
) -> int:
    """Write an ``.xlsx`` workbook row by row (openpyxl's write-only mode keeps no rows in
    memory), text cells neutralised as in CSV; atomically; return the number of rows."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".xlsx")
    os.close(fd)
    count = 0
    try:
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet(sheet_title)
        sheet.append(list(header))
        for row in rows:
            sheet.append([_xlsx_cell(cell) for cell in row])
            count += 1
        workbook.save(tmp_name)
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    return count


def _xlsx_cell(value: object) -> object:
    """Numbers and dates stay typed; text that would run as a formula gets an apostrophe, and
    control characters the xlsx format cannot hold (typed or pasted into a form) show as
    U+FFFD instead of failing the whole export."""
    if value is None or isinstance(value, int | float | date | datetime):
        return value
    return ILLEGAL_CHARACTERS_RE.sub("\ufffd", safe_cell(value))
