"""Text on a ReportLab canvas through a :class:`~pdf_templates.render.fonts.Typeface`.

Every string is drawn run by run, each run in the first font of the chain that has its
glyphs, so a font without digits never blanks a number. Chinese line breaking lives here too.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from reportlab.pdfgen.canvas import Canvas

from pdf_templates.render.fonts import Typeface

# Closing punctuation may not start a line; it hangs at the end of the previous one.
_NO_LINE_START = frozenset("，。、；：？！）》」』】〕”’,.;:?!)%")
_OPENING_BRACKETS = "（(《〔【["
_CLOSING_BRACKETS = "）)》〕】]"
_ASCENT = 0.86  # CJK glyphs rise about this share of the font size above the baseline

Align = Literal["left", "centre", "right"]


def draw_text(
    canvas: Canvas,
    typeface: Typeface,
    x: float,
    y: float,
    text: str,
    size: float,
    *,
    align: Align = "left",
    char_space: float = 0.0,
) -> None:
    """Draw ``text`` with its baseline at ``y``, starting, centred or ending at ``x``.

    The canvas's current fill colour applies. ``char_space`` adds that many points after
    each character but the last.
    """
    if not text:
        return
    if align != "left":
        width = typeface.width(text, size) + char_space * (len(text) - 1)
        x -= width / 2 if align == "centre" else width
    text_object = canvas.beginText(x, y)
    if char_space:
        text_object.setCharSpace(char_space)
    for font, run in typeface.runs(text):
        text_object.setFont(font, size)
        text_object.textOut(run)
    if char_space:
        # Character spacing belongs to the graphics state: keep it to this text.
        canvas.saveState()
        canvas.drawText(text_object)
        canvas.restoreState()
    else:
        canvas.drawText(text_object)


def format_cn_date(day: date) -> str:
    """``2026年11月23日`` (month and day zero-padded, as printed on the certificates)."""
    return f"{day.year}年{day.month:02d}月{day.day:02d}日"


def wrap_text(text: str, typeface: Typeface, size: float, max_width: float) -> list[str]:
    """Break ``text`` into lines no wider than ``max_width``, character by character.

    Chinese has no spaces to break at, so any character may start a line, except closing
    punctuation, which hangs at the end of the line before. A bracketed aside opened on the
    line moves down whole when it fits (``法定代表人`` / ``（主要负责人）``). Newlines are kept.
    """
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        line, width = "", 0.0
        for character in paragraph:
            advance = typeface.width(character, size)
            if line and width + advance > max_width and character not in _NO_LINE_START:
                cut = _open_bracket_position(line)
                if cut is None or typeface.width(line[cut:], size) + advance > max_width:
                    cut = len(line)
                lines.append(line[:cut])
                line = line[cut:]
                width = typeface.width(line, size)
            line += character
            width += advance
        lines.append(line)
    return lines


def _open_bracket_position(line: str) -> int | None:
    """Where a still-open bracket starts in ``line``, unless at its very start."""
    position = max(line.rfind(bracket) for bracket in _OPENING_BRACKETS)
    closed = max(line.rfind(bracket) for bracket in _CLOSING_BRACKETS) > position
    return position if position > 0 and not closed else None


def fitted_size(typeface: Typeface, text: str, size: float, max_width: float) -> float:
    """``size``, or smaller so that ``text`` fits on one line of ``max_width``."""
    width = typeface.width(text, size)
    return size if width <= max_width else size * max_width / width


def first_baseline(top: float, size: float, leading: float) -> float:
    """Baseline of a line whose line box (height ``leading``) starts at canvas y ``top``."""
    return top - (leading - size) / 2 - size * _ASCENT
