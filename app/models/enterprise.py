"""Enterprises, identified by their 统一社会信用代码 and managed by one applicant."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import Model
from app.models.base import UTCDateTime, utcnow
from app.models.sealed import ENTERPRISE_PHONE
from app.models.user import User


class Enterprise(Model):
    __tablename__ = "enterprises"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    credit_code: Mapped[str] = mapped_column(String(18), unique=True)
    legal_representative: Mapped[str] = mapped_column(String(64))
    address: Mapped[str] = mapped_column(String(300))
    region_code: Mapped[str] = mapped_column(String(6), index=True)
    contact_phone: Mapped[str] = mapped_column(ENTERPRISE_PHONE)
    manager_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    # 失信 record: refuses 容缺受理 and direct extension (domain.md).
    bad_credit: Mapped[bool] = mapped_column(Boolean, default=False)
    # Date of the last fatal accident the office recorded, if any (blocks direct extension).
    fatal_accident_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    manager: Mapped[User | None] = relationship()
