"""Records of the seeds' service modes: post-checks (事后核查) of licences issued at once or
on commitment, the applicant's written commitments (告知承诺), and the enterprise's consent to
assisted filing (帮办代办)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app import timekeeping
from app.extensions import Model
from app.models.base import UTCDateTime, utcnow
from app.models.licence import Licence

# Why a licence is checked after issue.
REASON_LABELS = {"instant": "秒批抽查", "commitment": "告知承诺核查"}


class PostCheck(Model):
    """A licence to be checked after issue; a failed check waits on the revocation queue."""

    __tablename__ = "post_checks"

    id: Mapped[int] = mapped_column(primary_key=True)
    licence_id: Mapped[int] = mapped_column(ForeignKey("licences.id"), unique=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    region_code: Mapped[str] = mapped_column(String(6), index=True)
    reason: Mapped[str] = mapped_column(String(16))  # instant | commitment
    due_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    comment: Mapped[str] = mapped_column(Text, default="")
    checked_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    licence: Mapped[Licence] = relationship()

    @property
    def reason_label(self) -> str:
        return REASON_LABELS.get(self.reason, self.reason)


class Commitment(Model):
    """A signed commitment standing in for one material (告知承诺制), kept with the case."""

    __tablename__ = "commitments"
    __table_args__ = (UniqueConstraint("application_id", "material_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    material_code: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)
    signer_name: Mapped[str] = mapped_column(String(50))
    signed_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Consent(Model):
    """An enterprise's consent that the office's agents prepare (or submit) its applications."""

    __tablename__ = "consents"

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    scope: Mapped[str] = mapped_column(String(16))  # prepare | submit
    expires_on: Mapped[date] = mapped_column(Date)
    granted_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def active(self) -> bool:
        """Not revoked and not yet expired on the office's today."""
        return self.revoked_at is None and self.expires_on >= timekeeping.today()
