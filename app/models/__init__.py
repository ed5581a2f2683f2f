"""SQLAlchemy models; importing this package registers every table."""

from app.models import blind_index
from app.models.application import Application, Blob, Document, MaterialVerdict, Rating
from app.models.appointment import Appointment, AppointmentSlot
from app.models.contact import VerifiedPhone
from app.models.delivery import Shipment, ShipmentEvent
from app.models.enterprise import Enterprise
from app.models.enterprise_request import EnterpriseRequest, RequestAttachment, RequestEvent
from app.models.guide import FaqEntry, GuideIndexState, GuidePassage
from app.models.idempotency import IdempotencyRecord
from app.models.licence import Licence, LicenceSequence
from app.models.modes import Commitment, Consent, PostCheck
from app.models.notice import Notice
from app.models.notification import Notification, OutboxMessage, Reminder, WechatAccessToken
from app.models.pii_access import PiiAccess
from app.models.rating_case import CLOSED_STATUSES, RATING_CASE_STATUSES, RatingCase
from app.models.subscription import SubscriptionConsent
from app.models.timeline import TimelineEntry
from app.models.upload import ResumableUpload
from app.models.user import ROLE_LABELS, STAFF_ROLES, User

blind_index.register()

__all__ = [
    "CLOSED_STATUSES",
    "RATING_CASE_STATUSES",
    "RatingCase",
    "ROLE_LABELS",
    "STAFF_ROLES",
    "Application",
    "Appointment",
    "AppointmentSlot",
    "Blob",
    "Commitment",
    "Consent",
    "Document",
    "Enterprise",
    "EnterpriseRequest",
    "FaqEntry",
    "GuideIndexState",
    "GuidePassage",
    "IdempotencyRecord",
    "Licence",
    "LicenceSequence",
    "MaterialVerdict",
    "Notice",
    "Notification",
    "OutboxMessage",
    "PiiAccess",
    "PostCheck",
    "Rating",
    "Reminder",
    "RequestAttachment",
    "RequestEvent",
    "ResumableUpload",
    "Shipment",
    "ShipmentEvent",
    "SubscriptionConsent",
    "TimelineEntry",
    "User",
    "VerifiedPhone",
    "WechatAccessToken",
]
