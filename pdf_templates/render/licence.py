"""Licence certificates rendered as unsigned PDF bytes; signing is a separate step.

What goes where on the page is data: ``pdf_templates/<template>.yaml`` (see
:func:`pdf_templates.load_layout`). This module draws the blocks a layout names: the double
frame, title, licence number and electronic-licence identifier, the particulars table with
the validity line and change note, the verification QR code, the issuer with its red seal.
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
    Sheet,
    draw_frame,
    draw_issuer_block,
    frame_box,
    open_sheet,
)
from pdf_templates.render.particulars import Particulars, draw_particulars
from pdf_templates.render.text import draw_text, format_cn_date


@dataclasses.dataclass(frozen=True)
class LicenceDocument:
    """Everything printed on one licence certificate.

    ``fields`` are the particulars rows after the holder's row, in print order; the
    holder's own row is ``holder_label`` (企业名称 / 单位名称 / 姓名, the catalogue's) and
    ``holder_name``.
    """

    template: str
    title: str
    number: str
    identifier: str
    holder_label: str
    holder_name: str
    fields: Sequence[tuple[str, str]]
    valid_from: date
    valid_until: date
    issued_on: date
    issuer_name: str
    verification_url: str
    check_code: str
    change_note: str | None = None


def render_licence(doc: LicenceDocument, *, typeface: Typeface | None = None) -> bytes:
    """The certificate of ``doc`` as an unsigned one-page PDF in the layout ``doc.template``.

    ``typeface`` defaults to :func:`pdf_templates.render.fonts.select_typeface`'s choice.
    Raises :class:`pdf_templates.UnknownLayoutError` for an unknown template and
    :class:`~pdf_templates.render.page.LayoutOverflowError` when the particulars do not fit
    even at the smallest size.
    """
    layout = load_layout(doc.template)
    sheet = open_sheet(layout["page"], typeface)
    draw_licence(sheet, layout, doc)
    return sheet.finish()


def draw_licence(sheet: Sheet, layout: dict[str, Any], doc: LicenceDocument) -> None:
    """Every block of the licence on ``sheet``: the PDF's canvas, or the OFD's (same layout)."""
    sheet.canvas.setTitle(f"{doc.title} {doc.number}")
    sheet.canvas.setAuthor(doc.issuer_name)
    sheet.canvas.setSubject(doc.holder_name)
    draw_frame(sheet, layout["frame"])
    _draw_title(sheet, layout["title"], layout["frame"], doc.title)
    _draw_references(sheet, layout["references"], layout["frame"], doc)
    if "photo" in layout:
        _draw_photo_box(sheet, layout["photo"])
    validity = f"有效期：{format_cn_date(doc.valid_from)}至{format_cn_date(doc.valid_until)}"
    rows = [(doc.holder_label, doc.holder_name), *doc.fields]
    draw_particulars(sheet, layout, Particulars(rows, validity, doc.change_note))
    _draw_qr_block(sheet, layout["qr"], doc.verification_url, doc.check_code)
    draw_issuer_block(sheet, layout["issuer"], layout["seal"], doc.issuer_name, doc.issued_on)
    if "note" in layout:
        _draw_note(sheet, layout["note"], layout["frame"])


def _draw_title(sheet: Sheet, spec: dict[str, Any], frame: dict[str, Any], title: str) -> None:
    inner_left, inner_width = frame_box(frame)
    spacing = spec["char_space_pt"]
    size = sheet.fitted_size(title, spec["size_pt"], inner_width - 16 * mm - spacing * len(title))
    sheet.canvas.saveState()
    sheet.canvas.setFillColor(HexColor(spec["color"]))
    draw_text(
        sheet.canvas,
        sheet.typeface,
        inner_left + inner_width / 2,
        sheet.y(spec["y_mm"]),
        title,
        size,
        align="centre",
        char_space=spacing,
    )
    sheet.canvas.restoreState()


def _draw_references(
    sheet: Sheet, spec: dict[str, Any], frame: dict[str, Any], doc: LicenceDocument
) -> None:
    """Licence number and electronic-licence identifier, centred under the title."""
    inner_left, inner_width = frame_box(frame)
    lines = (f"编号：{doc.number}", f"电子证照标识：{doc.identifier}")
    for index, line in enumerate(lines):
        size = sheet.fitted_size(line, spec["size_pt"], inner_width - 10 * mm)
        y = sheet.y(spec["y_mm"] + index * spec["line_mm"])
        sheet.text(inner_left + inner_width / 2, y, line, size, align="centre")


def _draw_photo_box(sheet: Sheet, spec: dict[str, Any]) -> None:
    """An empty, dashed photo box with its caption (the paper card gets the photo pasted)."""
    canvas = sheet.canvas
    left, top = spec["x_mm"] * mm, sheet.y(spec["y_mm"])
    width, height = spec["width_mm"] * mm, spec["height_mm"] * mm
    canvas.saveState()
    canvas.setStrokeColor(TEXT_GREY)
    canvas.setLineWidth(0.6)
    canvas.setDash(2, 2)
    canvas.rect(left, top - height, width, height)
    canvas.setFillColor(TEXT_GREY)
    sheet.text(left + width / 2, top - height / 2, spec["caption"], spec["size_pt"], align="centre")
    canvas.restoreState()


def _draw_qr_block(sheet: Sheet, spec: dict[str, Any], url: str, check_code: str) -> None:
    """The verification QR code (black on white, with its quiet zone) and its caption."""
    left, top, side = spec["x_mm"] * mm, sheet.y(spec["y_mm"]), spec["size_mm"] * mm
    sheet.qr_code(url, left, top - side, side)
    caption = f"扫码核验 校验码：{check_code}"
    size = sheet.fitted_size(caption, spec["caption_size_pt"], spec["caption_width_mm"] * mm)
    sheet.canvas.setFillColor(black)
    y = top - side - spec["caption_gap_mm"] * mm
    sheet.text(left + side / 2, y, caption, size, align="centre")


def _draw_note(sheet: Sheet, spec: dict[str, Any], frame: dict[str, Any]) -> None:
    inner_left, inner_width = frame_box(frame)
    size = sheet.fitted_size(spec["text"], spec["size_pt"], inner_width - 10 * mm)
    sheet.canvas.setFillColor(TEXT_GREY)
    sheet.text(
        inner_left + inner_width / 2, sheet.y(spec["y_mm"]), spec["text"], size, align="centre"
    )
