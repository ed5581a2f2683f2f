"""The 100 × 150 mm mailing label for posting a paper certificate, as PDF bytes.

Layout data: ``pdf_templates/label.yaml``. A carrier header, the tracking number as a Code 128
barcode with the number under it, the recipient and sender blocks, and the case reference.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from reportlab.graphics.barcode.code128 import Code128
from reportlab.lib.colors import black, white
from reportlab.lib.units import mm

from pdf_templates import load_layout
from pdf_templates.render.fonts import Typeface
from pdf_templates.render.page import LayoutOverflowError, Sheet, open_sheet
from pdf_templates.render.text import first_baseline, wrap_text


@dataclasses.dataclass(frozen=True)
class LabelDocument:
    """A 100 × 150 mm mailing label for posting the paper certificate."""

    sender_name: str
    sender_address: str
    sender_phone: str
    recipient: str
    phone_masked: str
    address: str
    carrier: str
    tracking_no: str
    reference: str


def render_label(doc: LabelDocument, *, typeface: Typeface | None = None) -> bytes:
    """The mailing label of ``doc`` as a one-page 100 × 150 mm PDF with a Code 128 barcode."""
    layout = load_layout("label")
    sheet = open_sheet(layout["page"], typeface)
    sheet.canvas.setTitle(f"邮寄面单 {doc.tracking_no}")
    sheet.canvas.setAuthor(doc.sender_name)
    _draw_label(sheet, layout, doc)
    return sheet.finish()


def render_labels(docs: list[LabelDocument], *, typeface: Typeface | None = None) -> bytes:
    """Many mailing labels, one per page, in one PDF (the dispatcher prints them at once)."""
    layout = load_layout("label")
    sheet = open_sheet(layout["page"], typeface)
    sheet.canvas.setTitle(f"邮寄面单（{len(docs)}张）")
    for index, doc in enumerate(docs):
        if index:
            sheet.canvas.showPage()
        _draw_label(sheet, layout, doc)
    return sheet.finish()


def _draw_label(sheet: Sheet, layout: dict[str, Any], doc: LabelDocument) -> None:
    _draw_label_grid(sheet, layout)
    _draw_label_header(sheet, layout["header"], layout["page"], doc.carrier)
    _draw_tracking_barcode(sheet, layout["barcode"], layout["page"], doc.tracking_no)
    _draw_party(
        sheet,
        layout["recipient"],
        layout["page"],
        f"{doc.recipient}  {doc.phone_masked}",
        doc.address,
    )
    _draw_party(
        sheet,
        layout["sender"],
        layout["page"],
        f"{doc.sender_name}  {doc.sender_phone}",
        doc.sender_address,
    )
    _draw_label_reference(sheet, layout["reference"], layout["page"], doc.reference)


def _label_content_box(page: dict[str, Any]) -> tuple[float, float]:
    """Left edge and width (points) of the label inside its margins."""
    margin = page["margin_mm"] * mm
    return margin, page["width_mm"] * mm - 2 * margin


def _draw_label_grid(sheet: Sheet, layout: dict[str, Any]) -> None:
    """The label's outer box and the rules between its sections."""
    page = layout["page"]
    left, width = _label_content_box(page)
    margin = page["margin_mm"]
    canvas = sheet.canvas
    canvas.setStrokeColor(black)
    canvas.setLineWidth(1.2)
    canvas.rect(left, margin * mm, width, (page["height_mm"] - 2 * margin) * mm)
    canvas.setLineWidth(0.8)
    for section in ("barcode", "recipient", "sender", "reference"):
        y = sheet.y(layout[section]["y_mm"])
        canvas.line(left, y, left + width, y)


def _draw_label_header(
    sheet: Sheet, spec: dict[str, Any], page: dict[str, Any], carrier: str
) -> None:
    left, width = _label_content_box(page)
    padding = 3 * mm
    canvas = sheet.canvas
    canvas.setFillColor(black)
    carrier_size = sheet.fitted_size(carrier, spec["carrier_size_pt"], width * 0.55)
    baseline = sheet.y(spec["baseline_mm"])
    sheet.text(left + padding, baseline, carrier, carrier_size)
    sheet.text(left + width - padding, baseline, spec["tag"], spec["tag_size_pt"], align="right")


def _draw_tracking_barcode(
    sheet: Sheet, spec: dict[str, Any], page: dict[str, Any], tracking_no: str
) -> None:
    """Code 128 of the tracking number, centred, with the number printed under it."""
    left, width = _label_content_box(page)
    bar_width = spec["bar_width_mm"] * mm
    barcode = _code128(tracking_no, bar_width, spec["bar_height_mm"] * mm)
    if barcode.width > width:
        barcode = _code128(
            tracking_no, bar_width * width / barcode.width, spec["bar_height_mm"] * mm
        )
    bars_top = sheet.y(spec["y_mm"] + spec["top_padding_mm"])
    barcode.drawOn(sheet.canvas, left + (width - barcode.width) / 2, bars_top - barcode.height)
    sheet.canvas.setFillColor(black)
    y = bars_top - barcode.height - spec["text_gap_mm"] * mm
    sheet.text(left + width / 2, y, tracking_no, spec["text_size_pt"], align="centre")


def _code128(value: str, bar_width: float, bar_height: float) -> Code128:
    return Code128(value, barWidth=bar_width, barHeight=bar_height, humanReadable=0, quiet=1)


def _draw_party(
    sheet: Sheet, spec: dict[str, Any], page: dict[str, Any], headline: str, address: str
) -> None:
    """A 收/寄 badge, then the name and phone on one line and the wrapped address below."""
    left, width = _label_content_box(page)
    canvas = sheet.canvas
    top = sheet.y(spec["y_mm"])
    badge = spec["badge_mm"] * mm
    padding = 2.5 * mm
    canvas.setFillColor(black)
    canvas.rect(left + padding, top - padding - badge, badge, badge, stroke=0, fill=1)
    canvas.setFillColor(white)
    badge_x, badge_y = left + padding + badge / 2, top - padding - badge * 0.78
    sheet.text(badge_x, badge_y, spec["badge"], badge * 0.7, align="centre")
    text_left = left + 2 * padding + badge
    text_width = left + width - padding - text_left
    canvas.setFillColor(black)
    size = spec["size_pt"]
    leading = size * 1.3
    headline_size = sheet.fitted_size(headline, size, text_width)
    line_top = top - padding
    baseline = first_baseline(line_top, headline_size, leading)
    sheet.text(text_left, baseline, headline, headline_size)
    address_size, lines = _fitting_address(sheet, spec, address, text_width)
    address_leading = address_size * 1.3
    line_top -= leading + spec["address_gap_mm"] * mm
    for line in lines:
        baseline = first_baseline(line_top, address_size, address_leading)
        sheet.text(text_left, baseline, line, address_size)
        line_top -= address_leading


def _fitting_address(
    sheet: Sheet, spec: dict[str, Any], address: str, width: float
) -> tuple[float, list[str]]:
    """The largest address size (half-point steps) that needs at most ``max_address_lines``."""
    size = spec["address_size_pt"]
    while size >= spec["min_address_size_pt"]:
        lines = wrap_text(address, sheet.typeface, size, width)
        if len(lines) <= spec["max_address_lines"]:
            return size, lines
        size -= 0.5
    raise LayoutOverflowError("地址过长，无法排入邮寄面单，请精简地址后重试。")


def _draw_label_reference(
    sheet: Sheet, spec: dict[str, Any], page: dict[str, Any], reference: str
) -> None:
    left, width = _label_content_box(page)
    padding = 2.5 * mm
    canvas = sheet.canvas
    canvas.setFillColor(black)
    size = spec["size_pt"]
    leading = size * 1.4
    top = sheet.y(spec["y_mm"]) - padding
    for index, line in enumerate((f"申请编号：{reference}", spec["contents"])):
        line_size = sheet.fitted_size(line, size, width - 2 * padding)
        baseline = first_baseline(top - index * leading, line_size, leading)
        sheet.text(left + padding, baseline, line, line_size)
