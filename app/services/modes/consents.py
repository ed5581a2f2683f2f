"""Assisted filing (帮办代办): an enterprise's consent lets the office's agents file for it.

The enterprise's manager grants consent with a scope (``prepare``: create and fill drafts,
sign commitments, ask for pre-review; ``submit``: also submit) and an end date, and may
revoke it at any time. Staff with the ``agent`` role of the enterprise's region act on the
enterprise's applications only while a consent is active; otherwise they see nothing (404).
Every agent step is in the timeline with role ``agent``, which the enterprise sees.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from app import timekeeping
from app.domain.transaction import commit
from app.errors import NotFound, field_error
from app.extensions import db
from app.models import Consent, Enterprise, User

MAX_DAYS = 366  # unconfirmed: a consent longer than a year must be renewed


def _manager_enterprise(user: User, enterprise_id: int) -> Enterprise:
    enterprise = db.session.get(Enterprise, enterprise_id)
    if enterprise is None or user.is_staff or enterprise.manager_id != user.id:
        raise NotFound("企业不存在", code="ENTERPRISE_NOT_FOUND")
    return enterprise


def grant(user: User, enterprise_id: int, scope: str, expires_on: date) -> Consent:
    """The manager's consent to assisted filing, until ``expires_on`` (inclusive)."""
    enterprise = _manager_enterprise(user, enterprise_id)
    today = timekeeping.today()
    if not today <= expires_on <= today + timedelta(days=MAX_DAYS):
        message = f"授权截止日期须在今天至{MAX_DAYS}天之内"
        raise field_error("expires_on", message, "CONSENT_EXPIRY_INVALID")
    consent = Consent(
        enterprise_id=enterprise.id,
        scope=scope,
        expires_on=expires_on,
        granted_by=user.id,
        granted_at=timekeeping.now(),
    )
    db.session.add(consent)
    commit()
    return consent


def list_for(user: User, enterprise_id: int) -> list[Consent]:
    enterprise = _manager_enterprise(user, enterprise_id)
    return list(
        db.session.scalars(
            select(Consent).where(Consent.enterprise_id == enterprise.id).order_by(Consent.id)
        )
    )


def revoke(user: User, enterprise_id: int, consent_id: int) -> None:
    """Withdraw a consent at once; revoking one already revoked changes nothing."""
    enterprise = _manager_enterprise(user, enterprise_id)
    consent = db.session.get(Consent, consent_id)
    if consent is None or consent.enterprise_id != enterprise.id:
        raise NotFound("授权不存在", code="CONSENT_NOT_FOUND")
    if consent.revoked_at is None:
        consent.revoked_at = timekeeping.now()
    commit()
