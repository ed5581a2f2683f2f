"""The issuing authority's red seal (公章), drawn with plain ReportLab canvas operations.

Like an inked official seal it is a red ring with the authority's name running clockwise
along the top arc and a five-pointed star in the middle. It is painted with the *Multiply*
blend mode, so black text underneath stays black and legible, the way ink looks on paper.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from reportlab.lib.colors import Color
from reportlab.pdfgen.canvas import Canvas

if TYPE_CHECKING:  # only for annotations: the renderer imports this module
    from pdf_templates.render.fonts import Typeface

_RING_SHARE = 0.065  # ring width as a share of the radius
_STAR_SHARE = 0.30  # star's outer radius as a share of the seal's radius
_TEXT_SHARE = 0.31  # preferred glyph size as a share of the radius
_MAX_ARC_DEGREES = 240.0  # the name never runs further round than this
_CHAR_SQUEEZE = 0.82  # seal lettering is drawn narrower than it is tall


def draw_seal(
    canvas: Canvas,
    *,
    center: tuple[float, float],
    radius: float,
    text: str,
    typeface: Typeface,
    color: Color,
) -> None:
    """Draw the seal centred on ``center`` (points) with the given outer ``radius``."""
    canvas.saveState()
    canvas.setBlendMode("Multiply")
    canvas.setStrokeColor(color)
    canvas.setFillColor(color)
    ring = radius * _RING_SHARE
    canvas.setLineWidth(ring)
    canvas.circle(center[0], center[1], radius - ring / 2, stroke=1, fill=0)
    _draw_star(canvas, center, radius * _STAR_SHARE)
    _draw_arc_text(canvas, center, radius - ring, text, typeface)
    canvas.restoreState()


def star_points(center: tuple[float, float], outer_radius: float) -> list[tuple[float, float]]:
    """The ten corners of an upright five-pointed star, outer and inner alternating."""
    inner_radius = outer_radius * math.sin(math.radians(18)) / math.sin(math.radians(126))
    points = []
    for index in range(10):
        angle = math.radians(90 + index * 36)
        reach = outer_radius if index % 2 == 0 else inner_radius
        points.append((center[0] + reach * math.cos(angle), center[1] + reach * math.sin(angle)))
    return points


def _draw_star(canvas: Canvas, center: tuple[float, float], outer_radius: float) -> None:
    points = star_points(center, outer_radius)
    path = canvas.beginPath()
    path.moveTo(*points[0])
    for point in points[1:]:
        path.lineTo(*point)
    path.close()
    canvas.drawPath(path, stroke=0, fill=1)


def _draw_arc_text(
    canvas: Canvas, center: tuple[float, float], inner_radius: float, text: str, typeface: Typeface
) -> None:
    """Place each character upright along the top arc, evenly spaced, reading clockwise."""
    characters = list(text.strip())
    if not characters:
        return
    size, baseline_radius, step = _arc_metrics(len(characters), inner_radius)
    first_angle = 90.0 + step * (len(characters) - 1) / 2
    for index, character in enumerate(characters):
        angle = first_angle - index * step
        canvas.saveState()
        canvas.translate(
            center[0] + baseline_radius * math.cos(math.radians(angle)),
            center[1] + baseline_radius * math.sin(math.radians(angle)),
        )
        canvas.rotate(angle - 90)
        canvas.scale(_CHAR_SQUEEZE, 1)
        font = typeface.font_for(character)
        canvas.setFont(font, size)
        canvas.drawString(-typeface.width(character, size) / 2, 0, character)
        canvas.restoreState()


def _arc_metrics(count: int, inner_radius: float) -> tuple[float, float, float]:
    """Glyph size, baseline radius and angular step (degrees) for ``count`` characters.

    Short names are spread generously (real seals fill most of the arc); long names get a
    smaller glyph so neighbours never touch.
    """
    size = inner_radius * _TEXT_SHARE / (1 - _RING_SHARE)
    while True:
        baseline_radius = inner_radius - size * 1.02
        tightest = math.degrees(size * _CHAR_SQUEEZE * 1.15 / baseline_radius)
        widest = math.degrees(size * 1.9 / baseline_radius)
        if count == 1:
            return size, baseline_radius, 0.0
        step = min(widest, _MAX_ARC_DEGREES / (count - 1))
        if step >= tightest:
            return size, baseline_radius, step
        size *= 0.95
