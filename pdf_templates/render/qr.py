"""QR codes drawn as one vector path (for the licence's verification link).

The module matrix comes from ``segno`` with a fixed mask pattern. Trying all eight masks and
scoring each (what encoders do by default) only makes large same-coloured areas a little
rarer; for the short URLs on licences it cost ten times the encoding itself (ReportLab's
encoder: ~30 ms a licence), and any mask decodes the same. The scan tests decode every page.
"""

from __future__ import annotations

import itertools

import segno
from reportlab.lib.colors import black, white
from reportlab.pdfgen.canvas import Canvas

_MASK = 0


def qr_matrix(value: str) -> list[bytearray]:
    """Rows of the QR code (level M) of ``value``: 1 = dark module, no quiet zone."""
    return list(segno.make_qr(value, error="m", boost_error=False, mask=_MASK).matrix)


def draw_qr_code(canvas: Canvas, value: str, left: float, bottom: float, side: float) -> None:
    """A QR code (level M) of ``value`` whose modules fill a ``side`` × ``side`` square.

    The four-module quiet zone around it is painted white, outside that square. All dark
    modules go into one path (a rectangle per horizontal run), so viewers show no seams
    between neighbouring modules.
    """
    rows = qr_matrix(value)
    module = side / len(rows)
    quiet = 4 * module
    canvas.saveState()
    canvas.setFillColor(white)
    canvas.rect(left - quiet, bottom - quiet, side + 2 * quiet, side + 2 * quiet, stroke=0, fill=1)
    path = canvas.beginPath()
    for row_index, row in enumerate(rows):
        column = 0
        y = bottom + side - (row_index + 1) * module
        for dark, run in itertools.groupby(row):
            length = len(list(run))
            if dark:
                path.rect(left + column * module, y, length * module, module)
            column += length
    canvas.setFillColor(black)
    canvas.drawPath(path, stroke=0, fill=1)
    canvas.restoreState()
