"""Mail delivery of the paper licence: the shipment and the courier's status events."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import Model
from app.models.base import UTCDateTime, utcnow

# The couriers the office mails with: code (in the dispatch body and the webhook path) → name.
CARRIERS: dict[str, str] = {
    "sf": "顺丰速运",
    "ems": "中国邮政EMS",
    "jd": "京东物流",
    "zto": "中通快递",
    "yto": "圆通速递",
    "sto": "申通快递",
    "yunda": "韵达快递",
    "jtexpress": "极兔速递",
    "deppon": "德邦快递",
}


class Shipment(Model):
    __tablename__ = "shipments"
    __table_args__ = (UniqueConstraint("carrier", "tracking_no"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), unique=True)
    carrier: Mapped[str] = mapped_column(String(32))
    tracking_no: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default="created")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    events: Mapped[list[ShipmentEvent]] = relationship(order_by="ShipmentEvent.at")

    @property
    def carrier_name(self) -> str:
        """The Chinese name (a shipment recorded before there were codes keeps its text)."""
        return CARRIERS.get(self.carrier, self.carrier)


class ShipmentEvent(Model):
    """One courier report; the unique key makes a repeated webhook a no-op."""

    __tablename__ = "shipment_events"
    __table_args__ = (UniqueConstraint("shipment_id", "status", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    shipment_id: Mapped[int] = mapped_column(ForeignKey("shipments.id"), index=True)
    status: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
