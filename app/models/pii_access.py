"""查询留痕: who saw a person's unmasked data or downloaded a material, when, and where."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import Model
from app.models.base import UTCDateTime, utcnow


class PiiAccess(Model):
    __tablename__ = "pii_access_records"
    __table_args__ = (
        Index("ix_pii_access_records_at", "at"),
        Index("ix_pii_access_records_staff_at", "staff_id", "at"),
        Index("ix_pii_access_records_subject_at", "subject", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    staff_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    staff_name: Mapped[str] = mapped_column(String(64))
    # Whose data: the case (its number) the person's data belongs to.
    subject: Mapped[str] = mapped_column(String(64))
    application_id: Mapped[int | None] = mapped_column(ForeignKey("applications.id"))
    # What was seen: unmasked fields (comma-separated), or "document" for a download.
    fields: Mapped[str] = mapped_column(String(200))
    document_id: Mapped[int | None] = mapped_column(Integer)
    route: Mapped[str] = mapped_column(String(200))
    request_id: Mapped[str] = mapped_column(String(64))

    @property
    def field_names(self) -> list[str]:
        """The fields seen, one by one (``["document"]`` for a download)."""
        return self.fields.split(",")
