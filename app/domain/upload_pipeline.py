"""The one path an uploaded file takes into the document store, for every kind of upload.

A case's document and a request desk attachment both arrive the same way: the request
parser has spooled the file into the store's temp folder, hashing it on the way
(``app.web.uploads``). Here it is held to the size limit, judged by its first bytes (PDF,
JPEG, PNG or OFD), registered as a content-addressed ``Blob``, and committed to the store
(renamed, or sent to the bucket) only once the caller's row is flushed, so a crash leaves
at worst an unreferenced blob, never a row pointing at nothing. The temp file is always
removed.

    with received_file(upload) as received:
        db.session.add(Document(..., sha256=received.sha256, filename=received.filename))
    commit()
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from werkzeug.datastructures import FileStorage as Upload

from app.errors import PayloadTooLarge, UnsupportedMediaType, field_error
from app.extensions import db
from app.file_types import sniff_content_type
from app.integrations.storage import DocumentStore, StoredFile, TooLarge, storage_for
from app.models import Blob
from app.sql import insert_ignore

NO_FILE = "请选择要上传的文件"


@dataclass(frozen=True)
class ReceivedFile:
    """An upload that passed every check; its bytes are committed when the block ends."""

    sha256: str
    size: int
    content_type: str
    filename: str


def storage() -> DocumentStore:
    """The store of uploaded files (documents and attachments share its blobs)."""
    return storage_for("documents")


def no_file(upload: Upload | None) -> bool:
    """Whether the request carried no file part, or an empty one without a name."""
    return upload is None or (not upload.filename and upload.content_length == 0)


def safe_filename(name: str | None) -> str:
    """The client's file name without folders or characters a download header chokes on."""
    base = os.path.basename((name or "").replace("\\", "/")).strip()
    cleaned = "".join(ch for ch in base if ch.isprintable() and ch not in '"<>|:*?')
    return cleaned[:200] or "upload"


def too_large(limit: int) -> PayloadTooLarge:
    return PayloadTooLarge(f"文件超过 {limit // (1024 * 1024)} MiB 上限", code="FILE_TOO_LARGE")


@contextmanager
def received_file(upload: Upload) -> Iterator[ReceivedFile]:
    """Check ``upload`` and register its blob; the caller adds its row inside the block.

    Refusals: ``FILE_TOO_LARGE`` (413), ``FILE_TYPE_NOT_ALLOWED`` (415), an empty file (422).
    """
    limit = current_app.config["MAX_UPLOAD_BYTES"]
    try:
        tmp, spooled = storage().spool(upload.stream, limit)
    except TooLarge as exc:
        raise too_large(limit) from exc
    with received_spool(tmp, spooled, upload.filename) as received:
        yield received


@contextmanager
def received_spool(tmp: Path, spooled: StoredFile, filename: str | None) -> Iterator[ReceivedFile]:
    """The same checks for a file already spooled and hashed in the store's area: the
    multipart parser's part, or a resumable upload whose last byte arrived. ``tmp`` is
    consumed whatever the outcome (committed to the store, or removed)."""
    store = storage()
    try:
        content_type = sniff_content_type(spooled.head, tmp)
        if content_type is None:
            raise UnsupportedMediaType(
                "只能上传PDF、JPEG、PNG或OFD文件（按文件内容判断）",
                code="FILE_TYPE_NOT_ALLOWED",
                title="文件类型不支持",
            )
        if spooled.size == 0:
            raise field_error("file", "文件为空")
        # The bytes' row unless they are stored already (by anyone: blobs are shared).
        blob = {"sha256": spooled.sha256, "size": spooled.size, "content_type": content_type}
        db.session.execute(insert_ignore(Blob, blob))
        yield ReceivedFile(spooled.sha256, spooled.size, content_type, safe_filename(filename))
        db.session.flush()
        store.commit(tmp, spooled.sha256, synced=spooled.synced)
    finally:
        store.discard(tmp)
