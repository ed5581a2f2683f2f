"""The particulars table of a licence: rows planned at the largest size that fits, then drawn."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

from reportlab.lib.colors import HexColor, black
from reportlab.lib.units import mm

from pdf_templates.render.page import LayoutOverflowError, Sheet
from pdf_templates.render.text import first_baseline, wrap_text


@dataclasses.dataclass(frozen=True)
class Particulars:
    """What the table shows: ``(label, value)`` rows, the validity line, an optional note."""

    rows: Sequence[tuple[str, str]]
    validity: str
    change_note: str | None = None


@dataclasses.dataclass(frozen=True)
class _Row:
    label_lines: list[str]
    value_lines: list[str]
    height: float


@dataclasses.dataclass(frozen=True)
class _Particulars:
    """The particulars table and the lines under it, laid out for one font size."""

    size: float
    rows: list[_Row]
    change_lines: list[str]
    height: float


def _plan_particulars(
    sheet: Sheet, layout: dict[str, Any], content: Particulars, size: float
) -> _Particulars:
    table, validity, change = layout["table"], layout["validity"], layout["change_note"]
    padding = table["padding_mm"] * mm
    leading = size * table["line_spacing"]
    label_width = table["label_width_mm"] * mm - 2 * padding
    value_width = (table["width_mm"] - table["label_width_mm"]) * mm - 2 * padding
    rows = []
    for label, value in content.rows:
        label_lines = wrap_text(label, sheet.typeface, size, label_width)
        value_lines = wrap_text(value, sheet.typeface, size, value_width)
        needed = max(len(label_lines), len(value_lines)) * leading + 2 * padding
        rows.append(_Row(label_lines, value_lines, max(needed, table["min_row_mm"] * mm)))
    change_lines = []
    if content.change_note:
        change_lines = wrap_text(
            change["label"] + content.change_note,
            sheet.typeface,
            change["size_pt"],
            table["width_mm"] * mm,
        )
    height = (
        sum(row.height for row in rows)
        + validity["gap_mm"] * mm
        + validity["size_pt"] * table["line_spacing"]
        + len(change_lines) * change["size_pt"] * table["line_spacing"]
    )
    return _Particulars(size, rows, change_lines, height)


def _fitting_particulars(
    sheet: Sheet, layout: dict[str, Any], content: Particulars
) -> _Particulars:
    """The particulars at the largest font size (in half-point steps) that fits the region.

    Rows of a short table are then made taller (up to ``max_row_stretch_mm`` each) so the
    table fills the page instead of leaving a blank band above the seal.
    """
    table = layout["table"]
    available = (table["bottom_mm"] - table["y_mm"]) * mm
    size = table["size_pt"]
    while size >= table["min_size_pt"]:
        plan = _plan_particulars(sheet, layout, content, size)
        if plan.height <= available:
            return _stretched(plan, available, table["max_row_stretch_mm"] * mm)
        size -= 0.5
    raise LayoutOverflowError("证照内容过长，无法排入证书版面，请精简许可范围等事项后重新生成。")


def _stretched(plan: _Particulars, available: float, max_stretch: float) -> _Particulars:
    extra = min((available - plan.height) / len(plan.rows), max_stretch)
    rows = [dataclasses.replace(row, height=row.height + extra) for row in plan.rows]
    return dataclasses.replace(plan, rows=rows, height=plan.height + extra * len(rows))


def draw_particulars(sheet: Sheet, layout: dict[str, Any], content: Particulars) -> None:
    """The ruled two-column table, then the validity line and any change note under it.

    Layout keys: ``table`` (position, sizes, colours), ``validity``, ``change_note``.
    Raises :class:`LayoutOverflowError` when it does not fit even at the smallest size.
    """
    plan = _fitting_particulars(sheet, layout, content)
    table = layout["table"]
    bottom = _draw_table(sheet, table, plan)
    leading_factor = table["line_spacing"]
    validity = layout["validity"]
    top = bottom - validity["gap_mm"] * mm
    line_height = validity["size_pt"] * leading_factor
    sheet.canvas.setFillColor(black)
    validity_text = content.validity
    baseline = first_baseline(top, validity["size_pt"], line_height)
    sheet.text(table["x_mm"] * mm, baseline, validity_text, validity["size_pt"])
    top -= line_height
    change_size = layout["change_note"]["size_pt"]
    for line in plan.change_lines:
        line_height = change_size * leading_factor
        baseline = first_baseline(top, change_size, line_height)
        sheet.text(table["x_mm"] * mm, baseline, line, change_size)
        top -= line_height


def _draw_table(sheet: Sheet, table: dict[str, Any], plan: _Particulars) -> float:
    """Draw the ruled particulars table; return the canvas y of its bottom edge."""
    canvas = sheet.canvas
    left, top = table["x_mm"] * mm, sheet.y(table["y_mm"])
    width, label_width = table["width_mm"] * mm, table["label_width_mm"] * mm
    padding = table["padding_mm"] * mm
    leading = plan.size * table["line_spacing"]
    height = sum(row.height for row in plan.rows)
    canvas.saveState()
    canvas.setFillColor(HexColor(table["label_fill"]))
    canvas.rect(left, top - height, label_width, height, stroke=0, fill=1)
    canvas.setStrokeColor(HexColor(table["rule_color"]))
    row_top = top
    for row in plan.rows:
        _draw_cell_lines(
            sheet, row.label_lines, left + padding, row_top, row.height, plan.size, leading
        )
        _draw_cell_lines(
            sheet,
            row.value_lines,
            left + label_width + padding,
            row_top,
            row.height,
            plan.size,
            leading,
        )
        row_top -= row.height
        canvas.setLineWidth(0.5)
        canvas.line(left, row_top, left + width, row_top)
    canvas.line(left + label_width, top, left + label_width, top - height)
    canvas.setLineWidth(1.1)
    canvas.rect(left, top - height, width, height)
    canvas.restoreState()
    return top - height


def _draw_cell_lines(
    sheet: Sheet,
    lines: list[str],
    left: float,
    top: float,
    height: float,
    size: float,
    leading: float,
) -> None:
    """Draw ``lines`` left-aligned and centred vertically in a cell starting at ``top``."""
    sheet.canvas.setFillColor(black)
    block_top = top - (height - len(lines) * leading) / 2
    for index, line in enumerate(lines):
        sheet.text(left, first_baseline(block_top - index * leading, size, leading), line, size)
