"""差评整改: the follow-up of a bad rating (GB/T 39734; 国办发〔2019〕51号).

Every rating of 1 or 2 opens one case: the office calls the applicant back (回访) within
``contact_due``, then rectifies or explains within ``rectify_due`` (working days from the
rating), or disputes a malicious rating by appeal, which an administrator upholds or rejects.
``history`` keeps each step (who, when, comment) for the console and the audit.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import Model
from app.models.application import Application, Rating
from app.models.base import JSONType, UTCDateTime, utcnow

# open (待回访) → contacted (已回访) → rectified (已整改) | explained (已说明);
# open | contacted → appealed (申诉中) → appeal_upheld (申诉成立) | back where it was.
RATING_CASE_STATUSES = (
    "open",
    "contacted",
    "rectified",
    "explained",
    "appealed",
    "appeal_upheld",
)
CLOSED_STATUSES = ("rectified", "explained", "appeal_upheld")
STATUS_LABELS = {
    "open": "待回访",
    "contacted": "已回访",
    "rectified": "已整改",
    "explained": "已说明",
    "appealed": "申诉中",
    "appeal_upheld": "申诉成立",
}
# The steps of the follow-up: the section chief's four, then the administrator's two.
RATING_CASE_ACTIONS = (
    "contact",
    "rectify",
    "explain",
    "appeal",
    "uphold_appeal",
    "reject_appeal",
)


class RatingCase(Model):
    __tablename__ = "rating_cases"
    __table_args__ = (Index("ix_rating_cases_region_status", "region_code", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    rating_id: Mapped[int] = mapped_column(ForeignKey("ratings.id"), index=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    region_code: Mapped[str] = mapped_column(String(6))
    score: Mapped[int]
    status: Mapped[str] = mapped_column(String(16), default="open")
    contact_due: Mapped[date] = mapped_column(Date)
    rectify_due: Mapped[date] = mapped_column(Date)
    contacted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolution: Mapped[str] = mapped_column(Text, default="")
    history: Mapped[list] = mapped_column(JSONType, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    rating: Mapped[Rating] = relationship()
    application: Mapped[Application] = relationship()

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]
