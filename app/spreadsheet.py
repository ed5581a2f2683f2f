"""CSV text a spreadsheet will not execute.

Excel, WPS and LibreOffice treat a cell starting with ``=``, ``+``, ``-``, ``@`` (or a tab
or carriage return before one) as a formula, so ``=HYPERLINK(…)`` typed into a register
or a form would run on the office's machine when an export is opened (CSV injection).
Exports prefix such cells with an apostrophe; imports refuse them.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from pathlib import Path

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
