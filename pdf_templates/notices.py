"""Written notices and decisions of the licensing procedure, rendered to PDF.

One layout (``notice.yaml``) serves every kind: the issuing authority, the title
(受理通知书, 不予行政许可决定书 …), the notice number, the addressee, the body paragraphs
(an item list where a paragraph starts with ``- ``), the authority's name and date under its
seal, and on every page a footer with the case number. Text wraps character by character
and runs onto further pages. Signing is a separate step (``app.integrations.signer``).

Fonts and line breaking come from ``permits.licence_pdf`` until the shared rendering package
offers a notice-page primitive.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from typing import Any

from reportlab.lib.colors import HexColor
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas

from pdf_templates import load_layout
from pdf_templates.seal import draw_seal
from permits.licence_pdf import _registered_font, find_cjk_font, format_cn_date, wrap_text

ITEM_MARK = "- "


@dataclass(frozen=True)
class NoticeDocument:
    title: str
    number: str
    addressee: str
    paragraphs: tuple[str, ...]
    issuer_name: str
    issued_on: date
    case_number: str


class _Pages:
    """A canvas with a cursor that starts a new page when the text reaches the bottom."""

    def __init__(self, canvas: Canvas, layout: dict[str, Any], font: str, doc: NoticeDocument):
        self.canvas = canvas
        self.layout = layout
        self.font = font
        self.doc = doc
        page = layout["page"]
        self.height = page["height_mm"] * mm
        self.left = page["margin_mm"] * mm
        self.right = (page["width_mm"] - page["margin_mm"]) * mm
        self.bottom = page["bottom_mm"] * mm
        self.y = self.height - page["margin_mm"] * mm
        self.page_number = 1

    def at_mm(self, y_mm: float) -> float:
        return self.height - y_mm * mm

    def need(self, height: float) -> None:
        if self.y - height < self.bottom:
            self.footer()
            self.canvas.showPage()
            self.page_number += 1
            self.y = self.height - self.layout["page"]["margin_mm"] * mm

    def footer(self) -> None:
        spec = self.layout["footer"]
        self.canvas.setFont(self.font, spec["size_pt"])
        self.canvas.setFillColor(HexColor(spec["color"]))
        doc = self.doc
        text = f"申请编号：{doc.case_number}    文书编号：{doc.number}    第{self.page_number}页"
        self.canvas.drawCentredString(
            (self.left + self.right) / 2, spec["y_from_bottom_mm"] * mm, text
        )
        self.canvas.setFillColor(HexColor("#000000"))


def render_notice(doc: NoticeDocument, *, font_path: str | None = None) -> bytes:
    """The notice ``doc`` as an unsigned PDF in the ``notice`` layout."""
    layout = load_layout("notice")
    buffer = io.BytesIO()
    page = layout["page"]
    canvas = Canvas(
        buffer,
        pagesize=(page["width_mm"] * mm, page["height_mm"] * mm),
        invariant=1,
        pageCompression=1,
    )
    canvas.setCreator("Zerovisit")
    canvas.setTitle(f"{doc.title} {doc.number}")
    canvas.setAuthor(doc.issuer_name)
    pages = _Pages(canvas, layout, _registered_font(find_cjk_font(font_path)), doc)
    _draw_heading(pages)
    _draw_body(pages)
    _draw_signature(pages)
    pages.footer()
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _draw_heading(pages: _Pages) -> None:
    layout, canvas, doc = pages.layout, pages.canvas, pages.doc
    middle = (pages.left + pages.right) / 2
    canvas.setFont(pages.font, layout["issuer"]["size_pt"])
    canvas.drawCentredString(middle, pages.at_mm(layout["issuer"]["y_mm"]), doc.issuer_name)
    canvas.setFont(pages.font, layout["title"]["size_pt"])
    canvas.drawCentredString(middle, pages.at_mm(layout["title"]["y_mm"]), doc.title)
    number_y = pages.at_mm(layout["title"]["y_mm"] + layout["number"]["gap_mm"])
    canvas.setFont(pages.font, layout["number"]["size_pt"])
    canvas.drawCentredString(middle, number_y, doc.number)
    addressee_y = number_y - layout["addressee"]["gap_mm"] * mm
    canvas.setFont(pages.font, layout["addressee"]["size_pt"])
    canvas.drawString(pages.left, addressee_y, f"{doc.addressee}：")
    pages.y = addressee_y


def _draw_body(pages: _Pages) -> None:
    spec = pages.layout["body"]
    size = spec["size_pt"]
    leading = size * spec["leading"]
    em = pdfmetrics.stringWidth("中", pages.font, size)
    pages.canvas.setFont(pages.font, size)
    for paragraph in pages.doc.paragraphs:
        is_item = paragraph.startswith(ITEM_MARK)
        text = paragraph[len(ITEM_MARK) :] if is_item else paragraph
        indent = em * (spec["item_indent_chars"] if is_item else spec["indent_chars"])
        first = ("· " if is_item else "") + text
        lines = wrap_text(first, pages.font, size, pages.right - pages.left - indent)
        for index, line in enumerate(lines):
            pages.need(leading)
            pages.y -= leading
            pages.canvas.setFont(pages.font, size)
            left = pages.left + (indent if index == 0 or is_item else 0)
            pages.canvas.drawString(left, pages.y, line)
        pages.y -= spec["paragraph_gap_mm"] * mm


def _draw_signature(pages: _Pages) -> None:
    spec, seal = pages.layout["signature"], pages.layout["seal"]
    size = spec["size_pt"]
    pages.need(spec["gap_mm"] * mm + 2 * spec["line_mm"] * mm + seal["radius_mm"] * mm)
    right = pages.right - spec["right_mm"] * mm
    first = pages.y - spec["gap_mm"] * mm
    second = first - spec["line_mm"] * mm
    pages.canvas.setFont(pages.font, size)
    pages.canvas.drawCentredString(right, first, pages.doc.issuer_name)
    pages.canvas.drawCentredString(right, second, format_cn_date(pages.doc.issued_on))
    draw_seal(
        pages.canvas,
        center=(right + seal["dx_mm"] * mm, (first + second) / 2 + seal["dy_mm"] * mm),
        radius=seal["radius_mm"] * mm,
        text=pages.doc.issuer_name,
        font_name=pages.font,
        color=HexColor(seal["color"]),
    )
    pages.y = second
