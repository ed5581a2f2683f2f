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

The access token is cached in ``wechat_access_tokens`` for every worker, refreshed five
minutes before it expires, and fetched at most once per drain (twice when WeChat rejects it).

Settings (Flask config first, then the environment): ``WECHAT_MODE`` (only ``real`` sends),
``WECHAT_APPID``, ``WECHAT_SECRET``, ``WECHAT_API_BASE``, ``WECHAT_TIMEOUT_SECONDS``,
``WECHAT_MINIPROGRAM_STATE`` (formal | trial | developer), ``WECHAT_TEMPLATE_<TOPIC>`` (the
template id per topic: CASE, DELIVERY, LICENCE, REMINDER; none → inbox only),
``WECHAT_TEMPLATE_<TOPIC>_FIELDS`` (``thing1=title,thing2=body,time3=created_at``: template key
= message value, from ``title``, ``body``, ``created_at`` and the payload), ``WECHAT_PAGE_<TOPIC>``
(the mini-program page, formatted with the payload), ``OUTBOX_MAX_ATTEMPTS`` (10),
``OUTBOX_RETRY_BASE_SECONDS`` (60), ``OUTBOX_RETRY_MAX_SECONDS`` (3600),
``OUTBOX_LEASE_SECONDS`` (600).
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import requests
from flask import current_app
from sqlalchemy import exists, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from app.domain import bulk, timekeeping
from app.extensions import db
from app.integrations.wechat_messages import (
    AccessToken,
    WechatMessageClient,
    WechatMessageError,
)
from app.models import Notification, OutboxMessage, User, WechatAccessToken
from app.services import subscriptions

log = logging.getLogger(__name__)

TOKEN_REFRESH_MARGIN = timedelta(minutes=5)
LONG_AGO = datetime(1970, 1, 1, tzinfo=UTC)  # "expired" for a token row not yet filled
CLAIM_BATCH = 20  # small enough that a batch is delivered well inside one lease
DEFAULT_FIELDS = {"thing1": "title", "thing2": "body", "time3": "created_at"}
HOME_PAGE = "pages/index/index"
DEFAULT_PAGES = {
    "case": "pages/applications/detail?id={application_id}",
    "delivery": "pages/applications/detail?id={application_id}",
    "licence": "pages/licences/detail?id={licence_id}",
    "reminder": "pages/licences/detail?id={licence_id}",
    "request": "pages/requests/detail?id={request_id}",
    "appointment": "pages/appointments/index",
}
FINAL_WECHAT_STATUSES = ("sent", "unsubscribed", "no_consent", "no_openid", "disabled")


def _setting(name: str, default: str = "") -> str:
    value = current_app.config.get(name)
    if value is None or value == "":
        value = os.environ.get(name, default)
    return str(value)


def _parse_fields(text: str) -> dict[str, str]:
    """``thing1=title, time3=created_at`` → ``{"thing1": "title", "time3": "created_at"}``."""
    pairs = (item.split("=", 1) for item in text.split(",") if "=" in item)
    return {key.strip(): source.strip() for key, source in pairs if key.strip()}


@dataclass(frozen=True)
class DeliverySettings:
    wechat_enabled: bool
    appid: str
    secret: str
    api_base: str
    timeout: float
    miniprogram_state: str
    max_attempts: int
    retry_base_seconds: int
    retry_max_seconds: int
    lease_seconds: int

    def template(self, topic: str) -> str:
        return _setting(f"WECHAT_TEMPLATE_{topic.upper()}")

    def fields(self, topic: str) -> dict[str, str]:
        return _parse_fields(_setting(f"WECHAT_TEMPLATE_{topic.upper()}_FIELDS")) or DEFAULT_FIELDS

    def page(self, topic: str, payload: dict) -> str:
        template = _setting(f"WECHAT_PAGE_{topic.upper()}", DEFAULT_PAGES.get(topic, HOME_PAGE))
        try:
            return template.format(**payload)
        except (KeyError, IndexError, ValueError):
            return HOME_PAGE

    def backoff(self, attempts: int) -> timedelta:
        """Wait after the ``attempts``-th failure: base, 2×base, 4×base … up to the maximum."""
        seconds = self.retry_base_seconds * 2 ** max(attempts - 1, 0)
        return timedelta(seconds=min(seconds, self.retry_max_seconds))


def delivery_settings() -> DeliverySettings:
    return DeliverySettings(
        wechat_enabled=_setting("WECHAT_MODE", "fake") == "real",
        appid=_setting("WECHAT_APPID"),
        secret=_setting("WECHAT_SECRET"),
        api_base=_setting("WECHAT_API_BASE", "https://api.weixin.qq.com"),
        timeout=float(_setting("WECHAT_TIMEOUT_SECONDS", "5")),
        miniprogram_state=_setting("WECHAT_MINIPROGRAM_STATE", "formal"),
        max_attempts=int(_setting("OUTBOX_MAX_ATTEMPTS", "10")),
        retry_base_seconds=int(_setting("OUTBOX_RETRY_BASE_SECONDS", "60")),
        retry_max_seconds=int(_setting("OUTBOX_RETRY_MAX_SECONDS", "3600")),
        lease_seconds=int(_setting("OUTBOX_LEASE_SECONDS", "600")),
    )


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


def _insert_ignore(table: Any, values: dict) -> Any:
    dialect = db.session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    return insert(table).values(**values).on_conflict_do_nothing()


class TokenUnavailable(Exception):
    """No usable access token in this drain; the message waits for the next one."""


class TokenCache:
    """The shared access token: read from the database, fetched from WeChat when stale.

    Within one drain a failed fetch is not repeated, and a token WeChat rejects is replaced
    only once: a second rejection means something is wrong that retrying will not mend.
    """

    def __init__(self, client: WechatMessageClient, settings: DeliverySettings) -> None:
        self.client = client
        self.settings = settings
        self.fetches = 0
        self.current: str | None = None
        self.replaced = False
        self.failure: str | None = None

    def get(self) -> str:
        if self.failure is not None:
            raise TokenUnavailable(self.failure)
        if self.current is None:
            self.current = self._load_or_fetch(rejected=None)
        return self.current

    def replace(self, rejected: str) -> str:
        """A fresh token after WeChat rejected ``rejected`` (40001/42001)."""
        if self.current is not None and self.current != rejected:
            return self.current  # replaced already, for an earlier message
        if self.replaced:
            raise TokenUnavailable("微信再次拒绝了新换取的 access_token")
        self.replaced = True
        self.current = None
        self.current = self._load_or_fetch(rejected=rejected)
        return self.current

    def _load_or_fetch(self, rejected: str | None) -> str:
        now = timekeeping.now()
        appid = self.settings.appid
        db.session.execute(
            _insert_ignore(
                WechatAccessToken.__table__,
                {"appid": appid, "access_token": "", "expires_at": LONG_AGO},
            )
        )
        # Row-locked on PostgreSQL: workers that find the token stale fetch one after another,
        # and the second finds the first one's token fresh.
        row = db.session.scalars(
            select(WechatAccessToken)
            .where(WechatAccessToken.appid == appid)
            .with_for_update()
            .execution_options(populate_existing=True)
        ).one()
        fresh = row.expires_at - TOKEN_REFRESH_MARGIN > now
        if row.access_token and fresh and row.access_token != rejected:
            token = row.access_token
            db.session.commit()
            return token
        try:
            fetched = self._fetch(force_refresh=False)
            if fetched.value == rejected:
                # WeChat still hands out the token it just refused; only a forced refresh
                # (limited to 20 a day) replaces it.
                fetched = self._fetch(force_refresh=True)
        except WechatMessageError as exc:
            db.session.rollback()
            log.error("wechat access token unavailable: errcode=%s", exc.errcode)
            self.failure = f"无法获取 access_token（{_describe(exc)}）"
            raise TokenUnavailable(self.failure) from exc
        row.access_token = fetched.value
        row.expires_at = now + timedelta(seconds=fetched.expires_in)
        db.session.commit()
        return fetched.value

    def _fetch(self, *, force_refresh: bool) -> AccessToken:
        self.fetches += 1
        return self.client.stable_token(
            self.settings.appid, self.settings.secret, force_refresh=force_refresh
        )


def _describe(error: WechatMessageError) -> str:
    return f"微信返回 {error.errcode}：{error.errmsg}" if error.errcode else "微信服务不可达"


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
            return Outcome("unsubscribed", _describe(error))
        if error.retryable or error.token_invalid:
            return Outcome("retry", _describe(error))
        return Outcome("failed", _describe(error))


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
    updated = bulk.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id == claim.id,
            OutboxMessage.status == "sending",
            OutboxMessage.attempts == claim.attempts,
        )
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if updated != 1:
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
