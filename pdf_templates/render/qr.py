"""QR codes drawn as one vector path (for the licence's verification link).

The module matrix comes from ``segno`` with a fixed mask pattern. Trying all eight masks and
scoring each (what encoders do by default) only makes large same-coloured areas a little
rarer; for the short URLs on licences it cost ten times the encoding itself (ReportLab's
encoder: ~30 ms a licence), and any mask decodes the same. The scan tests decode every page.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence

import segno
from reportlab.lib.colors import black, white
from reportlab.pdfgen.canvas import Canvas

_MASK = 0
_DARK_RUN = re.compile(rb"\x01+")


@functools.lru_cache(maxsize=64)
def qr_matrix(value: str) -> tuple[bytes, ...]:
    """Rows of the QR code (level M) of ``value``: 1 = dark module, no quiet zone.

    Remembered for the last few values: issuing a licence draws its code twice, on the PDF
    and then on the OFD, and segno's pure-Python encoding is about 0.9 ms each time. The
    rows are immutable, so one caller cannot change what the next one draws.
    """
    return tuple(
        bytes(row) for row in segno.make_qr(value, error="m", boost_error=False, mask=_MASK).matrix
    )


def draw_qr_code(canvas: Canvas, value: str, left: float, bottom: float, side: float) -> None:
    """A QR code (level M) of ``value`` whose modules fill a ``side`` × ``side`` square.

    The four-module quiet zone around it is painted white, outside that square. All dark
    modules go into one path (a rectangle per horizontal run), so viewers show no seams
    between neighbouring modules. The path is written in module units under one scaling
    transform: whole numbers, a few hundred short operators, instead of formatting every
    coordinate through ReportLab's path object (most of a licence's drawing time).
    """
    rows = qr_matrix(value)
    module = side / len(rows)
    quiet = 4 * module
    canvas.saveState()
    canvas.setFillColor(white)
    canvas.rect(left - quiet, bottom - quiet, side + 2 * quiet, side + 2 * quiet, stroke=0, fill=1)
    canvas.setFillColor(black)
    canvas.transform(module, 0, 0, module, left, bottom)
    canvas.addLiteral(_module_path(rows) + "f")
    canvas.restoreState()


def _module_path(rows: Sequence[bytes]) -> str:
    """PDF path operators for the dark modules, one ``re`` per run, in module units.

    Row 0 is the top row; the origin is the code's bottom-left corner.
    """
    top = len(rows) - 1
    return "".join(
        f"{run.start()} {top - row_index} {run.end() - run.start()} 1 re\n"
        for row_index, row in enumerate(rows)
        for run in _DARK_RUN.finditer(row)
    )
