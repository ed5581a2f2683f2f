"""Written notices — a titled, numbered A4 page — as PDF bytes; signing is separate.

The generic page every statutory notice (受理通知书, 补正材料通知书, 不予受理决定书, 准予/不予
许可决定书 …) is made of, top to bottom: the title, the document number, the recipient line,
paragraphs (first line indented two characters), an optional table of items, closing
paragraphs, then the issuer and date at the bottom right with the red seal over them and an
optional small footer line. A specific notice is a small function that fills a
:class:`NoticeDocument` and calls :func:`render_notice`; the look is ``notice.yaml``.

Body text is set at the largest size (half-point steps, from ``body.size_pt`` down to
``body.min_size_pt``) at which everything fits above ``body.bottom_mm``; past that,
:class:`~pdf_templates.render.page.LayoutOverflowError` (one page, like the paper original).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import date
from typing import Any

from reportlab.lib.colors import HexColor, black
from reportlab.lib.units import mm

from pdf_templates import load_layout
from pdf_templates.render.fonts import Typeface
from pdf_templates.render.page import (
    TEXT_GREY,
    LayoutOverflowError,
    Sheet,
    draw_issuer_block,
    open_sheet,
)
from pdf_templates.render.text import draw_text, first_baseline, wrap_text

_INDENT = "\u3000\u3000"  # official documents indent a paragraph's first line two characters


@dataclasses.dataclass(frozen=True)
class NoticeDocument:
    """Everything printed on one written notice.

    ``recipient`` is printed as given (end it with ``：``). ``table_rows`` are rows of cells
    under ``table_header``; ``column_widths`` are relative widths (equal when empty).
    ``closing`` paragraphs follow the table. ``template`` names the layout file.
    """

    title: str
    number: str
    recipient: str
    paragraphs: Sequence[str]
    issuer_name: str
    issued_on: date
    table_header: Sequence[str] = ()
    table_rows: Sequence[Sequence[str]] = ()
    column_widths: Sequence[float] = ()
    closing: Sequence[str] = ()
    footer: str | None = None
    template: str = "notice"


@dataclasses.dataclass(frozen=True)
class _Block:
    """One laid-out piece of the body: text lines, or a table row (``cells`` with ``widths``)."""

    height: float
    lines: list[str] = dataclasses.field(default_factory=list)
    cells: list[list[str]] | None = None
    widths: list[float] = dataclasses.field(default_factory=list)
    header: bool = False


def render_notice(doc: NoticeDocument, *, typeface: Typeface | None = None) -> bytes:
    """``doc`` as an unsigned one-page A4 PDF in the layout ``doc.template``."""
    layout = load_layout(doc.template)
    sheet = open_sheet(layout["page"], typeface)
    sheet.canvas.setTitle(f"{doc.title} {doc.number}")
    sheet.canvas.setAuthor(doc.issuer_name)
    _draw_heading(sheet, layout, doc)
    size, blocks = _fitting_body(sheet, layout, doc)
    _draw_body(sheet, layout, size, blocks)
    draw_issuer_block(
        sheet, layout["issuer"], layout["seal"], doc.issuer_name, doc.issued_on, ("", "")
    )
    if doc.footer:
        footer = layout["footer"]
        sheet.canvas.setFillColor(TEXT_GREY)
        sheet.text(layout["margin_mm"] * mm, sheet.y(footer["y_mm"]), doc.footer, footer["size_pt"])
    return sheet.finish()


def _text_width(layout: dict[str, Any]) -> float:
    return (layout["page"]["width_mm"] - 2 * layout["margin_mm"]) * mm


def _draw_heading(sheet: Sheet, layout: dict[str, Any], doc: NoticeDocument) -> None:
    title, number = layout["title"], layout["number"]
    middle = layout["page"]["width_mm"] * mm / 2
    spacing = title["char_space_pt"]
    size = sheet.fitted_size(doc.title, title["size_pt"], _text_width(layout) - spacing * 40)
    sheet.canvas.saveState()
    sheet.canvas.setFillColor(HexColor(title["color"]))
    draw_text(
        sheet.canvas,
        sheet.typeface,
        middle,
        sheet.y(title["y_mm"]),
        doc.title,
        size,
        align="centre",
        char_space=spacing,
    )
    sheet.canvas.restoreState()
    sheet.canvas.setFillColor(black)
    sheet.text(middle, sheet.y(number["y_mm"]), doc.number, number["size_pt"], align="centre")


def _fitting_body(
    sheet: Sheet, layout: dict[str, Any], doc: NoticeDocument
) -> tuple[float, list[_Block]]:
    body = layout["body"]
    available = (body["bottom_mm"] - body["y_mm"]) * mm
    size = body["size_pt"]
    while size >= body["min_size_pt"]:
        blocks = _plan_body(sheet, layout, doc, size)
        if sum(block.height for block in blocks) <= available:
            return size, blocks
        size -= 0.5
    raise LayoutOverflowError("通知内容过长，无法排入一页，请精简后重新生成。")


def _plan_body(
    sheet: Sheet, layout: dict[str, Any], doc: NoticeDocument, size: float
) -> list[_Block]:
    body, table = layout["body"], layout["table"]
    width, leading = _text_width(layout), size * body["line_spacing"]
    gap = body["paragraph_gap_mm"] * mm

    def paragraph(text: str, indent: bool = True) -> _Block:
        lines = wrap_text((_INDENT if indent else "") + text, sheet.typeface, size, width)
        return _Block(len(lines) * leading + gap, lines)

    blocks = [paragraph(doc.recipient, indent=False)]
    blocks += [paragraph(text) for text in doc.paragraphs]
    if doc.table_rows:
        widths = _column_widths(doc, width)
        padding = table["padding_mm"] * mm
        rows = [(list(doc.table_header), True)] if doc.table_header else []
        rows += [(list(row), False) for row in doc.table_rows]
        blocks.append(_Block(table["gap_mm"] * mm))
        for cells, header in rows:
            wrapped = [
                wrap_text(cell, sheet.typeface, size, column - 2 * padding)
                for cell, column in zip(cells, widths, strict=True)
            ]
            height = max(len(lines) for lines in wrapped) * leading + 2 * padding
            blocks.append(_Block(height, cells=wrapped, widths=widths, header=header))
        blocks.append(_Block(table["gap_mm"] * mm))
    blocks += [paragraph(text) for text in doc.closing]
    return blocks


def _column_widths(doc: NoticeDocument, width: float) -> list[float]:
    count = len(doc.table_header or doc.table_rows[0])
    shares = list(doc.column_widths) or [1.0] * count
    if len(shares) != count or any(len(row) != count for row in doc.table_rows):
        raise ValueError("table_header, table_rows and column_widths disagree on columns")
    return [width * share / sum(shares) for share in shares]


def _draw_body(sheet: Sheet, layout: dict[str, Any], size: float, blocks: list[_Block]) -> None:
    body, table = layout["body"], layout["table"]
    left, leading = layout["margin_mm"] * mm, size * body["line_spacing"]
    top = sheet.y(body["y_mm"])
    sheet.canvas.setFillColor(black)
    for block in blocks:
        if block.cells is None:
            for index, line in enumerate(block.lines):
                baseline = first_baseline(top - index * leading, size, leading)
                sheet.text(left, baseline, line, size)
        else:
            _draw_table_row(sheet, table, (left, top), block, size, leading)
        top -= block.height


def _draw_table_row(
    sheet: Sheet,
    table: dict[str, Any],
    origin: tuple[float, float],
    block: _Block,
    size: float,
    leading: float,
) -> None:
    """One ruled row; a header row is shaded. ``origin`` is the row's top-left corner."""
    canvas = sheet.canvas
    left, top = origin
    padding = table["padding_mm"] * mm
    canvas.saveState()
    if block.header:
        canvas.setFillColor(HexColor(table["header_fill"]))
        canvas.rect(left, top - block.height, sum(block.widths), block.height, stroke=0, fill=1)
    canvas.setStrokeColor(HexColor(table["rule_color"]))
    canvas.setLineWidth(0.6)
    canvas.setFillColor(black)
    x = left
    for lines, width in zip(block.cells or [], block.widths, strict=True):
        canvas.rect(x, top - block.height, width, block.height, stroke=1, fill=0)
        for index, line in enumerate(lines):
            baseline = first_baseline(top - padding - index * leading, size, leading)
            sheet.text(x + padding, baseline, line, size)
        x += width
    canvas.restoreState()
