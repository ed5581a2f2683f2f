"""QR codes drawn as vector paths (for the licence's verification link)."""

from __future__ import annotations

import itertools

from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.lib.colors import black, white
from reportlab.pdfgen.canvas import Canvas


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
