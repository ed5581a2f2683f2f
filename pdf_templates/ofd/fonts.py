"""Font subsets for OFD: each page's TrueType fonts embedded with only the glyphs it uses.

An OFD viewer without the font would substitute one; so each font is embedded, cut down to
the characters the document prints. The cut keeps glyph ids as they are: unused glyphs become
empty entries in ``loca``, so composite glyphs still point at their parts and nothing is
renumbered. The big per-font work (reading the character map, ``loca`` and the raw tables
with fontTools) is done once per process and font file; a subset then costs a lookup per
character and a copy of the used glyphs' bytes — a CJK font has 20–40 thousand glyphs, which a
general subsetter decompiles in about half a second per document.
"""

from __future__ import annotations

import dataclasses
import struct
from collections.abc import Iterable
from functools import cache

from fontTools.ttLib import TTFont

# Tables copied as they are; layout (GSUB/GPOS), bitmaps and vertical metrics are left out.
_KEPT_TABLES = ("OS/2", "cvt ", "fpgm", "gasp", "hhea", "hmtx", "maxp", "name", "prep")
_ARG_WORDS, _SCALE, _MORE, _XY_SCALE, _TWO_BY_TWO = 0x0001, 0x0008, 0x0020, 0x0040, 0x0080


@dataclasses.dataclass(frozen=True)
class _SourceFont:
    tables: dict[str, bytes]
    head: bytes
    post: bytes
    glyf: bytes
    offsets: tuple[int, ...]  # loca: glyph i is glyf[offsets[i]:offsets[i + 1]]
    cmap: dict[int, int]  # code point -> glyph id
    family: str


@cache
def _source(path: str) -> _SourceFont:
    with TTFont(path, fontNumber=0, lazy=True) as font:
        return _read(path, font)


def _read(path: str, font: TTFont) -> _SourceFont:
    if "glyf" not in font:
        raise ValueError(f"{path} has no TrueType outlines")
    reverse = font.getReverseGlyphMap()
    cmap = {code: reverse[glyph] for code, glyph in font.getBestCmap().items()}
    head = font.reader["head"]
    long_loca = struct.unpack(">h", head[50:52])[0] == 1
    raw_loca = font.reader["loca"]
    if long_loca:
        offsets = struct.unpack(f">{len(raw_loca) // 4}I", raw_loca)
    else:
        offsets = tuple(2 * value for value in struct.unpack(f">{len(raw_loca) // 2}H", raw_loca))
    return _SourceFont(
        tables={tag: font.reader[tag] for tag in _KEPT_TABLES if tag in font.reader},
        head=head,
        post=font.reader["post"][:32],
        glyf=font.reader["glyf"],
        offsets=tuple(offsets),
        cmap=cmap,
        family=font["name"].getDebugName(1) or "",
    )


def family_name(path: str) -> str:
    """The font's family name (OFD's ``FontName``)."""
    return _source(path).family


def subset_font(path: str, characters: Iterable[str]) -> bytes:
    """The TrueType font at ``path`` keeping only the glyphs of ``characters``."""
    source = _source(path)
    codes = sorted({ord(character) for character in characters} & source.cmap.keys())
    wanted = {0, *(source.cmap[code] for code in codes)}
    glyphs = _with_components(source, wanted)
    glyf, loca = _glyf_and_loca(source, glyphs)
    head = bytearray(source.head)
    head[8:12] = b"\0\0\0\0"  # checkSumAdjustment, set below
    head[50:52] = struct.pack(">h", 1)  # long loca offsets
    post = b"\x00\x03\x00\x00" + source.post[4:32]  # version 3: no glyph names
    tables = {
        **source.tables,
        "cmap": _cmap({code: source.cmap[code] for code in codes}),
        "glyf": glyf,
        "head": bytes(head),
        "loca": loca,
        "post": post,
    }
    return _sfnt(tables)


def _glyph(source: _SourceFont, glyph_id: int) -> bytes:
    return source.glyf[source.offsets[glyph_id] : source.offsets[glyph_id + 1]]


def _with_components(source: _SourceFont, wanted: set[int]) -> set[int]:
    """``wanted`` and every glyph their composite glyphs are built from."""
    pending, found = list(wanted), set(wanted)
    while pending:
        data = _glyph(source, pending.pop())
        if len(data) < 10 or struct.unpack(">h", data[:2])[0] >= 0:
            continue
        position = 10
        while True:
            flags, component = struct.unpack(">HH", data[position : position + 4])
            if component not in found:
                found.add(component)
                pending.append(component)
            position += 4 + (4 if flags & _ARG_WORDS else 2)
            position += (
                2 if flags & _SCALE else 4 if flags & _XY_SCALE else 8 if flags & _TWO_BY_TWO else 0
            )
            if not flags & _MORE:
                break
    return found


def _glyf_and_loca(source: _SourceFont, glyphs: set[int]) -> tuple[bytes, bytes]:
    parts: list[bytes] = []
    offsets: list[int] = []
    position = 0
    for glyph_id in range(len(source.offsets) - 1):
        offsets.append(position)
        if glyph_id in glyphs:
            data = _glyph(source, glyph_id)
            data += b"\0" * (-len(data) % 4)
            parts.append(data)
            position += len(data)
    offsets.append(position)
    return b"".join(parts), struct.pack(f">{len(offsets)}I", *offsets)


def _cmap(mapping: dict[int, int]) -> bytes:
    """A ``cmap`` with a format 4 subtable (BMP) and, if needed, a format 12 one (all planes)."""
    bmp = [(code, glyph) for code, glyph in mapping.items() if code < 0xFFFF]
    segments = [*bmp, (0xFFFF, None)]
    count = len(segments)
    search = 2 ** (count.bit_length() - 1)
    ends = [code for code, _ in segments]
    deltas = [1 if glyph is None else (glyph - code) % 0x10000 for code, glyph in segments]
    body = struct.pack(f">{count}H", *ends) + b"\0\0" + struct.pack(f">{count}H", *ends)
    body += struct.pack(f">{count}H", *deltas) + b"\0\0" * count
    header = struct.pack(
        ">7H",
        4,
        14 + len(body),
        0,
        2 * count,
        2 * search,
        search.bit_length() - 1,
        2 * (count - search),
    )
    subtables = [((3, 1), header + body)]
    if any(code > 0xFFFF for code in mapping):
        groups = b"".join(
            struct.pack(">3I", code, code, glyph) for code, glyph in sorted(mapping.items())
        )
        subtables.append(
            ((3, 10), struct.pack(">HHIII", 12, 0, 16 + len(groups), 0, len(mapping)) + groups)
        )
    directory = struct.pack(">HH", 0, len(subtables))
    offset = 4 + 8 * len(subtables)
    data = b""
    for (platform, encoding), table in subtables:
        directory += struct.pack(">HHI", platform, encoding, offset + len(data))
        data += table
    return directory + data


def _checksum(data: bytes) -> int:
    padded = data + b"\0" * (-len(data) % 4)
    return sum(struct.unpack(f">{len(padded) // 4}I", padded)) & 0xFFFFFFFF


def _sfnt(tables: dict[str, bytes]) -> bytes:
    tags = sorted(tables)
    count = len(tags)
    search = 2 ** (count.bit_length() - 1)
    header = struct.pack(
        ">IHHHH", 0x00010000, count, search * 16, search.bit_length() - 1, count * 16 - search * 16
    )
    offset = 12 + 16 * count
    records, body = b"", b""
    for tag in tags:
        data = tables[tag]
        records += struct.pack(
            ">4sIII", tag.encode("latin-1"), _checksum(data), offset + len(body), len(data)
        )
        body += data + b"\0" * (-len(data) % 4)
    font = bytearray(header + records + body)
    head_offset = _table_offset(records, "head")
    adjustment = (0xB1B0AFBA - _checksum(bytes(font))) & 0xFFFFFFFF
    font[head_offset + 8 : head_offset + 12] = struct.pack(">I", adjustment)
    return bytes(font)


def _table_offset(records: bytes, tag: str) -> int:
    for index in range(0, len(records), 16):
        if records[index : index + 4] == tag.encode("latin-1"):
            return struct.unpack(">I", records[index + 8 : index + 12])[0]
    raise KeyError(tag)
