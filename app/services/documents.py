"""Uploading, serving and removing a case's documents.

An upload takes the shared path of ``app.domain.upload_pipeline`` (size, content type,
content-addressed blob, committed to the store once the row is flushed).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from werkzeug.datastructures import FileStorage as Upload

from app.domain import access, agency, bulk, materials
from app.domain.case_facts import EDITABLE_STATES
from app.domain.transaction import commit
from app.domain.upload_pipeline import (
    NO_FILE,
    ReceivedFile,
    no_file,
    received_file,
    received_spool,
    storage,
)
from app.errors import (
    Conflict,
    NotFound,
    ValidationFailed,
    field_error,
    fields_error,
)
from app.extensions import db
from app.integrations.storage import StoredFile
from app.models import Application, Blob, Document, User

# After acceptance, only deferred (容缺) or rejected materials may still be uploaded.
LATE_UPLOAD_STATES = (
    "accepted",
    "under_review",
    "expert_review",
    "inspection",
    "pending_check",
    "pending_decision",
)


def _check_can_upload(application: Application, material_code: str) -> None:
    """Whether the case takes a file for ``material_code`` now. An editable case takes one
    for any of its materials, so only a case past its draft reads the materials' statuses
    (its documents, verdicts and commitments)."""
    if application.state in EDITABLE_STATES:
        if material_code not in materials.offered_codes(application):
            raise _unknown_material()
        return
    statuses = {s.material.code: s for s in materials.material_statuses(application)}
    if material_code not in statuses:
        raise _unknown_material()
    status = statuses[material_code]
    if application.state in LATE_UPLOAD_STATES and status.status in ("deferred", "rejected"):
        return
    raise Conflict("当前状态下不能上传此材料", code="APPLICATION_NOT_EDITABLE")


def _unknown_material() -> ValidationFailed:
    return field_error("material", "该申请没有此材料", "MATERIAL_UNKNOWN")


def upload_document(
    user: User, application_id: int, material_code: str | None, upload: Upload | None
) -> Document:
    """Store one file for one material of the caller's own case."""
    application = access.lock_application_row(user, application_id)
    agency.check_may_prepare(user, application)
    errors = {}
    if not material_code:
        errors["material"] = ["请选择材料"]
    if no_file(upload):
        errors["file"] = [NO_FILE]
    if errors or not material_code or upload is None:  # (the last two narrow the types)
        raise fields_error(errors)
    _check_can_upload(application, material_code)
    with received_file(upload) as received:
        document = _new_document(user, application, material_code, received)
    application.touch()
    commit()
    return document


def prepare_upload(user: User, application_id: int, material_code: str) -> Application:
    """The caller's own case, locked, once it may take a file for ``material_code``."""
    application = access.lock_application_row(user, application_id)
    agency.check_may_prepare(user, application)
    _check_can_upload(application, material_code)
    return application


def store_document(
    user: User,
    application: Application,
    material_code: str,
    filename: str | None,
    tmp: Path,
    spooled: StoredFile,
    *,
    attach: Callable[[Document], None] | None = None,
) -> Document:
    """A resumable upload's file, complete on disk, through the multipart route's pipeline
    (``received_spool``: the same checks, blob and store); ``attach`` records the new
    document elsewhere in the same transaction."""
    with received_spool(tmp, spooled, filename) as received:
        document = _new_document(user, application, material_code, received)
        if attach is not None:
            db.session.flush()
            attach(document)
    application.touch()
    commit()
    return document


def _new_document(
    user: User, application: Application, material_code: str, received: ReceivedFile
) -> Document:
    document = Document(
        application=application,
        material_code=material_code,
        sha256=received.sha256,
        filename=received.filename,
        content_type=received.content_type,
        size=received.size,
        uploaded_by=user.id,
    )
    db.session.add(document)
    return document


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
    application.touch()
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
