"""Font subsets for OFD: each page's TrueType fonts embedded with only the glyphs it uses.

An OFD viewer without the font would substitute one; so each font is embedded, cut down to
the characters the document prints: the used glyphs (and the parts composite glyphs are built
from) are renumbered from 1, ``.notdef`` staying 0, with their metrics, a new ``cmap``,
``loca`` and ``post`` (no glyph names). The big per-font work — reading the character map,
``loca``, ``hmtx`` and the raw tables with fontTools — is done once per process and font
file; a subset then costs a lookup per character and a copy of the used glyphs' bytes. (A
CJK font has 20–40 thousand glyphs: fontTools' general subsetter decompiles them all, about
half a second per document.)
"""

from __future__ import annotations

import dataclasses
import struct
from collections.abc import Iterable
from functools import cache

import numpy
from fontTools.ttLib import TTFont

# Tables copied as they are; layout (GSUB/GPOS), bitmaps and vertical metrics are left out.
_KEPT_TABLES = ("OS/2", "cvt ", "fpgm", "gasp", "name", "prep")
_ARG_WORDS, _SCALE, _MORE, _XY_SCALE, _TWO_BY_TWO = 0x0001, 0x0008, 0x0020, 0x0040, 0x0080


@dataclasses.dataclass(frozen=True)
class _SourceFont:
    tables: dict[str, bytes]
    head: bytes
    hhea: bytes
    maxp: bytes
    post: bytes
    glyf: bytes
    offsets: tuple[int, ...]  # loca: glyph i is glyf[offsets[i]:offsets[i + 1]]
    metrics: tuple[tuple[int, int], ...]  # hmtx: (advance, left side bearing) per glyph
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
    reader = font.reader
    head, hhea, maxp = reader["head"], reader["hhea"], reader["maxp"]
    raw_loca = reader["loca"]
    if struct.unpack(">h", head[50:52])[0] == 1:
        offsets = struct.unpack(f">{len(raw_loca) // 4}I", raw_loca)
    else:
        offsets = tuple(2 * value for value in struct.unpack(f">{len(raw_loca) // 2}H", raw_loca))
    glyph_count = struct.unpack(">H", maxp[4:6])[0]
    long_count = struct.unpack(">H", hhea[34:36])[0]
    hmtx = reader["hmtx"]
    longs = struct.unpack(f">{2 * long_count}h", hmtx[: 4 * long_count])
    metrics = [(longs[2 * i] & 0xFFFF, longs[2 * i + 1]) for i in range(long_count)]
    bearings = struct.unpack(
        f">{glyph_count - long_count}h",
        hmtx[4 * long_count : 4 * long_count + 2 * (glyph_count - long_count)],
    )
    metrics += [(metrics[-1][0], bearing) for bearing in bearings]
    return _SourceFont(
        tables={tag: reader[tag] for tag in _KEPT_TABLES if tag in reader},
        head=head,
        hhea=hhea,
        maxp=maxp,
        post=reader["post"][:32],
        glyf=reader["glyf"],
        offsets=tuple(offsets),
        metrics=tuple(metrics),
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
    wanted = [0, *sorted({source.cmap[code] for code in codes} - {0})]
    order = _with_components(source, wanted)
    new_id = {old: new for new, old in enumerate(order)}
    glyf, loca = _glyf_and_loca(source, order, new_id)
    head = bytearray(source.head)
    head[8:12] = b"\0\0\0\0"  # checkSumAdjustment, set below
    head[50:52] = struct.pack(">h", 1)  # long loca offsets
    hhea = bytearray(source.hhea)
    hhea[34:36] = struct.pack(">H", len(order))  # every glyph gets a long metric
    maxp = bytearray(source.maxp)
    maxp[4:6] = struct.pack(">H", len(order))
    metrics = [value for old in order for value in source.metrics[old]]
    tables = {
        **source.tables,
        "cmap": _cmap({code: new_id[source.cmap[code]] for code in codes}),
        "glyf": glyf,
        "head": bytes(head),
        "hhea": bytes(hhea),
        "hmtx": struct.pack(f">{len(metrics)}H", *(value & 0xFFFF for value in metrics)),
        "loca": loca,
        "maxp": bytes(maxp),
        "post": b"\x00\x03\x00\x00" + source.post[4:32],  # version 3: no glyph names
    }
    return _sfnt(tables)


def _glyph(source: _SourceFont, glyph_id: int) -> bytes:
    return source.glyf[source.offsets[glyph_id] : source.offsets[glyph_id + 1]]


def _components(data: bytes) -> list[int]:
    """Byte positions of the component glyph ids in a composite glyph (none for a simple one)."""
    if len(data) < 10 or struct.unpack(">h", data[:2])[0] >= 0:
        return []
    positions, position = [], 10
    while True:
        flags = struct.unpack(">H", data[position : position + 2])[0]
        positions.append(position + 2)
        position += 4 + (4 if flags & _ARG_WORDS else 2)
        if flags & _SCALE:
            position += 2
        elif flags & _XY_SCALE:
            position += 4
        elif flags & _TWO_BY_TWO:
            position += 8
        if not flags & _MORE:
            return positions


def _with_components(source: _SourceFont, wanted: list[int]) -> list[int]:
    """``wanted`` followed by every further glyph their composite glyphs are built from."""
    order, found, index = list(wanted), set(wanted), 0
    while index < len(order):
        data = _glyph(source, order[index])
        for position in _components(data):
            component = struct.unpack(">H", data[position : position + 2])[0]
            if component not in found:
                found.add(component)
                order.append(component)
        index += 1
    return order


def _glyf_and_loca(
    source: _SourceFont, order: list[int], new_id: dict[int, int]
) -> tuple[bytes, bytes]:
    parts: list[bytes] = []
    offsets: list[int] = []
    position = 0
    for old in order:
        offsets.append(position)
        data = _glyph(source, old)
        positions = _components(data)
        if positions:
            copy = bytearray(data)
            for at in positions:
                old_component = struct.unpack(">H", data[at : at + 2])[0]
                copy[at : at + 2] = struct.pack(">H", new_id[old_component])
            data = bytes(copy)
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
    """The sum of the big-endian 32-bit words of ``data`` (zero-padded), modulo 2**32.

    Summed by numpy: unpacking the ~40 KB of a subset into Python ints and adding them (for
    ``glyf`` and again for the whole font) took half of the subset's time.
    """
    padded = data + b"\0" * (-len(data) % 4)
    return int(numpy.frombuffer(padded, dtype=">u4").sum(dtype=numpy.uint64)) & 0xFFFFFFFF


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
            return int.from_bytes(records[index + 8 : index + 12], "big")
    raise KeyError(tag)
