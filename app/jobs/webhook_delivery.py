"""The worker's webhook step: queue new events per endpoint, then send what is due.

Queueing reads the event feed with the same fence as ``GET /events`` (an endpoint's cursor
never passes an event a slower transaction may still commit), one ``WebhookDelivery`` per
(endpoint, event). Sending claims a due delivery with ``SKIP LOCKED``, so several workers
never send the same one at once; each attempt is recorded. A failed attempt is retried
after ``WEBHOOK_RETRY_BASE_SECONDS`` doubled per attempt (at most
``WEBHOOK_RETRY_MAX_SECONDS``), always under the same ``webhook-id``, so the receiver can
drop a repeat. An endpoint that has failed without a success for
``WEBHOOK_DISABLE_AFTER_DAYS`` is disabled and every admin is told in the inbox.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from sqlalchemy import select

from app import timekeeping
from app.domain import events
from app.domain.outbox import enqueue
from app.extensions import db
from app.integrations import standard_webhooks
from app.models import User, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from app.sql import insert_ignore

QUEUE_BATCH = 500


@dataclass
class Summary:
    queued: int = 0
    delivered: int = 0
    failed: int = 0
    disabled: int = 0


def run(max_sends: int = 100) -> Summary:
    """One round: queue every endpoint's new events, then send up to ``max_sends``."""
    summary = Summary(queued=queue_events())
    for _ in range(max_sends):
        if not send_next(summary):
            break
    return summary


def queue_events() -> int:
    """Add a delivery per new matching event to each active endpoint; advance its cursor."""
    queued = 0
    endpoint_ids = db.session.scalars(
        select(WebhookEndpoint.id).where(
            WebhookEndpoint.deleted_at.is_(None), WebhookEndpoint.disabled_at.is_(None)
        )
    ).all()
    for endpoint_id in endpoint_ids:
        endpoint = db.session.scalars(
            select(WebhookEndpoint)
            .where(WebhookEndpoint.id == endpoint_id, WebhookEndpoint.deleted_at.is_(None))
            .with_for_update(skip_locked=True)
        ).first()
        if endpoint is None:  # deleted meanwhile, or another worker holds it
            db.session.rollback()
            continue
        batch = events.read(
            events.Cursor(endpoint.cursor_txid, endpoint.cursor_id), endpoint.types, QUEUE_BATCH
        )
        for event in batch:
            db.session.execute(
                insert_ignore(
                    WebhookDelivery.__table__,
                    {
                        "endpoint_id": endpoint.id,
                        "event_id": event.id,
                        "status": "pending",
                        "attempts": 0,
                        "next_attempt_at": timekeeping.now(),
                        "created_at": timekeeping.now(),
                    },
                )
            )
        if batch:
            endpoint.cursor_txid, endpoint.cursor_id = batch[-1].txid, batch[-1].id
            queued += len(batch)
        db.session.commit()
    return queued


def _claim() -> WebhookDelivery | None:
    return db.session.scalars(
        select(WebhookDelivery)
        .join(WebhookEndpoint, WebhookEndpoint.id == WebhookDelivery.endpoint_id)
        .where(
            WebhookDelivery.status == "pending",
            WebhookDelivery.next_attempt_at <= timekeeping.now(),
            WebhookEndpoint.deleted_at.is_(None),
            WebhookEndpoint.disabled_at.is_(None),
        )
        .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id)
        .limit(1)
        .with_for_update(of=WebhookDelivery, skip_locked=True)
    ).first()


def send_next(summary: Summary) -> bool:
    """Send the next due delivery (False when none is due)."""
    delivery = _claim()
    if delivery is None:
        db.session.rollback()
        return False
    endpoint = db.session.get_one(WebhookEndpoint, delivery.endpoint_id)
    config = current_app.config
    body = json.dumps(
        events.cloud_event(delivery.event), ensure_ascii=False, separators=(",", ":")
    ).encode("utf-8")
    attempt = standard_webhooks.send(
        endpoint.url,
        endpoint.secret,
        f"evt_{delivery.event_id}",
        body,
        config["WEBHOOK_TIMEOUT_SECONDS"],
    )
    now = timekeeping.now()
    db.session.add(
        WebhookAttempt(
            delivery_id=delivery.id,
            attempted_at=now,
            status_code=attempt.status_code,
            error=attempt.error,
            succeeded=attempt.succeeded,
            duration_ms=attempt.duration_ms,
        )
    )
    delivery.attempts += 1
    if attempt.succeeded:
        delivery.status = "delivered"
        endpoint.failing_since = None
        summary.delivered += 1
    else:
        delay = config["WEBHOOK_RETRY_BASE_SECONDS"] * 2 ** min(delivery.attempts - 1, 30)
        delivery.next_attempt_at = now + timedelta(
            seconds=min(delay, config["WEBHOOK_RETRY_MAX_SECONDS"])
        )
        endpoint.failing_since = endpoint.failing_since or now
        summary.failed += 1
        if now - endpoint.failing_since >= timedelta(days=config["WEBHOOK_DISABLE_AFTER_DAYS"]):
            _disable(endpoint)
            summary.disabled += 1
    db.session.commit()
    return True


def _disable(endpoint: WebhookEndpoint) -> None:
    endpoint.disabled_at = timekeeping.now()
    admins = db.session.scalars(select(User).where(User.kind == "staff", User.active.is_(True)))
    for admin in admins:
        if "admin" not in admin.roles:
            continue
        enqueue(
            admin.id,
            topic="webhook",
            title="事件推送地址已停用",
            body=(
                f"推送地址 {endpoint.url}（{endpoint.description or '无说明'}）自"
                f"{timekeeping.local_iso(endpoint.failing_since)}起持续推送失败，已自动停用。"
                "请核实对方系统后重新登记。"
            ),
            payload={"webhook_endpoint_id": endpoint.id},
            dedupe_key=f"webhook-disabled:{endpoint.id}:{admin.id}",
        )
