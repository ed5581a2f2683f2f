"""Who acts as an enterprise's agent (帮办代办): the rules an active consent sets.

Staff with the ``agent`` role of the enterprise's region act on its applications only while
a consent is in force, and only within its scope; the consents themselves are granted and
revoked in ``app.services.modes.consents``.
"""

from __future__ import annotations

from sqlalchemy import select

from app import timekeeping
from app.errors import Forbidden, NotFound
from app.extensions import db
from app.models import Application, Consent, Enterprise, User
from permits.identifiers import region_covers
from workflows.engine import Actor

AGENT = "agent"
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
    if not (user.is_staff and AGENT in user.roles):
        return None
    if not region_covers(user.region_code or "", enterprise.region_code):
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
