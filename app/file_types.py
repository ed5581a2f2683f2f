"""Judging an upload's type by its content (magic bytes), never by its name."""

from __future__ import annotations

import zipfile
from pathlib import Path

ALLOWED_TYPES = {
    "application/pdf": ".pdf",
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "application/ofd": ".ofd",
}


def sniff_content_type(head: bytes, path: Path) -> str | None:
    """The media type of an allowed document, or None when it is anything else.

    OFD (GB/T 33190) is a ZIP package whose root holds ``OFD.xml``; a plain ZIP is refused.
    """
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
            return "OFD.xml" in package.namelist()
    except (zipfile.BadZipFile, OSError):
        return False
