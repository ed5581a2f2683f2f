"""Uploading, serving and removing a case's documents.

The request parser writes the upload into the store's temp folder, hashing it on the way
(``app.web.uploads``); it is judged by its first bytes and committed to the content-addressed
store (renamed, or sent to the bucket) only when the database row is about to commit.
"""

from __future__ import annotations

import os
from typing import BinaryIO

from flask import current_app
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import flag_modified
from werkzeug.datastructures import FileStorage as Upload

from app import timekeeping
from app.domain import access, agency, bulk, materials
from app.domain.case_facts import EDITABLE_STATES
from app.domain.transaction import commit
from app.errors import (
    Conflict,
    NotFound,
    PayloadTooLarge,
    UnsupportedMediaType,
    field_error,
    fields_error,
)
from app.extensions import db
from app.file_types import sniff_content_type
from app.integrations.storage import DocumentStore, TooLarge, storage_for
from app.models import Application, Blob, Document, User

# After acceptance, only deferred (容缺) or rejected materials may still be uploaded.
LATE_UPLOAD_STATES = ("accepted", "under_review", "expert_review", "inspection", "pending_decision")


def storage() -> DocumentStore:
    return storage_for("documents")


def _safe_filename(name: str | None) -> str:
    base = os.path.basename((name or "").replace("\\", "/")).strip()
    cleaned = "".join(ch for ch in base if ch.isprintable() and ch not in '"<>|:*?')
    return cleaned[:200] or "upload"


def _check_can_upload(application: Application, material_code: str) -> None:
    statuses = {s.material.code: s for s in materials.material_statuses(application)}
    if material_code not in statuses:
        message = "该申请没有此材料"
        raise field_error("material", message, "MATERIAL_UNKNOWN")
    if application.state in EDITABLE_STATES:
        return
    status = statuses[material_code]
    if application.state in LATE_UPLOAD_STATES and status.status in ("deferred", "rejected"):
        return
    raise Conflict("当前状态下不能上传此材料", code="APPLICATION_NOT_EDITABLE")


def upload_document(
    user: User, application_id: int, material_code: str | None, upload: Upload | None
) -> Document:
    """Store one file for one material of the caller's own case."""
    application = access.get_application(user, application_id, lock=True)
    agency.check_may_prepare(user, application)
    errors = {}
    if not material_code:
        errors["material"] = ["请选择材料"]
    if upload is None or not upload.filename and upload.content_length == 0:
        errors["file"] = ["请选择要上传的文件"]
    if errors or not material_code or upload is None:  # (the last two narrow the types)
        raise fields_error(errors)
    _check_can_upload(application, material_code)
    store = storage()
    limit = current_app.config["MAX_UPLOAD_BYTES"]
    try:
        tmp, spooled = store.spool(upload.stream, limit)
    except TooLarge as exc:
        raise PayloadTooLarge(
            f"文件超过 {limit // (1024 * 1024)} MiB 上限", code="FILE_TOO_LARGE"
        ) from exc
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
        if db.session.get(Blob, spooled.sha256) is None:
            db.session.add(
                Blob(sha256=spooled.sha256, size=spooled.size, content_type=content_type)
            )
        document = Document(
            application=application,
            material_code=material_code,
            sha256=spooled.sha256,
            filename=_safe_filename(upload.filename),
            content_type=content_type,
            size=spooled.size,
            uploaded_by=user.id,
        )
        db.session.add(document)
        db.session.flush()
        # The file is in place before the row commits: a crash leaves at worst an
        # unreferenced blob, never a row pointing at nothing.
        store.commit(tmp, spooled.sha256)
    finally:
        store.discard(tmp)
    _touch(application)
    commit()
    return document


def _touch(application: Application) -> None:
    """The case's materials changed: a new version even when the clock stands still (the
    phone holds the version for its next PATCH or action, and ``application_version`` says it)."""
    application.updated_at = timekeeping.now()
    flag_modified(application, "updated_at")


def get_document(user: User, application_id: int, document_id: int) -> Document:
    application = access.get_application(user, application_id)
    document = db.session.scalars(
        select(Document).where(
            Document.id == document_id, Document.application_id == application.id
        )
    ).first()
    if document is None:
        raise NotFound("文件不存在", code="DOCUMENT_NOT_FOUND")
    return document


def open_document(document: Document) -> BinaryIO:
    return storage().open(document.sha256)


def delete_document(user: User, application_id: int, document_id: int) -> None:
    application = access.get_application(user, application_id, lock=True)
    agency.check_may_prepare(user, application)
    document = get_document(user, application_id, document_id)
    if application.state not in EDITABLE_STATES:
        raise Conflict("只有草稿或待补正的申请可以删除材料", code="APPLICATION_NOT_EDITABLE")
    sha256 = document.sha256
    db.session.delete(document)
    _touch(application)
    db.session.flush()
    _forget_unreferenced_blob(sha256)
    commit()


def _blob_referenced(sha256: str) -> bool:
    """Whether any row of any table (documents, request attachments, …) points at the blob."""
    for table in db.metadata.sorted_tables:
        for key in table.foreign_keys:
            if key.column.table.name == Blob.__tablename__:
                found = db.session.execute(
                    select(key.parent).where(key.parent == sha256).limit(1)
                ).first()
                if found is not None:
                    return True
    return False


def _forget_unreferenced_blob(sha256: str) -> None:
    """Drop the blob row and its bytes when no document refers to them any more.

    The row is deleted first, which locks it: an upload of the same bytes racing us waits
    on that lock at its own insert and then fails, so removing the file before our commit
    can never strand a document without its bytes.
    """
    if _blob_referenced(sha256):
        return
    try:
        with db.session.begin_nested():
            deleted = bulk.execute(delete(Blob).where(Blob.sha256 == sha256))
    except IntegrityError:
        return  # a document committed meanwhile refers to it: keep it
    if deleted:
        storage().remove(sha256)
