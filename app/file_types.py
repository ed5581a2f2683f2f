"""Judging an upload's type by its content (magic bytes), never by its name.

Beyond the magic bytes, content that would turn a document into something else is
refused: a PDF or image whose first bytes also hold HTML or script (a polyglot a browser
might render as a page), and an OFD package (GB/T 33190, a ZIP) whose declared sizes
make it a ZIP bomb or whose entry names escape the package.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

ALLOWED_TYPES = {
    "application/pdf": ".pdf",
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "application/ofd": ".ofd",
}

# Markup a browser's sniffer would take for a web page, anywhere in the judged head.
_MARKUP = re.compile(
    rb"<\s*(!doctype\s+html|html|head|body|script|iframe|svg|object|embed)\b", re.IGNORECASE
)
OFD_MAX_ENTRIES = 10_000
OFD_MAX_UNPACKED_BYTES = 256 * 1024 * 1024
OFD_MAX_RATIO = 200  # unpacked/packed per entry; real OFD XML compresses far less


def sniff_content_type(head: bytes, path: Path) -> str | None:
    """The media type of an allowed document, or None when it is anything else.

    OFD (GB/T 33190) is a ZIP package whose root holds ``OFD.xml``; a plain ZIP is refused.
    """
    if _MARKUP.search(head):
        return None
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"PK\x03\x04") and _is_ofd(path):
        return "application/ofd"
    return None


def _is_ofd(path: Path) -> bool:
    try:
        with zipfile.ZipFile(path) as package:
            entries = package.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return False
    if len(entries) > OFD_MAX_ENTRIES:
        return False
    if sum(entry.file_size for entry in entries) > OFD_MAX_UNPACKED_BYTES:
        return False
    for entry in entries:
        name = entry.filename
        if name.startswith(("/", "\\")) or ".." in name.replace("\\", "/").split("/"):
            return False
        if entry.file_size > OFD_MAX_RATIO * max(entry.compress_size, 1):
            return False
    return any(entry.filename == "OFD.xml" for entry in entries)
