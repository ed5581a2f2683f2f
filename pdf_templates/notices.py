"""Written notices and decisions of the licensing procedure, rendered to PDF.

One layout (``notice.yaml``) serves every kind: the issuing authority, the title
(受理通知书, 不予行政许可决定书 …), the notice number, the addressee, the body paragraphs
(an item list where a paragraph starts with ``- ``), the authority's name and date under its
seal, and on every page a footer with the case number. Text wraps character by character
and runs onto further pages. Signing is a separate step (``app.integrations.signer``).

Text is drawn through the glyph-safe typeface of ``pdf_templates.render`` (a font chain, each
run of text in the first font that has its glyphs), wrapped the way the licences wrap it.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from typing import Any

from reportlab.lib.colors import HexColor
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from pdf_templates import load_layout
from pdf_templates.render.fonts import Typeface, select_typeface
from pdf_templates.render.text import Align, draw_text, format_cn_date, wrap_text
from pdf_templates.seal import draw_seal

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

    def __init__(
        self, canvas: Canvas, layout: dict[str, Any], typeface: Typeface, doc: NoticeDocument
    ):
        self.canvas = canvas
        self.layout = layout
        self.typeface = typeface
        self.doc = doc
        page = layout["page"]
        self.height: float = page["height_mm"] * mm
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
        self.canvas.setFillColor(HexColor(spec["color"]))
        doc = self.doc
        text = f"申请编号：{doc.case_number}    文书编号：{doc.number}    第{self.page_number}页"
        self.text((self.left + self.right) / 2, spec["y_from_bottom_mm"] * mm, text, spec, "centre")
        self.canvas.setFillColor(HexColor("#000000"))

    def text(
        self, x: float, y: float, text: str, spec: dict[str, Any], align: Align = "left"
    ) -> None:
        draw_text(self.canvas, self.typeface, x, y, text, spec["size_pt"], align=align)


def render_notice(doc: NoticeDocument, *, typeface: Typeface | None = None) -> bytes:
    """The notice ``doc`` as an unsigned PDF in the ``notice`` layout; ``typeface`` defaults
    to :func:`pdf_templates.render.fonts.select_typeface`'s choice."""
    typeface = typeface or select_typeface()
    layout = load_layout("notice")
    buffer = io.BytesIO()
    page = layout["page"]
    canvas = Canvas(
        buffer,
        pagesize=(page["width_mm"] * mm, page["height_mm"] * mm),
        invariant=1,
        pageCompression=1,
        # types-reportlab types initialFontName as a number; reportlab takes a font name.
        initialFontName=typeface.primary,  # type: ignore[arg-type]
    )
    canvas.setCreator("Zerovisit")
    canvas.setTitle(f"{doc.title} {doc.number}")
    canvas.setAuthor(doc.issuer_name)
    pages = _Pages(canvas, layout, typeface, doc)
    _draw_heading(pages)
    _draw_body(pages)
    _draw_signature(pages)
    pages.footer()
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _draw_heading(pages: _Pages) -> None:
    layout, doc = pages.layout, pages.doc
    middle = (pages.left + pages.right) / 2
    issuer, title = layout["issuer"], layout["title"]
    pages.text(middle, pages.at_mm(issuer["y_mm"]), doc.issuer_name, issuer, "centre")
    pages.text(middle, pages.at_mm(title["y_mm"]), doc.title, title, "centre")
    number_y = pages.at_mm(title["y_mm"] + layout["number"]["gap_mm"])
    pages.text(middle, number_y, doc.number, layout["number"], "centre")
    addressee_y = number_y - layout["addressee"]["gap_mm"] * mm
    pages.text(pages.left, addressee_y, f"{doc.addressee}：", layout["addressee"])
    pages.y = addressee_y


def _draw_body(pages: _Pages) -> None:
    spec = pages.layout["body"]
    size = spec["size_pt"]
    leading = size * spec["leading"]
    em = pages.typeface.width("中", size)
    for paragraph in pages.doc.paragraphs:
        is_item = paragraph.startswith(ITEM_MARK)
        text = paragraph[len(ITEM_MARK) :] if is_item else paragraph
        indent = em * (spec["item_indent_chars"] if is_item else spec["indent_chars"])
        first = ("· " if is_item else "") + text
        lines = wrap_text(first, pages.typeface, size, pages.right - pages.left - indent)
        for index, line in enumerate(lines):
            pages.need(leading)
            pages.y -= leading
            left = pages.left + (indent if index == 0 or is_item else 0)
            pages.text(left, pages.y, line, spec)
        pages.y -= spec["paragraph_gap_mm"] * mm


def _draw_signature(pages: _Pages) -> None:
    spec, seal = pages.layout["signature"], pages.layout["seal"]
    pages.need(spec["gap_mm"] * mm + 2 * spec["line_mm"] * mm + seal["radius_mm"] * mm)
    right = pages.right - spec["right_mm"] * mm
    first = pages.y - spec["gap_mm"] * mm
    second = first - spec["line_mm"] * mm
    pages.text(right, first, pages.doc.issuer_name, spec, "centre")
    pages.text(right, second, format_cn_date(pages.doc.issued_on), spec, "centre")
    draw_seal(
        pages.canvas,
        center=(right + seal["dx_mm"] * mm, (first + second) / 2 + seal["dy_mm"] * mm),
        radius=seal["radius_mm"] * mm,
        text=pages.doc.issuer_name,
        typeface=pages.typeface,
        color=HexColor(seal["color"]),
    )
    pages.y = second
