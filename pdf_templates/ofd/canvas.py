"""An OFD page drawn through the ReportLab canvas calls the PDF renderer makes.

The licence's blocks (:mod:`pdf_templates.render.licence`) draw on a ReportLab ``Canvas``;
:class:`OfdCanvas` takes the same calls — colours, line widths, dashes, rectangles, lines and
text objects — and records them as OFD page objects (GB/T 33190 ``PathObject``,
``TextObject``, ``ImageObject``). So the OFD comes from the very layout code of the PDF and
cannot drift from it. Positions turn from ReportLab's points from the bottom into OFD's
millimetres from the top. Text stays text: one ``TextObject`` per font run, with the advance
of every character given (``DeltaX``), and every character noted for the font subset.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from reportlab.lib.colors import Color
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics

# XML 1.0 has no place for these (a pasted control character must not break the page).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def number(value: float) -> str:
    """A length in mm as OFD writes it: at most three decimals, no trailing zeros."""
    text = f"{value:.3f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def xml_text(text: str) -> str:
    """``text`` escaped for XML content and attributes, characters XML forbids removed."""
    text = _NOT_XML.sub("", text)
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )


def _rgb(color: Color) -> str:
    red, green, blue = color.rgb()
    return f"{round(red * 255)} {round(green * 255)} {round(blue * 255)}"


@dataclasses.dataclass
class _State:
    fill: str = "0 0 0"
    stroke: str = "0 0 0"
    line_width: float = 1.0
    dash: tuple[float, float] | None = None
    char_space: float = 0.0


class OfdText:
    """ReportLab's text object, as far as the renderer uses it: runs of one font and size."""

    def __init__(self, x: float, y: float) -> None:
        self.x, self.y = x, y
        self.char_space = 0.0
        self.runs: list[tuple[str, float, str]] = []
        self._font: tuple[str, float] = ("", 0.0)

    def setFont(self, font: str, size: float) -> None:
        self._font = (font, size)

    def setCharSpace(self, space: float) -> None:
        self.char_space = space

    def textOut(self, text: str) -> None:
        self.runs.append((*self._font, text))


class OfdCanvas:
    """Records drawing as OFD page objects; see the module docstring."""

    def __init__(self, page_width: float, page_height: float) -> None:
        self.page_width, self.page_height = page_width, page_height
        self.objects: list[str] = []
        self.characters: dict[str, set[str]] = {}  # ReportLab font name -> characters drawn
        self.font_ids: dict[str, int] = {}
        self.metadata: dict[str, str] = {}
        self._state = _State()
        self._saved: list[_State] = []
        self.next_id = 100  # ids below are left for resources

    # --- state ---------------------------------------------------------------------------

    def saveState(self) -> None:
        self._saved.append(dataclasses.replace(self._state))

    def restoreState(self) -> None:
        self._state = self._saved.pop()

    def setFillColor(self, color: Color) -> None:
        self._state.fill = _rgb(color)

    def setStrokeColor(self, color: Color) -> None:
        self._state.stroke = _rgb(color)

    def setLineWidth(self, width: float) -> None:
        self._state.line_width = width

    def setDash(self, on: float, off: float) -> None:
        self._state.dash = (on, off)

    def setTitle(self, title: str) -> None:
        self.metadata["title"] = title

    def setAuthor(self, author: str) -> None:
        self.metadata["author"] = author

    def setSubject(self, subject: str) -> None:
        self.metadata["subject"] = subject

    def setCreator(self, creator: str) -> None:
        self.metadata["creator"] = creator

    def setBlendMode(self, mode: Any) -> None:
        """OFD has no blend mode on page objects; the seal is an image with transparency."""

    # --- drawing ---------------------------------------------------------------------------

    def new_id(self) -> int:
        self.next_id += 1
        return self.next_id

    def point(self, x: float, y: float) -> str:
        """``x y`` in mm from the page's top-left corner, for points from the bottom-left."""
        return f"{number(x / mm)} {number((self.page_height - y) / mm)}"

    def rect(
        self, x: float, y: float, width: float, height: float, stroke: int = 1, fill: int = 0
    ) -> None:
        corners = ((x, y), (x + width, y), (x + width, y + height), (x, y + height))
        data = "M " + " L ".join(self.point(*corner) for corner in corners) + " C"
        self.path(data, stroke=bool(stroke), fill=bool(fill))

    def line(self, x1: float, y1: float, x2: float, y2: float) -> None:
        self.path(f"M {self.point(x1, y1)} L {self.point(x2, y2)}", stroke=True, fill=False)

    def path(
        self,
        data: str,
        *,
        stroke: bool,
        fill: bool,
        box: tuple[float, float, float, float] | None = None,
        units: int | None = None,
    ) -> None:
        """A ``PathObject``: in page coordinates (its boundary the whole page), or in ``box``
        (mm) with ``units`` × ``units`` coordinates scaled to it by a CTM."""
        state = self._state
        boundary = self._page_box()
        attributes = f'Stroke="{str(stroke).lower()}" Fill="{str(fill).lower()}"'
        if box is not None and units:
            boundary = " ".join(number(value) for value in box)
            attributes += f' CTM="{number(box[2] / units)} 0 0 {number(box[3] / units)} 0 0"'
        if stroke:
            attributes += f' LineWidth="{number(state.line_width / mm)}"'
            if state.dash:
                attributes += (
                    f' DashPattern="{number(state.dash[0] / mm)} {number(state.dash[1] / mm)}"'
                )
        colours = ""  # GB/T 33190: StrokeColor before FillColor
        if stroke:
            colours += f'<ofd:StrokeColor Value="{state.stroke}"/>'
        if fill:
            colours += f'<ofd:FillColor Value="{state.fill}"/>'
        self.objects.append(
            f'<ofd:PathObject ID="{self.new_id()}" Boundary="{boundary}" {attributes}>'
            f"{colours}<ofd:AbbreviatedData>{data}</ofd:AbbreviatedData></ofd:PathObject>"
        )

    def image(self, resource_id: int, left: float, top: float, width: float, height: float) -> None:
        """An ``ImageObject`` (all in mm from the top-left corner)."""
        box = f"{number(left)} {number(top)} {number(width)} {number(height)}"
        self.objects.append(
            f'<ofd:ImageObject ID="{self.new_id()}" Boundary="{box}" '
            f'CTM="{number(width)} 0 0 {number(height)} 0 0" ResourceID="{resource_id}"/>'
        )

    def beginText(self, x: float, y: float) -> OfdText:
        return OfdText(x, y)

    def drawText(self, text: OfdText) -> None:
        """One ``TextObject`` per run, each character's advance given in ``DeltaX``."""
        x = text.x
        for font, size, run in text.runs:
            clean = _NOT_XML.sub("", run)
            if not clean:
                continue
            self.characters.setdefault(font, set()).update(clean)
            advances = [
                pdfmetrics.stringWidth(character, font, size) + text.char_space
                for character in clean
            ]
            delta = " ".join(number(advance / mm) for advance in advances[:-1])
            self.objects.append(
                f'<ofd:TextObject ID="{self.new_id()}" Boundary="{self._page_box()}" '
                f'Font="{self._font_id(font)}" Size="{number(size / mm)}">'
                f'<ofd:FillColor Value="{self._state.fill}"/>'
                f'<ofd:TextCode X="{number(x / mm)}" Y="{number((self.page_height - text.y) / mm)}"'
                + (f' DeltaX="{delta}"' if delta else "")
                + f">{xml_text(clean)}</ofd:TextCode></ofd:TextObject>"
            )
            x += sum(advances)

    def _font_id(self, font: str) -> int:
        if font not in self.font_ids:
            self.font_ids[font] = len(self.font_ids) + 1
        return self.font_ids[font]

    def _page_box(self) -> str:
        return f"0 0 {number(self.page_width / mm)} {number(self.page_height / mm)}"
