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

from app.domain import timekeeping
from app.domain.transaction import commit
from app.errors import Forbidden, NotFound, ValidationFailed
from app.extensions import db
from app.models import Application, Consent, Enterprise, User
from workflows.engine import Actor

AGENT = "agent"
MAX_DAYS = 366  # unconfirmed: a consent longer than a year must be renewed
AGENT_ACTIONS = {
    "prepare": frozenset({"request_pre_review"}),
    "submit": frozenset({"request_pre_review", "submit", "resubmit"}),
}
SCOPE_RANK = {"prepare": 1, "submit": 2}


def _active_clause():
    return (Consent.revoked_at.is_(None)) & (Consent.expires_on >= timekeeping.today())


def active_consent(enterprise_id: int) -> Consent | None:
    """The broadest consent of the enterprise in force today, if any."""
    found = db.session.scalars(
        select(Consent).where(Consent.enterprise_id == enterprise_id, _active_clause())
    ).all()
    return max(found, key=lambda c: SCOPE_RANK[c.scope], default=None)


def consented_enterprises():
    """A subquery of the enterprises with a consent in force (for list scoping)."""
    return select(Consent.enterprise_id).where(_active_clause())


def agent_only(user: User) -> bool:
    """A staff member whose only role is ``agent`` sees consenting enterprises only."""
    return user.is_staff and set(user.roles) == {AGENT}


def agent_consent(user: User, enterprise: Enterprise) -> Consent | None:
    """The consent under which ``user`` may act as the enterprise's agent, if any."""
    from app.domain.access import in_region

    if not (user.is_staff and AGENT in user.roles and in_region(user, enterprise.region_code)):
        return None
    return active_consent(enterprise.id)


def check_may_prepare(user: User, target: Application | Enterprise) -> None:
    """Staff may prepare an application only as an agent under an active consent (else 404)."""
    if not user.is_staff:
        return
    enterprise = target.enterprise if isinstance(target, Application) else target
    if agent_consent(user, enterprise) is None:
        raise NotFound("申请不存在", code="APPLICATION_NOT_FOUND")


def agent_actor(user: User, application: Application) -> Actor | None:
    """An agent under consent acts in the applicant's place (limited by ``allowed_actions``)."""
    if agent_consent(user, application.enterprise) is None:
        return None
    return Actor(roles=frozenset({"applicant"}))


def allowed_actions(user: User, application: Application) -> frozenset[str] | None:
    """The actions an agent may take on this case; None when the caller is no agent here."""
    consent = agent_consent(user, application.enterprise)
    return AGENT_ACTIONS[consent.scope] if consent is not None else None


def check_agent_action(user: User, application: Application, action: str) -> None:
    allowed = allowed_actions(user, application)
    if allowed is not None and action not in allowed:
        raise Forbidden("代办授权范围不包括此操作", code="CONSENT_SCOPE_EXCEEDED")


def timeline_role(user: User) -> str:
    return AGENT if user.is_staff else "applicant"


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
        raise ValidationFailed(
            message, code="CONSENT_EXPIRY_INVALID", errors={"expires_on": [message]}
        )
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


def view(consent: Consent) -> dict:
    today = timekeeping.today()
    return {
        "id": consent.id,
        "enterprise_id": consent.enterprise_id,
        "scope": consent.scope,
        "expires_on": consent.expires_on.isoformat(),
        "granted_at": timekeeping.local_iso(consent.granted_at),
        "revoked_at": timekeeping.local_iso(consent.revoked_at),
        "active": consent.revoked_at is None and consent.expires_on >= today,
    }
