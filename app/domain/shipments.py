"""Recording the parcel a licence is mailed in: the dispatcher's carrier and tracking number."""

from __future__ import annotations

from sqlalchemy import select

from app.domain.carriers import carrier_code
from app.errors import Conflict
from app.extensions import db
from app.models import Application, Shipment


def create_shipment(application: Application, data: dict) -> Shipment:
    """Record the carrier (a code from ``CARRIERS``) and tracking number the dispatcher entered."""
    carrier = carrier_code(data["carrier"])
    tracking_no = data["tracking_no"].strip()
    taken = db.session.scalars(
        select(Shipment).where(Shipment.carrier == carrier, Shipment.tracking_no == tracking_no)
    ).first()
    if taken is not None:
        raise Conflict("该快递单号已用于其他申请", code="TRACKING_NO_IN_USE")
    shipment = Shipment(
        application_id=application.id, carrier=carrier, tracking_no=tracking_no, status="created"
    )
    db.session.add(shipment)
    return shipment
