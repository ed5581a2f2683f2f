"""An applicant's phone number as verified by WeChat (getuserphonenumber)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import Model
from app.models.base import UTCDateTime, utcnow
from app.models.sealed import VERIFIED_PHONE


class VerifiedPhone(Model):
    """One verified phone per user; binding again replaces it."""

    __tablename__ = "verified_phones"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    phone: Mapped[str] = mapped_column(VERIFIED_PHONE)
    country_code: Mapped[str] = mapped_column(String(8), default="86")
    verified_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
