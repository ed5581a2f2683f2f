"""Fonts chosen by what their character maps cover, and text split into runs per font.

A licence prints Chinese *and* digits and Latin letters (numbers, credit codes, dates,
identifiers, check codes, tracking numbers). Some CJK TrueType fonts have no Latin glyphs at
all — ``DroidSansFallbackFull.ttf``, which Debian installs with poppler-utils, ghostscript or
LibreOffice, is one — and a renderer that trusted such a font would print blanks. So:

- a CJK font is accepted only if its character map has the Chinese a licence needs;
- when it lacks Latin letters or digits, a Latin TrueType font (DejaVu Sans, Liberation Sans)
  is added behind it, and each character is drawn with the first font in the chain that has
  it (:meth:`Typeface.runs`);
- ReportLab's built-in CID font ``STSong-Light`` (no file needed; the viewer supplies the
  glyphs) closes every chain, so no character is ever left without a font. With no usable
  CJK TrueType font at all it draws everything.

Each decision that drops or supplements a font is logged once, in one line.
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Iterator, Sequence
from functools import cache
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFError, TTFont

logger = logging.getLogger(__name__)

BUILTIN_CJK_FONT = "STSong-Light"
# TrueType-outline CJK fonts on Debian, best first. Noto CJK is left out on purpose: its .ttc
# files carry CFF (PostScript) outlines, which ReportLab cannot embed.
CJK_FONT_CANDIDATES: tuple[str, ...] = (
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
)
LATIN_FONT_CANDIDATES: tuple[str, ...] = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
    "/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf",
)
DEFAULT_FONT_PATH = CJK_FONT_CANDIDATES + LATIN_FONT_CANDIDATES
# Characters every licence or label prints; a CJK font without all of NEEDED_CJK is refused.
NEEDED_CJK = "危险化学品经营许可证编号有效期至发证机关日期年月企业名称统一社会信用代码"
NEEDED_LATIN = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz.-/?=*[]()%"


class Typeface:
    """An ordered chain of registered ReportLab fonts standing in for one typeface.

    ``coverage[i]`` holds the code points font ``names[i]`` has, or ``None`` for the built-in
    CID font, which is taken to have everything and so always comes last.
    """

    def __init__(self, names: Sequence[str], coverage: Sequence[frozenset[int] | None]) -> None:
        self.names = tuple(names)
        self._coverage = tuple(coverage)
        # The primary font's characters as a set of strings, so that whether it draws a
        # whole text alone (the usual case) is one C-level ``issuperset`` call.
        primary = self._coverage[0]
        self._primary_characters = None if primary is None else frozenset(map(chr, primary))

    @property
    def primary(self) -> str:
        """The font that draws the Chinese text (the first in the chain)."""
        return self.names[0]

    def font_for(self, character: str) -> str:
        """The first font in the chain that has a glyph for ``character``."""
        code = ord(character)
        for name, covered in zip(self.names, self._coverage, strict=True):
            if covered is None or code in covered:
                return name
        return self.names[-1]

    def _primary_draws_all(self, text: str) -> bool:
        covered = self._primary_characters
        return covered is None or covered.issuperset(text)

    def runs(self, text: str) -> Iterator[tuple[str, str]]:
        """``text`` cut into ``(font, run)`` pieces, each run drawable with its font."""
        if self._primary_draws_all(text):
            if text:
                yield self.names[0], text
            return
        start, current = 0, ""
        for index, character in enumerate(text):
            font = self.font_for(character)
            if font != current and index > start:
                yield current, text[start:index]
                start = index
            current = font
        if text:
            yield current, text[start:]

    def width(self, text: str, size: float) -> float:
        """Advance width of ``text`` in points at ``size``."""
        if self._primary_draws_all(text):
            return pdfmetrics.stringWidth(text, self.names[0], size)
        return sum(pdfmetrics.stringWidth(run, font, size) for font, run in self.runs(text))


def select_typeface(font_path: str | None = None) -> Typeface:
    """The typeface for licences, labels and notices (chosen once per process and path).

    ``font_path`` (``PDF_FONT_PATH``) is a search path: font files separated by ``:``. Chinese
    is drawn with the first file that has the Chinese a licence needs; if that font lacks
    digits or Latin letters, they come from the first other file that has them; the
    built-in ``STSong-Light`` closes the chain. Unset, the path is the usual Debian fonts
    (:data:`DEFAULT_FONT_PATH`); the value ``STSong-Light`` asks for the built-in font only.
    """
    return _select(_paths(font_path))


def find_cjk_font(font_path: str | None = None) -> str | None:
    """The file :func:`select_typeface` would draw Chinese with, or ``None`` (built-in font)."""
    return next((path for path in _paths(font_path) if _usable_cjk(path)), None)


def _paths(font_path: str | None) -> tuple[str, ...]:
    if not font_path:
        return DEFAULT_FONT_PATH
    return tuple(path for path in font_path.split(os.pathsep) if path)


@cache
def _select(paths: tuple[str, ...]) -> Typeface:
    primary = next((path for path in paths if _usable_cjk(path)), None)
    if primary is None:
        if paths != (BUILTIN_CJK_FONT,):
            logger.warning(
                "no TrueType font with Chinese glyphs in %s; using the built-in %s, "
                "which PDF viewers supply",
                os.pathsep.join(paths) or "(empty font path)",
                BUILTIN_CJK_FONT,
            )
        return Typeface([_builtin()], [None])
    name, covered = _truetype(primary)
    names, coverage = [name], [covered]
    missing = _missing(covered, NEEDED_LATIN)
    if missing:
        latin = next(
            (path for path in paths if path != primary and _covers(path, NEEDED_LATIN)), None
        )
        if latin is not None:
            names.append(_truetype(latin)[0])
            coverage.append(_truetype(latin)[1])
        logger.warning(
            "PDF font %s has no glyphs for %r; drawing those with %s",
            primary,
            missing,
            latin or BUILTIN_CJK_FONT,
        )
    return Typeface([*names, _builtin()], [*coverage, None])


def _missing(covered: frozenset[int], needed: str) -> str:
    return "".join(character for character in needed if ord(character) not in covered)


@cache
def _usable_cjk(path: str) -> bool:
    """Whether ``path`` is a TrueType font ReportLab can embed that has the needed Chinese."""
    font = _load(path)
    if font is None:
        return False
    missing = _missing(font[1], NEEDED_CJK)
    if missing:
        logger.warning("PDF font %s has no glyphs for %r; not used for Chinese", path, missing)
    return not missing


def _covers(path: str, needed: str) -> bool:
    font = _load(path)
    return font is not None and not _missing(font[1], needed)


@cache
def _load(path: str) -> tuple[str, frozenset[int]] | None:
    """Register the font at ``path`` (once per process): its ReportLab name and code points.

    ``None`` for a missing file; ``None`` and one log line for a file that is not a font or a
    font with PostScript outlines, which ReportLab cannot embed.
    """
    if not Path(path).is_file():
        return None
    name = "ZV-" + hashlib.sha256(path.encode()).hexdigest()[:12]
    try:
        font = TTFont(name, path, subfontIndex=0)
    except (TTFError, OSError) as error:
        logger.warning("PDF font %s is unusable (%s); skipped", path, error)
        return None
    pdfmetrics.registerFont(font)
    return name, frozenset(font.face.charToGlyph)


def _truetype(path: str) -> tuple[str, frozenset[int]]:
    loaded = _load(path)
    if loaded is None:  # pragma: no cover - callers checked _covers first
        raise LookupError(path)
    return loaded


@cache
def _builtin() -> str:
    pdfmetrics.registerFont(UnicodeCIDFont(BUILTIN_CJK_FONT))
    return BUILTIN_CJK_FONT
