"""The transactional outbox, the in-app inbox, expiry reminders and the cached WeChat token."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app import timekeeping
from app.extensions import Model
from app.models.base import JSONType, UTCDateTime, utcnow


def _office_now() -> datetime:
    """The office clock (which tests move): a message is due, and dated, by the drain's clock."""
    return timekeeping.now()


class OutboxMessage(Model):
    """A notification written in the same transaction as the change that caused it."""

    __tablename__ = "outbox_messages"
    # The drain's claim: due rows in order of their next attempt.
    __table_args__ = (Index("ix_outbox_messages_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    topic: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(100))
    body: Mapped[str] = mapped_column(Text)
    payload: Mapped[dict] = mapped_column(JSONType, default=dict)
    dedupe_key: Mapped[str | None] = mapped_column(String(128), unique=True)
    # pending → sending (claimed, lease until next_attempt_at) → delivered | failed
    status: Mapped[str] = mapped_column(String(16), default="pending")
    # The WeChat channel: sent | unsubscribed (43101) | no_consent | no_openid | disabled |
    # failed; None until decided. The inbox channel needs no column: its Notification row says it.
    wechat_status: Mapped[str | None] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=_office_now)
    last_error: Mapped[str | None] = mapped_column(Text)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=_office_now)


class Notification(Model):
    """An entry of a user's in-app inbox."""

    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    outbox_id: Mapped[int | None] = mapped_column(ForeignKey("outbox_messages.id"), unique=True)
    topic: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(100))
    body: Mapped[str] = mapped_column(Text)
    payload: Mapped[dict] = mapped_column(JSONType, default=dict)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def read(self) -> bool:
        return self.read_at is not None


class Reminder(Model):
    """One expiry reminder per licence per threshold; the unique key makes scans idempotent."""

    __tablename__ = "reminders"
    __table_args__ = (UniqueConstraint("licence_id", "threshold_days"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    licence_id: Mapped[int] = mapped_column(ForeignKey("licences.id"), index=True)
    threshold_days: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16))  # sent | skipped
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class WechatAccessToken(Model):
    """The access token shared by every worker, refreshed before it expires."""

    __tablename__ = "wechat_access_tokens"

    appid: Mapped[str] = mapped_column(String(64), primary_key=True)
    access_token: Mapped[str] = mapped_column(String(512))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
