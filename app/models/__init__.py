"""SQLAlchemy models; importing this package registers every table."""

from app.models.application import Application, Blob, Document, MaterialVerdict, Rating
from app.models.delivery import Shipment, ShipmentEvent
from app.models.enterprise import Enterprise
from app.models.idempotency import IdempotencyRecord
from app.models.licence import Licence, LicenceSequence
from app.models.modes import Commitment, Consent, PostCheck
from app.models.notification import Notification, OutboxMessage, Reminder, WechatAccessToken
from app.models.timeline import TimelineEntry
from app.models.user import STAFF_ROLES, LoginThrottle, User

__all__ = [
    "STAFF_ROLES",
    "Application",
    "Blob",
    "Commitment",
    "Consent",
    "Document",
    "Enterprise",
    "IdempotencyRecord",
    "Licence",
    "LicenceSequence",
    "LoginThrottle",
    "MaterialVerdict",
    "Notification",
    "OutboxMessage",
    "PostCheck",
    "Rating",
    "Reminder",
    "Shipment",
    "ShipmentEvent",
    "TimelineEntry",
    "User",
    "WechatAccessToken",
]
