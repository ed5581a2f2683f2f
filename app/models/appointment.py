"""Online appointments (线上预约): slots staff publish and the bookings applicants make."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import Model
from app.models.base import UTCDateTime, utcnow

# What a slot is for (its ``purpose``), with the label shown.
PURPOSES = {
    "video_consultation": "视频咨询",
    "onsite_inspection": "现场核查",
    "document_collection": "材料收取",
}
STATUS_LABELS = {"booked": "已预约", "cancelled": "已取消"}


class AppointmentSlot(Model):
    """A period an office offers for one purpose, with room for ``capacity`` bookings."""

    __tablename__ = "appointment_slots"
    __table_args__ = (
        Index("ix_appointment_slots_purpose_starts_at", "purpose", "starts_at"),
        # The last line of defence against overbooking, whatever the code does.
        CheckConstraint("booked >= 0 AND booked <= capacity", name="booked_within_capacity"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    region_code: Mapped[str] = mapped_column(String(6))
    purpose: Mapped[str] = mapped_column(String(32))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    capacity: Mapped[int] = mapped_column(Integer)
    booked: Mapped[int] = mapped_column(Integer, default=0)
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def purpose_label(self) -> str:
        return PURPOSES[self.purpose]

    @property
    def available(self) -> int:
        """Places left."""
        return self.capacity - self.booked


class Appointment(Model):
    """One applicant's booking of a slot, optionally for one of their applications."""

    __tablename__ = "appointments"

    id: Mapped[int] = mapped_column(primary_key=True)
    slot_id: Mapped[int] = mapped_column(ForeignKey("appointment_slots.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    application_id: Mapped[int | None] = mapped_column(ForeignKey("applications.id"))
    purpose: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), default="booked")  # booked | cancelled
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    slot: Mapped[AppointmentSlot] = relationship()

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]
