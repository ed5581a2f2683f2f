"""Delivering the transactional outbox: the in-app inbox always, WeChat when it can.

``drain`` claims due rows in small batches, each claim its own short transaction: on
PostgreSQL ``SELECT … FOR UPDATE SKIP LOCKED`` then a conditional ``UPDATE``, on SQLite the
conditional ``UPDATE`` alone settles it (one writer at a time). A claim marks the row
``sending``, bumps ``attempts`` and leases it until ``next_attempt_at``; a worker that dies
leaves the row to be claimed again when the lease runs out. Finishing a row is guarded by
the attempt number it was claimed with, so a worker whose lease was taken over changes
nothing. Two drains running at once therefore never deliver a row twice; only a crash
between the WeChat call and the finishing commit can repeat a WeChat message.

Channels are independent: the inbox ``Notification`` (unique per outbox row) is written at
the first attempt, whatever WeChat says; WeChat is retried with exponential backoff on
busy/network errors, never on ``43101`` (the user has not subscribed), and given up after
``OUTBOX_MAX_ATTEMPTS``. A WeChat message goes out only while the user has an unused consent
for its template (``subscriptions.reserve``, status ``no_consent`` otherwise).

WeChat's settings and the shared access token are in ``app.integrations.wechat_access``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import requests
from sqlalchemy import exists, select, update

from app import timekeeping
from app.domain import bulk
from app.extensions import db
from app.integrations.wechat_access import (
    DeliverySettings,
    TokenCache,
    TokenUnavailable,
    delivery_settings,
    describe,
)
from app.integrations.wechat_messages import (
    WechatMessageClient,
    WechatMessageError,
)
from app.models import Notification, OutboxMessage, User
from app.services import subscriptions

log = logging.getLogger(__name__)

CLAIM_BATCH = 20  # small enough that a batch is delivered well inside one lease
FINAL_WECHAT_STATUSES = ("sent", "unsubscribed", "no_consent", "no_openid", "disabled")


@dataclass
class DrainSummary:
    claimed: int = 0
    delivered: int = 0
    retry_scheduled: int = 0
    failed: int = 0
    inbox_written: int = 0
    wechat: dict[str, int] = field(default_factory=dict)
    token_fetches: int = 0
    lease_lost: int = 0

    def count_wechat(self, status: str) -> None:
        self.wechat[status] = self.wechat.get(status, 0) + 1


@dataclass(frozen=True)
class Claim:
    id: int
    attempts: int


@dataclass(frozen=True)
class Snapshot:
    """What delivering a row needs, read before any network call so no transaction stays open."""

    id: int
    user_id: int
    openid: str | None
    topic: str
    title: str
    body: str
    payload: dict
    created_at: datetime


@dataclass(frozen=True)
class Outcome:
    wechat_status: str  # one of FINAL_WECHAT_STATUSES, "retry" or "failed"
    error: str | None = None


def claim_due(limit: int, now: datetime, lease: timedelta) -> list[Claim]:
    """Take up to ``limit`` due rows for this worker and commit the claim.

    Two statements, not ``UPDATE … WHERE id IN (SELECT … LIMIT … FOR UPDATE SKIP LOCKED)``:
    PostgreSQL may run such a subquery more than once and so claim more than ``limit`` rows.
    The conditional ``UPDATE`` also settles the race on SQLite, where ``FOR UPDATE`` is not
    rendered: a row another drain claimed in between is no longer due and is left out.
    """
    due = (
        OutboxMessage.status.in_(("pending", "sending")),
        OutboxMessage.next_attempt_at <= now,
    )
    candidates = db.session.scalars(
        select(OutboxMessage.id)
        .where(*due)
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    if not candidates:
        db.session.rollback()
        return []
    rows = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(candidates), *due)
        .values(
            status="sending",
            attempts=OutboxMessage.attempts + 1,
            next_attempt_at=now + lease,
        )
        .returning(OutboxMessage.id, OutboxMessage.attempts)
        .execution_options(synchronize_session=False)
    ).all()
    db.session.commit()
    return sorted((Claim(id=row.id, attempts=row.attempts) for row in rows), key=lambda c: c.id)


def _snapshot(message_id: int) -> Snapshot:
    message = db.session.get_one(OutboxMessage, message_id)  # claimed: it exists
    user = db.session.get(User, message.user_id)
    snapshot = Snapshot(
        id=message.id,
        user_id=message.user_id,
        openid=user.openid if user is not None and user.active else None,
        topic=message.topic,
        title=message.title,
        body=message.body,
        payload=dict(message.payload or {}),
        created_at=message.created_at,
    )
    db.session.rollback()  # end the read; nothing was written
    return snapshot


class WechatChannel:
    """Decides whether a row goes to WeChat and sends it, turning errors into outcomes."""

    def __init__(self, client: WechatMessageClient, settings: DeliverySettings) -> None:
        self.client = client
        self.settings = settings
        self.tokens = TokenCache(client, settings)

    def deliver(self, snapshot: Snapshot) -> Outcome:
        if not self.settings.wechat_enabled:
            return Outcome("disabled")
        if not snapshot.openid:
            return Outcome("no_openid")
        template_id = self.settings.template(snapshot.topic)
        if not template_id:
            return Outcome("disabled", f"未配置“{snapshot.topic}”类消息的订阅模板")
        if not subscriptions.reserve(snapshot.user_id, template_id):
            return Outcome("no_consent", "用户未同意接收该模板的订阅消息")
        try:
            self._send(snapshot, template_id)
        except TokenUnavailable as exc:
            subscriptions.release(snapshot.user_id, template_id)
            return Outcome("retry", str(exc))
        except WechatMessageError as exc:
            outcome = self._outcome_of(exc)
            if outcome.wechat_status != "unsubscribed":  # WeChat says the consent is gone
                subscriptions.release(snapshot.user_id, template_id)
            return outcome
        return Outcome("sent")

    def _send(self, snapshot: Snapshot, template_id: str) -> None:
        token = self.tokens.get()
        try:
            self._post(snapshot, template_id, token)
        except WechatMessageError as exc:
            if not exc.token_invalid:
                raise
            self._post(snapshot, template_id, self.tokens.replace(rejected=token))

    def _post(self, snapshot: Snapshot, template_id: str, token: str) -> None:
        values: dict[str, Any] = {
            **snapshot.payload,
            "title": snapshot.title,
            "body": snapshot.body,
            "created_at": snapshot.created_at,
        }
        fields = self.settings.fields(snapshot.topic)
        self.client.send_subscribe_message(
            token,
            snapshot.openid or "",
            template_id,
            self.settings.page(snapshot.topic, snapshot.payload),
            {key: values.get(source) for key, source in fields.items()},
            self.settings.miniprogram_state,
        )

    @staticmethod
    def _outcome_of(error: WechatMessageError) -> Outcome:
        if error.not_subscribed:
            return Outcome("unsubscribed", describe(error))
        if error.retryable or error.token_invalid:
            return Outcome("retry", describe(error))
        return Outcome("failed", describe(error))


def _final_values(outcome: Outcome, claim: Claim, settings: DeliverySettings, now: datetime):
    if outcome.wechat_status in FINAL_WECHAT_STATUSES:
        return {
            "status": "delivered",
            "wechat_status": outcome.wechat_status,
            "delivered_at": now,
            "last_error": outcome.error,
        }
    if outcome.wechat_status == "retry" and claim.attempts < settings.max_attempts:
        return {
            "status": "pending",
            "next_attempt_at": now + settings.backoff(claim.attempts),
            "last_error": outcome.error,
        }
    return {"status": "failed", "wechat_status": "failed", "last_error": outcome.error}


def _write_inbox(snapshot: Snapshot) -> bool:
    """Add the inbox entry unless an earlier attempt did; True when written now."""
    already = db.session.scalar(select(exists().where(Notification.outbox_id == snapshot.id)))
    if already:
        return False
    db.session.add(
        Notification(
            user_id=snapshot.user_id,
            outbox_id=snapshot.id,
            topic=snapshot.topic,
            title=snapshot.title,
            body=snapshot.body,
            payload=snapshot.payload,
            created_at=snapshot.created_at,
        )
    )
    return True


@dataclass(frozen=True)
class Finished:
    status: str  # delivered | pending (retry later) | failed
    inbox_written: bool


def _finish(
    claim: Claim, snapshot: Snapshot, outcome: Outcome, settings: DeliverySettings
) -> Finished | None:
    """Record the attempt and the inbox entry in one commit; None when the lease was lost."""
    values = _final_values(outcome, claim, settings, timekeeping.now())
    touched = bulk.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id == claim.id,
            OutboxMessage.status == "sending",
            OutboxMessage.attempts == claim.attempts,
        )
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if touched != 1:
        db.session.rollback()
        return None
    written = _write_inbox(snapshot)
    db.session.commit()
    return Finished(status=values["status"], inbox_written=written)


def _tally(summary: DrainSummary, finished: Finished | None, outcome: Outcome) -> None:
    if finished is None:
        summary.lease_lost += 1
        return
    summary.inbox_written += finished.inbox_written
    if finished.status == "delivered":
        summary.delivered += 1
        summary.count_wechat(outcome.wechat_status)
    elif finished.status == "pending":
        summary.retry_scheduled += 1
    else:
        summary.failed += 1
        summary.count_wechat("failed")


def drain(limit: int = 500, batch_size: int = CLAIM_BATCH) -> DrainSummary:
    """Deliver up to ``limit`` due outbox rows; safe to run in several workers at once."""
    settings = delivery_settings()
    summary = DrainSummary()
    lease = timedelta(seconds=settings.lease_seconds)
    with requests.Session() as http:
        channel = WechatChannel(
            WechatMessageClient(settings.api_base, timeout=settings.timeout, session=http),
            settings,
        )
        while summary.claimed < limit:
            claims = claim_due(min(batch_size, limit - summary.claimed), timekeeping.now(), lease)
            if not claims:
                break
            summary.claimed += len(claims)
            for claim in claims:
                snapshot = _snapshot(claim.id)
                outcome = channel.deliver(snapshot)
                _tally(summary, _finish(claim, snapshot, outcome, settings), outcome)
        summary.token_fetches = channel.tokens.fetches
    return summary
