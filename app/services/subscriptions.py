"""Subscribe-message consent: what the mini-program reports, and spending it when sending.

``requestSubscribeMessage`` tells the mini-program, per template, whether the user accepted
or rejected. Each acceptance of a one-time template allows one message, so acceptances add
up and every WeChat send spends one; a rejection withdraws whatever was left. The outbox
asks ``reserve`` before it sends and gives the consent back (``release``) when the send did
not happen, so a retried message does not use up two.
"""

from __future__ import annotations

from sqlalchemy import select, update

from app import timekeeping
from app.domain import bulk
from app.domain.transaction import commit
from app.errors import Forbidden, fields_error
from app.extensions import db
from app.models import SubscriptionConsent, User

MAX_TEMPLATES = 20  # the mini-program asks for at most 3 at a time; leave room, refuse junk


def _check(accepted: list[str], rejected: list[str]) -> None:
    errors: dict[str, list[str]] = {}
    if not accepted and not rejected:
        errors["accepted"] = ["请至少提交一个模板"]
    if len(accepted) + len(rejected) > MAX_TEMPLATES:
        errors["accepted"] = [f"一次最多提交{MAX_TEMPLATES}个模板"]
    both = sorted(set(accepted) & set(rejected))
    if both:
        errors["rejected"] = [f"模板不能同时同意和拒绝：{'、'.join(both)}"]
    if errors:
        raise fields_error(errors)


def _row(user: User, template_id: str) -> SubscriptionConsent:
    row = db.session.scalars(
        select(SubscriptionConsent)
        .where(
            SubscriptionConsent.user_id == user.id,
            SubscriptionConsent.template_id == template_id,
        )
        .with_for_update()
    ).first()
    if row is None:
        row = SubscriptionConsent(user_id=user.id, template_id=template_id, remaining=0)
        db.session.add(row)
    return row


def record(user: User, accepted: list[str], rejected: list[str]) -> list[SubscriptionConsent]:
    """Add one send per accepted template; a rejected template gets none left."""
    if user.is_staff:
        raise Forbidden("仅小程序用户可以订阅消息")
    _check(accepted, rejected)
    now = timekeeping.now()
    rows = []
    for template_id in dict.fromkeys(accepted):
        row = _row(user, template_id)
        row.status, row.remaining, row.updated_at = "accepted", (row.remaining or 0) + 1, now
        rows.append(row)
    for template_id in dict.fromkeys(rejected):
        row = _row(user, template_id)
        row.status, row.remaining, row.updated_at = "rejected", 0, now
        rows.append(row)
    commit()
    return rows


def consents(user: User) -> list[SubscriptionConsent]:
    return list(
        db.session.scalars(
            select(SubscriptionConsent)
            .where(SubscriptionConsent.user_id == user.id)
            .order_by(SubscriptionConsent.template_id)
        )
    )


def reserve(user_id: int, template_id: str) -> bool:
    """Spend one consent for a send (its own short transaction); False when none is left."""
    touched = bulk.execute(
        update(SubscriptionConsent)
        .where(
            SubscriptionConsent.user_id == user_id,
            SubscriptionConsent.template_id == template_id,
            SubscriptionConsent.status == "accepted",
            SubscriptionConsent.remaining > 0,
        )
        .values(remaining=SubscriptionConsent.remaining - 1)
        .execution_options(synchronize_session=False)
    )
    commit()
    return touched == 1


def release(user_id: int, template_id: str) -> None:
    """Give back a consent whose send did not happen (WeChat busy, token trouble …)."""
    db.session.execute(
        update(SubscriptionConsent)
        .where(
            SubscriptionConsent.user_id == user_id,
            SubscriptionConsent.template_id == template_id,
            SubscriptionConsent.status == "accepted",
        )
        .values(remaining=SubscriptionConsent.remaining + 1)
        .execution_options(synchronize_session=False)
    )
    commit()
