"""Resumable (tus) uploads in progress: the state any app server needs to take the next PATCH.

The bytes received so far are in a file on the storage every server shares
(``DATA_DIR/documents/partial/<id>``); this row says whose upload it is, for which material,
how long it will be and how much of it is safely on disk. A finished upload keeps its row
(with the document it created) until it expires, so a retried final PATCH is answered with
the same document instead of a second one.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import Model
from app.models.base import UTCDateTime, utcnow


class ResumableUpload(Model):
    __tablename__ = "resumable_uploads"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)  # random: the URL's secret part
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    material_code: Mapped[str] = mapped_column(String(64))
    filename: Mapped[str] = mapped_column(String(255))
    length: Mapped[int] = mapped_column(BigInteger)
    received: Mapped[int] = mapped_column(BigInteger, default=0)  # durable bytes (tus offset)
    document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
