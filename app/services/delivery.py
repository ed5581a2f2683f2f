"""Mailing the paper licence: shipments, labels and the courier's webhook."""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.domain import access
from app.domain.carriers import CARRIERS, carrier_name
from app.domain.outbox import enqueue
from app.domain.transaction import commit
from app.errors import NotFound
from app.extensions import db
from app.models import Application, Shipment, ShipmentEvent, User
from app.services import cases


def signature_valid(secret: str, raw_body: bytes, header: str | None) -> bool:
    """``X-Signature: sha256=<hex HMAC-SHA256 of the raw body>``, compared in constant time."""
    if not header or not header.startswith("sha256="):
        return False
    expected = hmac.new(secret.encode(), raw_body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, header.removeprefix("sha256=").strip().lower())


def _dispatchers(application: Application) -> list[User]:
    return [
        u
        for u in db.session.scalars(select(User).where(User.kind == "staff", User.active))
        if "dispatcher" in (u.roles or []) and access.in_region(u, application.region_code)
    ]


def record_courier_event(carrier: str, tracking_no: str, status: str, at: datetime) -> str:
    """Apply one courier report; a report already received changes nothing.

    Returns ``applied`` or ``duplicate``.
    """
    carrier = carrier.lower()
    if carrier not in CARRIERS:
        raise NotFound("未知的快递公司", code="CARRIER_UNKNOWN")
    shipment = db.session.scalars(
        select(Shipment)
        .where(Shipment.carrier == carrier, Shipment.tracking_no == tracking_no)
        .with_for_update(of=Shipment)
    ).first()
    if shipment is None:
        raise NotFound("没有该快递单号的寄递记录", code="SHIPMENT_NOT_FOUND")
    known = db.session.scalars(
        select(ShipmentEvent).where(
            ShipmentEvent.shipment_id == shipment.id,
            ShipmentEvent.status == status,
            ShipmentEvent.at == at,
        )
    ).first()
    if known is not None:
        return "duplicate"
    db.session.add(ShipmentEvent(shipment_id=shipment.id, status=status, at=at))
    application = db.session.get_one(Application, shipment.application_id)
    if shipment.status != "delivered":
        shipment.status = status
    if status == "delivered" and application.state == "dispatched":
        cases.take_system_action(application, "confirm_delivery", "dispatcher", {})
    elif status == "failed" and shipment.status == "failed":
        # A late "failed" report about a parcel already delivered tells no one anything.
        body = (
            f"申请{application.number}的证书寄递失败（{carrier_name(carrier)} {tracking_no}），"
            "请联系收件人后重新寄出。"
        )
        for dispatcher in _dispatchers(application):
            enqueue(
                dispatcher.id,
                "delivery",
                "证书寄递失败",
                body,
                {"application_id": application.id},
                dedupe_key=f"delivery-failed:{shipment.id}:{at.isoformat()}:{dispatcher.id}",
            )
        enqueue(
            application.enterprise.manager_id,
            "delivery",
            "证书寄递失败",
            f"您的许可证寄递失败（快递单号{tracking_no}），办事大厅将与您联系重新寄送。",
            {"application_id": application.id},
            dedupe_key=f"delivery-failed:{shipment.id}:{at.isoformat()}:applicant",
        )
    try:
        commit()
    except IntegrityError:  # the same report arrived twice at once; the other one applied it
        db.session.rollback()
        return "duplicate"
    return "applied"


def get_shipment(user: User, application_id: int) -> tuple[Application, Shipment]:
    application = access.get_application(user, application_id)
    shipment = db.session.scalars(
        select(Shipment).where(Shipment.application_id == application.id)
    ).first()
    if shipment is None:
        raise NotFound("该申请尚未寄出", code="SHIPMENT_NOT_FOUND")
    return application, shipment
