"""The in-app inbox: a user's notifications, newest first, and marking them read."""

from __future__ import annotations

from sqlalchemy import func, select

from app import timekeeping
from app.domain.transaction import commit
from app.errors import NotFound
from app.extensions import db
from app.models import Notification, User


def list_notifications(
    user: User, *, unread_only: bool, page: int, page_size: int
) -> tuple[list[Notification], int, int]:
    """One page of ``user``'s inbox, the total matching and the unread count."""
    query = select(Notification).where(Notification.user_id == user.id)
    if unread_only:
        query = query.where(Notification.read_at.is_(None))
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    unread = (
        db.session.scalar(
            select(func.count())
            .select_from(Notification)
            .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        )
        or 0
    )
    items = db.session.scalars(
        query.order_by(Notification.created_at.desc(), Notification.id.desc())
        .offset((page - 1) * page_size)
        .limit(page_size)
    )
    return list(items), int(total), int(unread)


def mark_read(user: User, notification_id: int) -> Notification:
    """Mark one of ``user``'s notifications read (again is harmless: the first time stays)."""
    notification = db.session.get(Notification, notification_id)
    if notification is None or notification.user_id != user.id:
        raise NotFound("消息不存在", code="NOTIFICATION_NOT_FOUND")
    if notification.read_at is None:
        notification.read_at = timekeeping.now()
        commit()
    return notification
