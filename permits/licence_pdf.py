"""Licence certificates and mailing labels rendered as PDF bytes (ReportLab); signing is separate.

What goes where on the page is data: ``pdf_templates/<template>.yaml`` (see
:func:`pdf_templates.load_layout`). This module draws the blocks a layout names: the double
frame, title, licence number and electronic-licence identifier, the particulars table, the
validity line, the change note, the verification QR code, the issuer with its red seal, and
for the label the Code 128 barcode and the address blocks.

Text uses a CJK TrueType font when one is found (embedded as a subset) and ReportLab's
built-in ``STSong-Light`` CID font otherwise; either way the text can be extracted from the
PDF. Output is byte-for-byte the same for the same input (``invariant`` canvas).
"""

from __future__ import annotations

import dataclasses
import io
import itertools
from collections.abc import Sequence
from datetime import date
from typing import Any

from reportlab.graphics.barcode.code128 import Code128
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.lib.colors import HexColor, black, white
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from pdf_templates import load_layout
from pdf_templates.render.fonts import Typeface, select_typeface
from pdf_templates.render.text import (
    Align,
    draw_text,
    first_baseline,
    fitted_size,
    format_cn_date,
    wrap_text,
)
from pdf_templates.seal import draw_seal

_TEXT_GREY = HexColor("#555555")


@dataclasses.dataclass(frozen=True)
class LicenceDocument:
    """Everything printed on one licence certificate.

    ``fields`` are the particulars rows after the holder's row, in print order; the
    holder's own row (企业名称 / 姓名 …) is added from ``holder_name`` and the layout.
    """

    template: str
    title: str
    number: str
    identifier: str
    holder_name: str
    fields: Sequence[tuple[str, str]]
    valid_from: date
    valid_until: date
    issued_on: date
    issuer_name: str
    verification_url: str
    check_code: str
    change_note: str | None = None


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


class LicenceLayoutError(ValueError):
    """The document's content cannot be placed on its layout (for example far too long)."""


@dataclasses.dataclass(frozen=True)
class _Sheet:
    """A canvas plus what every drawing step needs: the typeface and the page height."""

    canvas: Canvas
    typeface: Typeface
    page_height: float

    def y(self, top_mm: float) -> float:
        """Canvas y (points, from the bottom) of a position given in mm from the top."""
        return self.page_height - top_mm * mm

    def width(self, text: str, size: float) -> float:
        return self.typeface.width(text, size)

    def text(self, x: float, y: float, text: str, size: float, *, align: Align = "left") -> None:
        draw_text(self.canvas, self.typeface, x, y, text, size, align=align)


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


def render_licence(doc: LicenceDocument, *, typeface: Typeface | None = None) -> bytes:
    """The certificate of ``doc`` as an unsigned one-page PDF in the layout ``doc.template``.

    ``typeface`` defaults to :func:`pdf_templates.render.fonts.select_typeface`'s choice.
    Raises :class:`pdf_templates.UnknownLayoutError` for an unknown template and
    :class:`LicenceLayoutError` when the particulars do not fit even at the smallest size.
    """
    layout = load_layout(doc.template)
    buffer = io.BytesIO()
    sheet = _open_sheet(buffer, layout["page"], typeface or select_typeface())
    sheet.canvas.setTitle(f"{doc.title} {doc.number}")
    sheet.canvas.setAuthor(doc.issuer_name)
    sheet.canvas.setSubject(doc.holder_name)
    _draw_frame(sheet, layout["frame"])
    _draw_title(sheet, layout["title"], layout["frame"], doc.title)
    _draw_references(sheet, layout["references"], layout["frame"], doc)
    if "photo" in layout:
        _draw_photo_box(sheet, layout["photo"])
    _draw_particulars(sheet, layout, doc)
    _draw_qr_block(sheet, layout["qr"], doc.verification_url, doc.check_code)
    _draw_issuer_block(sheet, layout["issuer"], layout["seal"], doc)
    if "note" in layout:
        _draw_note(sheet, layout["note"], layout["frame"])
    return _close_sheet(sheet, buffer)


def render_label(doc: LabelDocument, *, typeface: Typeface | None = None) -> bytes:
    """The mailing label of ``doc`` as a one-page 100 × 150 mm PDF with a Code 128 barcode."""
    layout = load_layout("label")
    buffer = io.BytesIO()
    sheet = _open_sheet(buffer, layout["page"], typeface or select_typeface())
    sheet.canvas.setTitle(f"邮寄面单 {doc.tracking_no}")
    sheet.canvas.setAuthor(doc.sender_name)
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
    return _close_sheet(sheet, buffer)


# --- canvas ----------------------------------------------------------------------------------


def _open_sheet(buffer: io.BytesIO, page: dict[str, Any], typeface: Typeface) -> _Sheet:
    size = (page["width_mm"] * mm, page["height_mm"] * mm)
    canvas = Canvas(
        buffer, pagesize=size, invariant=1, pageCompression=1, initialFontName=typeface.primary
    )
    canvas.setCreator("Zerovisit")
    return _Sheet(canvas=canvas, typeface=typeface, page_height=size[1])


def _close_sheet(sheet: _Sheet, buffer: io.BytesIO) -> bytes:
    sheet.canvas.showPage()
    sheet.canvas.save()
    return buffer.getvalue()


def _fitted_size(sheet: _Sheet, text: str, size: float, max_width: float) -> float:
    return fitted_size(sheet.typeface, text, size, max_width)


_first_baseline = first_baseline


# --- licence blocks --------------------------------------------------------------------------


def _frame_box(frame: dict[str, Any]) -> tuple[float, float]:
    """Left edge and width (points) of the frame's inner area."""
    inset = frame["gap_mm"] * mm
    return frame["x_mm"] * mm + inset, frame["width_mm"] * mm - 2 * inset


def _draw_frame(sheet: _Sheet, frame: dict[str, Any]) -> None:
    """The double border: a heavy outer line, a thin inner one and corner brackets."""
    canvas = sheet.canvas
    x, width = frame["x_mm"] * mm, frame["width_mm"] * mm
    top, height = sheet.y(frame["y_mm"]), frame["height_mm"] * mm
    gap = frame["gap_mm"] * mm
    canvas.saveState()
    canvas.setStrokeColor(HexColor(frame["color"]))
    canvas.setLineWidth(frame["outer_pt"])
    canvas.rect(x, top - height, width, height)
    canvas.setLineWidth(frame["inner_pt"])
    canvas.rect(x + gap, top - height + gap, width - 2 * gap, height - 2 * gap)
    _draw_corner_brackets(
        canvas,
        (x + gap, top - height + gap, width - 2 * gap, height - 2 * gap),
        frame["corner_mm"] * mm,
        1.5 * mm,
    )
    canvas.restoreState()


def _draw_corner_brackets(
    canvas: Canvas, box: tuple[float, float, float, float], length: float, inset: float
) -> None:
    left, bottom, width, height = box
    corners = (
        (left + inset, bottom + inset, 1, 1),
        (left + width - inset, bottom + inset, -1, 1),
        (left + inset, bottom + height - inset, 1, -1),
        (left + width - inset, bottom + height - inset, -1, -1),
    )
    for x, y, dx, dy in corners:
        canvas.line(x, y, x + dx * length, y)
        canvas.line(x, y, x, y + dy * length)


def _draw_title(sheet: _Sheet, spec: dict[str, Any], frame: dict[str, Any], title: str) -> None:
    inner_left, inner_width = _frame_box(frame)
    spacing = spec["char_space_pt"]
    size = _fitted_size(sheet, title, spec["size_pt"], inner_width - 16 * mm - spacing * len(title))
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
    sheet: _Sheet, spec: dict[str, Any], frame: dict[str, Any], doc: LicenceDocument
) -> None:
    """Licence number and electronic-licence identifier, centred under the title."""
    inner_left, inner_width = _frame_box(frame)
    lines = (f"编号：{doc.number}", f"电子证照标识：{doc.identifier}")
    for index, line in enumerate(lines):
        size = _fitted_size(sheet, line, spec["size_pt"], inner_width - 10 * mm)
        y = sheet.y(spec["y_mm"] + index * spec["line_mm"])
        sheet.text(inner_left + inner_width / 2, y, line, size, align="centre")


def _draw_photo_box(sheet: _Sheet, spec: dict[str, Any]) -> None:
    """An empty, dashed photo box with its caption (the paper card gets the photo pasted)."""
    canvas = sheet.canvas
    left, top = spec["x_mm"] * mm, sheet.y(spec["y_mm"])
    width, height = spec["width_mm"] * mm, spec["height_mm"] * mm
    canvas.saveState()
    canvas.setStrokeColor(_TEXT_GREY)
    canvas.setLineWidth(0.6)
    canvas.setDash(2, 2)
    canvas.rect(left, top - height, width, height)
    canvas.setFillColor(_TEXT_GREY)
    sheet.text(left + width / 2, top - height / 2, spec["caption"], spec["size_pt"], align="centre")
    canvas.restoreState()


def _particular_rows(doc: LicenceDocument, holder_label: str) -> list[tuple[str, str]]:
    return [(holder_label, doc.holder_name), *doc.fields]


def _plan_particulars(
    sheet: _Sheet, layout: dict[str, Any], doc: LicenceDocument, size: float
) -> _Particulars:
    table, validity, change = layout["table"], layout["validity"], layout["change_note"]
    padding = table["padding_mm"] * mm
    leading = size * table["line_spacing"]
    label_width = table["label_width_mm"] * mm - 2 * padding
    value_width = (table["width_mm"] - table["label_width_mm"]) * mm - 2 * padding
    rows = []
    for label, value in _particular_rows(doc, layout["holder_label"]):
        label_lines = wrap_text(label, sheet.typeface, size, label_width)
        value_lines = wrap_text(value, sheet.typeface, size, value_width)
        content = max(len(label_lines), len(value_lines)) * leading + 2 * padding
        rows.append(_Row(label_lines, value_lines, max(content, table["min_row_mm"] * mm)))
    change_lines = []
    if doc.change_note:
        change_lines = wrap_text(
            change["label"] + doc.change_note,
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
    sheet: _Sheet, layout: dict[str, Any], doc: LicenceDocument
) -> _Particulars:
    """The particulars at the largest font size (in half-point steps) that fits the region.

    Rows of a short table are then made taller (up to ``max_row_stretch_mm`` each) so the
    table fills the page instead of leaving a blank band above the seal.
    """
    table = layout["table"]
    available = (table["bottom_mm"] - table["y_mm"]) * mm
    size = table["size_pt"]
    while size >= table["min_size_pt"]:
        plan = _plan_particulars(sheet, layout, doc, size)
        if plan.height <= available:
            return _stretched(plan, available, table["max_row_stretch_mm"] * mm)
        size -= 0.5
    raise LicenceLayoutError("证照内容过长，无法排入证书版面，请精简许可范围等事项后重新生成。")


def _stretched(plan: _Particulars, available: float, max_stretch: float) -> _Particulars:
    extra = min((available - plan.height) / len(plan.rows), max_stretch)
    rows = [dataclasses.replace(row, height=row.height + extra) for row in plan.rows]
    return dataclasses.replace(plan, rows=rows, height=plan.height + extra * len(rows))


def _draw_particulars(sheet: _Sheet, layout: dict[str, Any], doc: LicenceDocument) -> None:
    plan = _fitting_particulars(sheet, layout, doc)
    table = layout["table"]
    bottom = _draw_table(sheet, table, plan)
    leading_factor = table["line_spacing"]
    validity = layout["validity"]
    top = bottom - validity["gap_mm"] * mm
    line_height = validity["size_pt"] * leading_factor
    sheet.canvas.setFillColor(black)
    validity_text = f"有效期：{format_cn_date(doc.valid_from)}至{format_cn_date(doc.valid_until)}"
    baseline = _first_baseline(top, validity["size_pt"], line_height)
    sheet.text(table["x_mm"] * mm, baseline, validity_text, validity["size_pt"])
    top -= line_height
    change_size = layout["change_note"]["size_pt"]
    for line in plan.change_lines:
        line_height = change_size * leading_factor
        baseline = _first_baseline(top, change_size, line_height)
        sheet.text(table["x_mm"] * mm, baseline, line, change_size)
        top -= line_height


def _draw_table(sheet: _Sheet, table: dict[str, Any], plan: _Particulars) -> float:
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
    sheet: _Sheet,
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
        sheet.text(left, _first_baseline(block_top - index * leading, size, leading), line, size)


def _draw_qr_block(sheet: _Sheet, spec: dict[str, Any], url: str, check_code: str) -> None:
    """The verification QR code (black on white, with its quiet zone) and its caption."""
    left, top, side = spec["x_mm"] * mm, sheet.y(spec["y_mm"]), spec["size_mm"] * mm
    draw_qr_code(sheet.canvas, url, left, top - side, side)
    caption = f"扫码核验 校验码：{check_code}"
    size = _fitted_size(sheet, caption, spec["caption_size_pt"], spec["caption_width_mm"] * mm)
    sheet.canvas.setFillColor(black)
    y = top - side - spec["caption_gap_mm"] * mm
    sheet.text(left + side / 2, y, caption, size, align="centre")


def draw_qr_code(canvas: Canvas, value: str, left: float, bottom: float, side: float) -> None:
    """A QR code (level M) of ``value`` whose modules fill a ``side`` × ``side`` square.

    The four-module quiet zone around it is painted white, outside that square. All dark
    modules go into one path, so viewers show no seams between neighbouring modules.
    """
    encoder = QrCodeWidget(value, barLevel="M").qr
    encoder.make()
    count = encoder.getModuleCount()
    module = side / count
    quiet = 4 * module
    canvas.saveState()
    canvas.setFillColor(white)
    canvas.rect(left - quiet, bottom - quiet, side + 2 * quiet, side + 2 * quiet, stroke=0, fill=1)
    path = canvas.beginPath()
    for row_index, row in enumerate(encoder.modules):
        column = 0
        for dark, run in itertools.groupby(bool(cell) for cell in row):
            length = len(list(run))
            if dark:
                y = bottom + side - (row_index + 1) * module
                path.rect(left + column * module, y, length * module, module)
            column += length
    canvas.setFillColor(black)
    canvas.drawPath(path, stroke=0, fill=1)
    canvas.restoreState()


def _draw_issuer_block(
    sheet: _Sheet, spec: dict[str, Any], seal: dict[str, Any], doc: LicenceDocument
) -> None:
    """Issuer and issue date, right-aligned as a block, with the seal stamped over them."""
    lines = (f"发证机关：{doc.issuer_name}", f"发证日期：{format_cn_date(doc.issued_on)}")
    size = spec["size_pt"]
    block_width = max(sheet.width(line, size) for line in lines)
    left = spec["right_mm"] * mm - block_width
    first_baseline = sheet.y(spec["y_mm"])
    sheet.canvas.setFillColor(black)
    for index, line in enumerate(lines):
        sheet.text(left, first_baseline - index * spec["line_mm"] * mm, line, size)
    value_left = left + sheet.width("发证机关：", size)
    middle_y = first_baseline - spec["line_mm"] * mm / 2 + size * 0.35
    draw_seal(
        sheet.canvas,
        center=(
            (value_left + left + block_width) / 2 + seal["dx_mm"] * mm,
            middle_y + seal["dy_mm"] * mm,
        ),
        radius=seal["radius_mm"] * mm,
        text=doc.issuer_name,
        typeface=sheet.typeface,
        color=HexColor(seal["color"]),
    )


def _draw_note(sheet: _Sheet, spec: dict[str, Any], frame: dict[str, Any]) -> None:
    inner_left, inner_width = _frame_box(frame)
    size = _fitted_size(sheet, spec["text"], spec["size_pt"], inner_width - 10 * mm)
    sheet.canvas.setFillColor(_TEXT_GREY)
    sheet.text(
        inner_left + inner_width / 2, sheet.y(spec["y_mm"]), spec["text"], size, align="centre"
    )


# --- label blocks ----------------------------------------------------------------------------


def _label_content_box(page: dict[str, Any]) -> tuple[float, float]:
    """Left edge and width (points) of the label inside its margins."""
    margin = page["margin_mm"] * mm
    return margin, page["width_mm"] * mm - 2 * margin


def _draw_label_grid(sheet: _Sheet, layout: dict[str, Any]) -> None:
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
    sheet: _Sheet, spec: dict[str, Any], page: dict[str, Any], carrier: str
) -> None:
    left, width = _label_content_box(page)
    padding = 3 * mm
    canvas = sheet.canvas
    canvas.setFillColor(black)
    carrier_size = _fitted_size(sheet, carrier, spec["carrier_size_pt"], width * 0.55)
    baseline = sheet.y(spec["baseline_mm"])
    sheet.text(left + padding, baseline, carrier, carrier_size)
    sheet.text(left + width - padding, baseline, spec["tag"], spec["tag_size_pt"], align="right")


def _draw_tracking_barcode(
    sheet: _Sheet, spec: dict[str, Any], page: dict[str, Any], tracking_no: str
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
    sheet: _Sheet, spec: dict[str, Any], page: dict[str, Any], headline: str, address: str
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
    headline_size = _fitted_size(sheet, headline, size, text_width)
    line_top = top - padding
    baseline = _first_baseline(line_top, headline_size, leading)
    sheet.text(text_left, baseline, headline, headline_size)
    address_size, lines = _fitting_address(sheet, spec, address, text_width)
    address_leading = address_size * 1.3
    line_top -= leading + spec["address_gap_mm"] * mm
    for line in lines:
        baseline = _first_baseline(line_top, address_size, address_leading)
        sheet.text(text_left, baseline, line, address_size)
        line_top -= address_leading


def _fitting_address(
    sheet: _Sheet, spec: dict[str, Any], address: str, width: float
) -> tuple[float, list[str]]:
    """The largest address size (half-point steps) that needs at most ``max_address_lines``."""
    size = spec["address_size_pt"]
    while size >= spec["min_address_size_pt"]:
        lines = wrap_text(address, sheet.typeface, size, width)
        if len(lines) <= spec["max_address_lines"]:
            return size, lines
        size -= 0.5
    raise LicenceLayoutError("地址过长，无法排入邮寄面单，请精简地址后重试。")


def _draw_label_reference(
    sheet: _Sheet, spec: dict[str, Any], page: dict[str, Any], reference: str
) -> None:
    left, width = _label_content_box(page)
    padding = 2.5 * mm
    canvas = sheet.canvas
    canvas.setFillColor(black)
    size = spec["size_pt"]
    leading = size * 1.4
    top = sheet.y(spec["y_mm"]) - padding
    for index, line in enumerate((f"申请编号：{reference}", spec["contents"])):
        line_size = _fitted_size(sheet, line, size, width - 2 * padding)
        baseline = _first_baseline(top - index * leading, line_size, leading)
        sheet.text(left + padding, baseline, line, line_size)
