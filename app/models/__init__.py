"""SQLAlchemy models; importing this package registers every table."""

from app.models.application import Application, Blob, Document, MaterialVerdict, Rating
from app.models.delivery import Shipment, ShipmentEvent
from app.models.enterprise import Enterprise
from app.models.idempotency import IdempotencyRecord
from app.models.licence import Licence, LicenceSequence
from app.models.notification import Notification, OutboxMessage, Reminder, WechatAccessToken
from app.models.timeline import TimelineEntry
from app.models.user import STAFF_ROLES, User

__all__ = [
    "STAFF_ROLES",
    "Application",
    "Blob",
    "Document",
    "Enterprise",
    "IdempotencyRecord",
    "Licence",
    "LicenceSequence",
    "MaterialVerdict",
    "Notification",
    "OutboxMessage",
    "Rating",
    "Reminder",
    "Shipment",
    "ShipmentEvent",
    "TimelineEntry",
    "User",
    "WechatAccessToken",
]
