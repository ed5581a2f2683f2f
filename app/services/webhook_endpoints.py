"""Webhook endpoints (admin): where the worker pushes the feed's events.

A new endpoint starts reading the feed where it stands now (with the same fence the pull
feed uses, so a transaction still open when it was created is not missed); it receives the
events of its ``types`` from then on. Deleting one stops its deliveries at once: pending
ones are cancelled and the worker never sends for a deleted endpoint.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import func, select, update
from sqlalchemy.orm import selectinload

from app import timekeeping
from app.domain import events
from app.domain.transaction import commit
from app.errors import NotFound, field_error
from app.extensions import db
from app.integrations.standard_webhooks import new_secret
from app.models import User, WebhookDelivery, WebhookEndpoint
from app.schemas.event_types import EVENT_TYPES


def _check_url(url: str) -> str:
    url = url.strip()
    parts = urlsplit(url)
    allowed = ("https",) if current_app.config["WEBHOOK_HTTPS_ONLY"] else ("http", "https")
    if parts.scheme not in allowed or not parts.hostname:
        raise field_error(
            "url", f"接收地址须为完整的 {'/'.join(allowed)} 网址", "WEBHOOK_URL_INVALID"
        )
    return url


def _check_types(types: list[str]) -> list[str]:
    unknown = [t for t in types if t not in EVENT_TYPES]
    if unknown or not types:
        raise field_error(
            "types", f"事件类型不正确：{'、'.join(unknown) or '至少选择一种'}", "EVENT_TYPE_UNKNOWN"
        )
    return sorted(set(types))


def create_endpoint(user: User, url: str, types: list[str], description: str) -> WebhookEndpoint:
    start = events.head()
    endpoint = WebhookEndpoint(
        url=_check_url(url),
        types=_check_types(types),
        description=description.strip()[:200],
        secret=new_secret(),
        created_by=user.id,
        cursor_txid=start.txid,
        cursor_id=start.id,
    )
    db.session.add(endpoint)
    commit()
    return endpoint


def list_endpoints() -> list[WebhookEndpoint]:
    return list(
        db.session.scalars(
            select(WebhookEndpoint)
            .where(WebhookEndpoint.deleted_at.is_(None))
            .order_by(WebhookEndpoint.id)
        )
    )


def get_endpoint(endpoint_id: int) -> WebhookEndpoint:
    endpoint = db.session.get(WebhookEndpoint, endpoint_id)
    if endpoint is None or endpoint.deleted_at is not None:
        raise NotFound("没有该推送地址", code="WEBHOOK_ENDPOINT_NOT_FOUND")
    return endpoint


def delete_endpoint(endpoint_id: int) -> None:
    endpoint = get_endpoint(endpoint_id)
    endpoint.deleted_at = timekeeping.now()
    db.session.execute(
        update(WebhookDelivery)
        .where(WebhookDelivery.endpoint_id == endpoint.id, WebhookDelivery.status == "pending")
        .values(status="cancelled")
    )
    commit()


def deliveries(endpoint_id: int, page: int, page_size: int) -> tuple[list[WebhookDelivery], int]:
    """The endpoint's deliveries, newest first, each with its attempts."""
    endpoint = get_endpoint(endpoint_id)
    where = WebhookDelivery.endpoint_id == endpoint.id
    total = db.session.scalar(select(func.count()).select_from(WebhookDelivery).where(where))
    items = db.session.scalars(
        select(WebhookDelivery)
        .where(where)
        .options(selectinload(WebhookDelivery.log), selectinload(WebhookDelivery.event))
        .order_by(WebhookDelivery.id.desc())
        .offset((page - 1) * page_size)
        .limit(page_size)
    )
    return list(items), int(total or 0)
