"""The seal's picture as a PNG (for the GB/T 38540 ``SESeal``), drawn with Pillow.

The same design as the vector seal of the PDF (:mod:`pdf_templates.seal`): a red ring, the
authority's name along the top arc, a five-pointed star. Transparent outside the ink, so the
text under the stamp stays legible wherever a viewer places it.
"""

from __future__ import annotations

import io
import math

from PIL import Image, ImageDraw, ImageFont

from pdf_templates.seal import star_points

_PIXELS = 480  # 42 mm at about 290 dpi
_RED = (211, 23, 30, 200)
_RING_SHARE = 0.065
_STAR_SHARE = 0.30
_TEXT_SHARE = 0.24
_MAX_ARC_DEGREES = 240.0


def seal_png(text: str, font_path: str | None) -> bytes:
    """The seal with ``text`` on its arc, as PNG bytes; ``font_path`` a TrueType CJK font."""
    image = Image.new("RGBA", (_PIXELS, _PIXELS), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    radius = _PIXELS / 2 - 2
    centre = (_PIXELS / 2, _PIXELS / 2)
    ring = radius * _RING_SHARE
    draw.ellipse(
        (centre[0] - radius, centre[1] - radius, centre[0] + radius, centre[1] + radius),
        outline=_RED,
        width=round(ring),
    )
    star = star_points((0.0, 0.0), radius * _STAR_SHARE)
    draw.polygon([(centre[0] + x, centre[1] - y) for x, y in star], fill=_RED)
    _arc_text(image, centre, radius - ring, text.strip(), font_path)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def _arc_text(
    image: Image.Image, centre: tuple[float, float], inner: float, text: str, font_path: str | None
) -> None:
    if not text:
        return
    size = round(inner * _TEXT_SHARE / (1 - _RING_SHARE) * 1.2)
    font = _font(font_path, size)
    baseline = inner - size * 0.62
    step = min(math.degrees(size * 1.25 / baseline), _MAX_ARC_DEGREES / max(len(text) - 1, 1))
    first = 90.0 + step * (len(text) - 1) / 2
    for index, character in enumerate(text):
        angle = first - index * step
        glyph = Image.new("RGBA", (size * 2, size * 2), (0, 0, 0, 0))
        ImageDraw.Draw(glyph).text((size, size), character, font=font, fill=_RED, anchor="mm")
        glyph = glyph.resize((round(size * 2 * 0.82), size * 2)).rotate(
            angle - 90, resample=Image.Resampling.BICUBIC, expand=True
        )
        x = centre[0] + baseline * math.cos(math.radians(angle)) - glyph.width / 2
        y = centre[1] - baseline * math.sin(math.radians(angle)) - glyph.height / 2
        image.alpha_composite(glyph, (round(x), round(y)))


def _font(font_path: str | None, size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    if font_path is None:
        return ImageFont.load_default(size)
    return ImageFont.truetype(font_path, size, index=0)
