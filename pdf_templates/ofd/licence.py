"""Licence certificates as OFD packages, drawn by the PDF's own layout code.

:func:`render_licence_ofd` runs :func:`pdf_templates.render.licence.draw_licence` on an
:class:`OfdSheet`, whose canvas records OFD objects (:mod:`pdf_templates.ofd.canvas`). Two
blocks differ in how, not where, they are drawn: the QR code becomes one path in millimetres,
and the seal is the seal's picture (the PNG inside the electronic seal, so the stamp the
signature shows and the one on the page are the same image).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from typing import cast

from reportlab.lib.colors import Color, black, white
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from pdf_templates import load_layout
from pdf_templates.ofd.canvas import OfdCanvas
from pdf_templates.ofd.package import DocInfo, Image, OfdPackage, build_package
from pdf_templates.render.fonts import Typeface, select_typeface
from pdf_templates.render.licence import LicenceDocument, draw_licence
from pdf_templates.render.page import Sheet
from pdf_templates.render.qr import qr_matrix

SEAL_IMAGE_ID = 50
_DARK_RUN = re.compile(rb"\x01+")


@dataclasses.dataclass(frozen=True)
class OfdSheet(Sheet):
    """A :class:`Sheet` whose canvas is an :class:`OfdCanvas`; see the module docstring."""

    ofd: OfdCanvas = dataclasses.field(default_factory=lambda: OfdCanvas(0, 0))
    stamp: list[tuple[float, float, float, float]] = dataclasses.field(default_factory=list)

    def qr_code(self, value: str, left: float, bottom: float, side: float) -> None:
        rows = qr_matrix(value)
        quiet = 4 * side / len(rows)
        self.ofd.saveState()
        self.ofd.setFillColor(white)
        self.ofd.rect(left - quiet, bottom - quiet, side + 2 * quiet, side + 2 * quiet, 0, 1)
        self.ofd.setFillColor(black)
        box = (left / mm, (self.page_height - bottom - side) / mm, side / mm, side / mm)
        self.ofd.path(_module_path(rows), stroke=False, fill=True, box=box, units=len(rows))
        self.ofd.restoreState()

    def seal(self, center: tuple[float, float], radius: float, text: str, color: Color) -> None:
        left, top = (center[0] - radius) / mm, (self.page_height - center[1] - radius) / mm
        side = 2 * radius / mm
        self.ofd.image(SEAL_IMAGE_ID, left, top, side, side)
        self.stamp.append((left, top, side, side))


def _module_path(rows: Sequence[bytes]) -> str:
    """One closed rectangle per horizontal run of dark modules, in whole module units."""
    return " ".join(
        f"M {run.start()} {y} L {run.end()} {y} L {run.end()} {y + 1} L {run.start()} {y + 1} C"
        for y, row in enumerate(rows)
        for run in _DARK_RUN.finditer(row)
    )


def render_licence_ofd(
    doc: LicenceDocument,
    *,
    info: DocInfo,
    seal_png: bytes,
    typeface: Typeface | None = None,
    signed: bool = True,
) -> OfdPackage:
    """The certificate of ``doc`` as an (unsigned) OFD package in the layout ``doc.template``.

    ``signed``: ``OFD.xml`` names ``Signatures.xml``, which the signer adds. Raises what
    :func:`pdf_templates.render.render_licence` raises for an unknown or overflowing layout.
    """
    layout = load_layout(doc.template)
    width, height = layout["page"]["width_mm"] * mm, layout["page"]["height_mm"] * mm
    canvas = OfdCanvas(width, height)
    sheet = OfdSheet(
        canvas=cast(Canvas, canvas),
        typeface=typeface or select_typeface(),
        page_height=height,
        buffer=None,  # type: ignore[arg-type]
        ofd=canvas,
    )
    draw_licence(sheet, layout, doc)
    images: Sequence[Image] = [Image(SEAL_IMAGE_ID, "seal.png", seal_png)]
    stamp = sheet.stamp[0] if sheet.stamp else None
    return build_package(canvas, info, images, stamp, signed=signed)
