"""The page every printed document is drawn on, and the blocks documents share.

:func:`open_sheet` gives a :class:`Sheet` (canvas + typeface + page height) sized by a layout;
:func:`draw_frame` draws a certificate's double border; :func:`draw_issuer_block` prints the
issuer and date with the red seal over them (licences and written notices both end so).
"""

from __future__ import annotations

import dataclasses
import io
from datetime import date
from typing import Any

from reportlab.lib.colors import Color, HexColor, black
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from pdf_templates.render.fonts import Typeface, select_typeface
from pdf_templates.render.qr import draw_qr_code
from pdf_templates.render.text import Align, draw_text, fitted_size, format_cn_date
from pdf_templates.seal import draw_seal

TEXT_GREY = HexColor("#555555")


class LayoutOverflowError(ValueError):
    """The content cannot be placed on its layout (for example far too long); Chinese message."""


@dataclasses.dataclass(frozen=True)
class Sheet:
    """One page being drawn: the canvas, the typeface and the page height.

    Positions in layouts are millimetres from the page's top-left corner; :meth:`y` turns
    them into ReportLab's points from the bottom.
    """

    canvas: Canvas
    typeface: Typeface
    page_height: float
    buffer: io.BytesIO

    def y(self, top_mm: float) -> float:
        """Canvas y (points, from the bottom) of a position given in mm from the top."""
        return self.page_height - top_mm * mm

    def width(self, text: str, size: float) -> float:
        return self.typeface.width(text, size)

    def text(self, x: float, y: float, text: str, size: float, *, align: Align = "left") -> None:
        """Draw ``text`` at baseline ``y`` in the current fill colour (see :func:`draw_text`)."""
        draw_text(self.canvas, self.typeface, x, y, text, size, align=align)

    def fitted_size(self, text: str, size: float, max_width: float) -> float:
        """``size``, or smaller so that ``text`` fits on one line of ``max_width``."""
        return fitted_size(self.typeface, text, size, max_width)

    def qr_code(self, value: str, left: float, bottom: float, side: float) -> None:
        """The QR code of ``value`` filling the square at ``left``, ``bottom`` (points)."""
        draw_qr_code(self.canvas, value, left, bottom, side)

    def seal(self, center: tuple[float, float], radius: float, text: str, color: Color) -> None:
        """The issuer's seal centred on ``center`` (points); the OFD sheet places its picture."""
        draw_seal(
            self.canvas,
            center=center,
            radius=radius,
            text=text,
            typeface=self.typeface,
            color=color,
        )

    def finish(self) -> bytes:
        """End the page and return the document's bytes."""
        self.canvas.showPage()
        self.canvas.save()
        return self.buffer.getvalue()


def open_sheet(page: dict[str, Any], typeface: Typeface | None = None) -> Sheet:
    """A one-page document of the layout's ``page`` size (``width_mm``, ``height_mm``).

    Output is byte-for-byte the same for the same drawing (``invariant`` canvas).
    ``typeface`` defaults to :func:`~pdf_templates.render.fonts.select_typeface`'s choice.
    """
    typeface = typeface or select_typeface()
    size = (page["width_mm"] * mm, page["height_mm"] * mm)
    buffer = io.BytesIO()
    canvas = Canvas(
        buffer,
        pagesize=size,
        invariant=1,
        pageCompression=1,
        # types-reportlab types initialFontName as a number; reportlab takes a font name.
        initialFontName=typeface.primary,  # type: ignore[arg-type]
    )
    canvas.setCreator("Zerovisit")
    return Sheet(canvas=canvas, typeface=typeface, page_height=size[1], buffer=buffer)


def frame_box(frame: dict[str, Any]) -> tuple[float, float]:
    """Left edge and width (points) of the frame's inner area."""
    inset = frame["gap_mm"] * mm
    return frame["x_mm"] * mm + inset, frame["width_mm"] * mm - 2 * inset


def draw_frame(sheet: Sheet, frame: dict[str, Any]) -> None:
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


def draw_issuer_block(
    sheet: Sheet,
    spec: dict[str, Any],
    seal: dict[str, Any],
    issuer_name: str,
    issued_on: date,
    labels: tuple[str, str] = ("发证机关：", "发证日期："),
) -> None:
    """Issuer and date, right-aligned as a block, with the issuer's seal stamped over them.

    ``spec``: ``right_mm`` (the block's right edge), ``y_mm`` (first baseline), ``line_mm``,
    ``size_pt``; ``seal``: ``radius_mm``, ``dx_mm``, ``dy_mm``, ``color``.
    """
    lines = (f"{labels[0]}{issuer_name}", f"{labels[1]}{format_cn_date(issued_on)}")
    size = spec["size_pt"]
    block_width = max(sheet.width(line, size) for line in lines)
    left = spec["right_mm"] * mm - block_width
    baseline = sheet.y(spec["y_mm"])
    sheet.canvas.setFillColor(black)
    for index, line in enumerate(lines):
        sheet.text(left, baseline - index * spec["line_mm"] * mm, line, size)
    value_left = left + sheet.width(labels[0], size)
    middle_y = baseline - spec["line_mm"] * mm / 2 + size * 0.35
    sheet.seal(
        (
            (value_left + left + block_width) / 2 + seal["dx_mm"] * mm,
            middle_y + seal["dy_mm"] * mm,
        ),
        seal["radius_mm"] * mm,
        issuer_name,
        HexColor(seal["color"]),
    )
