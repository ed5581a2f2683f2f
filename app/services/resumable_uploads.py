"""Resumable uploads by the tus protocol 1.0.0 (core, creation, checksum, termination,
expiration), of an application's material or of a request desk attachment (a ``Target``).

A phone on a train loses its connection mid-file; with tus it asks how much arrived
(``HEAD`` → ``Upload-Offset``) and sends only the rest. Each ``PATCH`` appends its raw body to
the upload's file on the storage every app server shares (``DATA_DIR/documents/partial``),
fsyncs it, and only then records the new offset in the database, so the offset a server
reports is always on disk — whichever server took the previous ``PATCH``. The last byte hands
the file to the same pipeline as the target's multipart route (``upload_pipeline.received_spool``
through ``documents.store_document`` or ``enterprise_requests.store_attachment``): same
content checks, same store, same response.

The running SHA-256 is kept per process, not in the database: Python's ``hashlib`` cannot
export a hash's internal state, and a pure-Python SHA-256 whose state could be saved would
cost far more on every byte than the rare rehash it saves. When a ``PATCH`` reaches a process
that did not take the previous one (another server, or a restart), the prefix already on
disk is read once and hashed again — sequential reads at disk speed, only on a change of
server — so every upload still ends with the hash of exactly the bytes on disk.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import queue
import threading
import uuid
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO, Any

from flask import current_app
from sqlalchemy import select
from werkzeug.exceptions import ClientDisconnected

from app import timekeeping
from app.domain import upload_pipeline
from app.domain.transaction import commit
from app.errors import ChecksumMismatch, Conflict, NotFound, PayloadTooLarge, field_error
from app.extensions import db
from app.files import EarlyWriteback, fsync_directory
from app.integrations.storage import StoredFile
from app.integrations.storage.spool import HEAD_BYTES
from app.models import Document, RequestAttachment, ResumableUpload, User
from app.models.upload import ATTACHMENT, MATERIAL
from app.services import documents, enterprise_requests

CHUNK_BYTES = 1024 * 1024
# Running hashes of the uploads this process took last; an evicted one is rebuilt from disk.
MAX_RUNNING = 256
HASH_QUEUE_CHUNKS = 8  # chunks read but not yet hashed: bounds the memory a PATCH holds


@dataclass
class _Running:
    received: int
    digest: Any  # hashlib's sha256 object (its type is private)


_running: OrderedDict[str, _Running] = OrderedDict()


@dataclass(frozen=True)
class Target:
    """What an upload becomes: a material of an application, or an attachment of a request."""

    kind: str  # MATERIAL or ATTACHMENT
    id: int  # the application's or the request's

    @property
    def column(self) -> Any:
        """The upload's column that names this target."""
        if self.kind == MATERIAL:
            return ResumableUpload.application_id
        return ResumableUpload.request_id


def material_of(application_id: int) -> Target:
    return Target(MATERIAL, application_id)


def attachment_of(request_id: int) -> Target:
    return Target(ATTACHMENT, request_id)


def partial_dir() -> Path:
    """Where uploads in progress are kept: beside the store's temp folder, which is swept
    of dead workers' files — an upload outlives the worker that took its last ``PATCH``."""
    return upload_pipeline.storage().tmp_dir.parent / "partial"


def _path(upload: ResumableUpload) -> Path:
    return partial_dir() / upload.id


def _not_found() -> NotFound:
    return NotFound("上传不存在或已过期", code="UPLOAD_NOT_FOUND")


def parse_metadata(header: str) -> dict[str, str]:
    """``Upload-Metadata``: comma-separated ``key base64(value)`` pairs (tus creation)."""
    metadata = {}
    for pair in filter(None, (part.strip() for part in header.split(","))):
        key, _, encoded = pair.partition(" ")
        try:
            metadata[key] = base64.b64decode(encoded.strip(), validate=True).decode()
        except (binascii.Error, UnicodeDecodeError) as exc:
            raise field_error("Upload-Metadata", "上传元数据须为Base64编码的UTF-8文本") from exc
    return metadata


def create(user: User, target: Target, length: int, metadata: dict[str, str]) -> ResumableUpload:
    """Start an upload of ``length`` bytes for the caller's own case or request, refused
    exactly as the target's multipart route would refuse it."""
    material_code = metadata.get("material", "") if target.kind == MATERIAL else None
    if material_code == "":
        raise field_error("material", "请选择材料")
    limit = current_app.config["MAX_UPLOAD_BYTES"]
    if length > limit:
        raise upload_pipeline.too_large(limit)
    if length == 0:
        raise field_error("file", "文件为空")
    if material_code is not None:
        documents.prepare_upload(user, target.id, material_code)
    else:
        enterprise_requests.prepare_attachment(user, target.id)
    now = timekeeping.now()
    _check_open_uploads(user, now)
    upload = ResumableUpload(
        id=uuid.uuid4().hex,
        kind=target.kind,
        application_id=target.id if target.kind == MATERIAL else None,
        request_id=target.id if target.kind == ATTACHMENT else None,
        user_id=user.id,
        material_code=material_code,
        filename=metadata.get("filename", "")[:255],
        length=length,
        received=0,
        created_at=now,
        expires_at=now + timedelta(hours=current_app.config["UPLOAD_EXPIRY_HOURS"]),
    )
    folder = partial_dir()
    folder.mkdir(parents=True, exist_ok=True)
    _path(upload).touch()
    fsync_directory(folder)
    db.session.add(upload)
    db.session.flush()
    # Detached once inserted, so the commit does not expire it: the answer's headers read
    # its values without loading the row again.
    db.session.expunge(upload)
    commit()
    return upload


def _check_open_uploads(user: User, now: datetime) -> None:
    """Bound what one account keeps half-sent on the server's disk: its unexpired uploads
    whose bytes are still waiting there (each up to ``MAX_UPLOAD_BYTES``) number at most
    ``MAX_OPEN_UPLOADS``. Rows whose file is gone — finished (even if the document was
    deleted since) or refused at the last byte — hold no place until the expiry job."""
    limit = current_app.config["MAX_OPEN_UPLOADS"]
    waiting = db.session.scalars(
        select(ResumableUpload.id).where(
            ResumableUpload.user_id == user.id,
            ResumableUpload.received < ResumableUpload.length,
            ResumableUpload.expires_at > now,
        )
    ).all()
    folder = partial_dir()
    open_uploads = sum(1 for upload_id in waiting if (folder / upload_id).is_file())
    if open_uploads >= limit:
        raise Conflict(
            f"未完成的续传上传已有{open_uploads}个（最多{limit}个），请先续传完成或放弃已开始的上传",
            code="TOO_MANY_UPLOADS",
        )


def _finished(upload: ResumableUpload) -> bool:
    return upload.document_id is not None or upload.attachment_id is not None


def get(user: User, target: Target, upload_id: str, *, lock: bool = False) -> ResumableUpload:
    """The caller's own live upload; anyone else's, or an expired one, is not found."""
    query = select(ResumableUpload).where(
        ResumableUpload.id == upload_id,
        ResumableUpload.kind == target.kind,
        target.column == target.id,
        ResumableUpload.user_id == user.id,
        ResumableUpload.expires_at > timekeeping.now(),
    )
    if lock:
        query = query.with_for_update(of=ResumableUpload).execution_options(populate_existing=True)
    upload = db.session.scalars(query).first()
    if upload is None or (not _finished(upload) and not _path(upload).is_file()):
        # No file: refused at the end (the pipeline dropped it) or lost with a volume.
        raise _not_found()
    return upload


def append(
    user: User,
    target: Target,
    upload_id: str,
    offset: int,
    expected: bytes | None,
    body: IO[bytes],
    declared: int | None = None,
) -> tuple[ResumableUpload, Document | RequestAttachment | None]:
    """Append one ``PATCH`` body at ``offset``; the document (or attachment) once the last
    byte is in.

    The upload's row is locked for the whole ``PATCH``, so two servers never write one file.
    """
    upload = get(user, target, upload_id, lock=True)
    if _finished(upload) and offset == upload.length:
        return upload, _result(upload)  # a retried last PATCH
    if offset != upload.received or _finished(upload):
        raise Conflict(
            f"上传偏移量不符：服务器已收到 {upload.received} 字节",
            code="UPLOAD_OFFSET_MISMATCH",
            headers={"Upload-Offset": str(upload.received)},
        )
    if declared is not None and upload.received + declared > upload.length:
        raise _beyond_length()  # refused before a byte is read
    path = _path(upload)
    running = _resume(upload, path)
    digest = running.digest.copy()
    # A piece sent from offset 0 is checked against the running hash itself: one pass.
    piece = hashlib.sha256() if expected is not None and upload.received else digest
    digests = [digest] if piece is digest else [digest, piece]
    with _Hasher(digests) as hasher:  # the last PATCH hashes on during the case's checks
        written = _append_body(upload, path, body, hasher, expected, piece)
        upload.received += written
        if upload.received < upload.length:
            hasher.finish()
            _remember(upload.id, _Running(upload.received, digest))
            commit()
            return upload, None
        return upload, _finish(user, target, upload, path, digest, hasher)


def _append_body(
    upload: ResumableUpload,
    path: Path,
    body: IO[bytes],
    hasher: _Hasher,
    expected: bytes | None,
    piece: Any,
) -> int:
    """Append the body to the file at the recorded offset and make it durable; how many
    bytes. With ``expected``, the piece's hash is checked first (a mismatch keeps nothing)."""
    with open(path, "r+b") as handle:
        # Bytes past the recorded offset are a killed PATCH's tail that was never counted.
        handle.truncate(upload.received)
        handle.seek(upload.received)
        try:
            written = _copy(body, handle, hasher, upload.length - upload.received)
        except ClientDisconnected:
            if expected is not None:
                raise  # nothing unverified is kept (the tail is cut at the next PATCH)
            # Keep what arrived, as tus allows: the phone resumes from here, not from zero.
            written = handle.tell() - upload.received
        finally:
            handle.flush()
            os.fdatasync(handle.fileno())  # while the hashing thread catches up
        if expected is not None:
            hasher.finish()
            if not hmac.compare_digest(piece.digest(), expected):
                handle.truncate(upload.received)
                raise ChecksumMismatch("数据校验失败（Upload-Checksum 不符），未保存这一段")
    return written


def _copy(body: IO[bytes], handle: IO[bytes], hasher: _Hasher, room: int) -> int:
    """Append the body to ``handle`` and hash it; at most ``room`` bytes. The disk starts
    writing them on the way (``EarlyWriteback``), so the ``fdatasync`` after the last byte
    waits only for the last few MiB."""
    written, start = 0, handle.tell()
    writeback = EarlyWriteback(handle, start)
    while chunk := body.read(CHUNK_BYTES):
        written += len(chunk)
        if written > room:
            raise _beyond_length()
        hasher.update(chunk)
        handle.write(chunk)
        writeback.wrote_to(start + written)
    return written


class _Hasher:
    """SHA-256 in a second thread: hashlib lets go of the GIL while it hashes a chunk, so the
    digest runs beside the request thread's reads, writes and final fdatasync (measured: the
    hash was the largest part of a PATCH's time, see docs/benchmarks-notes.md)."""

    def __init__(self, digests: list[Any]) -> None:
        self._queue: queue.Queue[bytes | None] = queue.Queue(maxsize=HASH_QUEUE_CHUNKS)
        self._thread = threading.Thread(target=self._run, args=(digests,), daemon=True)
        self._thread.start()

    def _run(self, digests: list[Any]) -> None:
        while (chunk := self._queue.get()) is not None:
            for digest in digests:
                digest.update(chunk)

    def update(self, chunk: bytes) -> None:
        self._queue.put(chunk)

    def finish(self) -> None:
        """Wait until every chunk given is hashed (again: at once)."""
        if self._thread.is_alive():
            self._queue.put(None)
            self._thread.join()

    def __enter__(self) -> _Hasher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.finish()  # however the PATCH ends, the thread does not outlive it


def _beyond_length() -> PayloadTooLarge:
    return PayloadTooLarge("上传的数据超过声明的文件长度", code="UPLOAD_LENGTH_EXCEEDED")


def _resume(upload: ResumableUpload, path: Path) -> _Running:
    """The running hash at the recorded offset: this process's, or the prefix rehashed."""
    running = _running.get(upload.id)
    if running is not None and running.received == upload.received:
        return running
    digest = hashlib.sha256()
    remaining = upload.received
    with open(path, "rb") as handle:
        while remaining and (chunk := handle.read(min(CHUNK_BYTES, remaining))):
            digest.update(chunk)
            remaining -= len(chunk)
    return _Running(upload.received, digest)


def _remember(upload_id: str, running: _Running) -> None:
    _running[upload_id] = running
    _running.move_to_end(upload_id)
    while len(_running) > MAX_RUNNING:
        _running.popitem(last=False)


def _result(upload: ResumableUpload) -> Document | RequestAttachment | None:
    """What a finished upload created (None if it was deleted since)."""
    if upload.document_id is not None:
        return db.session.get(Document, upload.document_id)
    return db.session.get(RequestAttachment, upload.attachment_id)


def _finish(
    user: User,
    target: Target,
    upload: ResumableUpload,
    path: Path,
    digest: Any,
    hasher: _Hasher,
) -> Document | RequestAttachment:
    """The last byte is in: the target's multipart pipeline makes the document or attachment,
    after the same checks as at creation (the case or request may have changed since).

    The checks run while ``hasher`` finishes the last chunks (up to ``HASH_QUEUE_CHUNKS``
    behind the disk); the digest is read only when the file is stored.
    A refusal (a polyglot, say) leaves the row without its file, which the pipeline has
    removed: the upload is then not found, and the daily expiry job drops the row.
    """
    _running.pop(upload.id, None)
    with open(path, "rb") as handle:
        head = handle.read(HEAD_BYTES)
    if target.kind == ATTACHMENT:
        item = enterprise_requests.prepare_attachment(user, target.id)

        def attach_file(attachment: RequestAttachment) -> None:
            upload.attachment_id = attachment.id

        stored = _stored(upload, digest, hasher, head)
        return enterprise_requests.store_attachment(
            user, item, upload.filename, path, stored, attach=attach_file
        )
    material_code = upload.material_code or ""  # set for every material (one_target)
    application = documents.prepare_upload(user, target.id, material_code)

    def attach(document: Document) -> None:
        upload.document_id = document.id

    stored = _stored(upload, digest, hasher, head)
    return documents.store_document(
        user, application, material_code, upload.filename, path, stored, attach=attach
    )


def _stored(upload: ResumableUpload, digest: Any, hasher: _Hasher, head: bytes) -> StoredFile:
    """The finished file as the store takes it, once every byte is hashed. Every byte was
    fdatasynced by the PATCH that brought it: the store only renames the file."""
    hasher.finish()
    return StoredFile(digest.hexdigest(), upload.length, head, synced=True)


def terminate(user: User, target: Target, upload_id: str) -> None:
    """``DELETE``: the applicant abandons the upload; its bytes go at once."""
    upload = get(user, target, upload_id, lock=True)
    _running.pop(upload.id, None)
    _path(upload).unlink(missing_ok=True)
    db.session.delete(upload)
    commit()


def remove_expired() -> int:
    """Delete expired uploads and their bytes (the daily jobs); return how many."""
    expired = db.session.scalars(
        select(ResumableUpload).where(ResumableUpload.expires_at <= timekeeping.now())
    ).all()
    for upload in expired:
        _path(upload).unlink(missing_ok=True)
        db.session.delete(upload)
    commit()
    return len(expired)
