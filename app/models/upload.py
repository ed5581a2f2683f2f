"""Resumable (tus) uploads in progress: the state any app server needs to take the next PATCH.

The bytes received so far are in a file on the storage every server shares
(``DATA_DIR/documents/partial/<id>``); this row says whose upload it is, what it becomes
(``kind``: a material of a case, or an attachment of a request desk request), how long it
will be and how much of it is safely on disk. A finished upload keeps its row (with the
document or attachment it created) until it expires, so a retried final PATCH is answered
with the same file instead of a second one.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import Model
from app.models.base import UTCDateTime, utcnow

MATERIAL = "material"  # a document of an application's material
ATTACHMENT = "attachment"  # an attachment of an enterprise request


class ResumableUpload(Model):
    __tablename__ = "resumable_uploads"
    __table_args__ = (
        CheckConstraint(
            "(kind = 'material' AND application_id IS NOT NULL AND material_code IS NOT NULL"
            " AND request_id IS NULL AND attachment_id IS NULL)"
            " OR (kind = 'attachment' AND request_id IS NOT NULL AND application_id IS NULL"
            " AND material_code IS NULL AND document_id IS NULL)",
            name="one_target",
        ),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)  # random: the URL's secret part
    kind: Mapped[str] = mapped_column(String(16), default=MATERIAL)
    application_id: Mapped[int | None] = mapped_column(ForeignKey("applications.id"), index=True)
    request_id: Mapped[int | None] = mapped_column(ForeignKey("enterprise_requests.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    material_code: Mapped[str | None] = mapped_column(String(64))
    filename: Mapped[str] = mapped_column(String(255))
    length: Mapped[int] = mapped_column(BigInteger)
    received: Mapped[int] = mapped_column(BigInteger, default=0)  # durable bytes (tus offset)
    document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id", ondelete="SET NULL"))
    attachment_id: Mapped[int | None] = mapped_column(
        ForeignKey("request_attachments.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
