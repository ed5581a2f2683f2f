"""Writing notifications into the transactional outbox.

A row is added to the caller's session and so commits (or rolls back) with the change that
caused it; ``flask outbox drain`` delivers it later. ``dedupe_key`` makes a repeated
cause (a retried scan, a repeated webhook) enqueue nothing new.
"""

from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.models import OutboxMessage


def enqueue(
    user_id: int | None,
    topic: str,
    title: str,
    body: str,
    payload: dict | None = None,
    dedupe_key: str | None = None,
) -> OutboxMessage | None:
    """Add a pending message for ``user_id`` (None: nobody to tell, nothing is written)."""
    if user_id is None:
        return None
    if dedupe_key is not None:
        existing = db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.dedupe_key == dedupe_key)
        ).first()
        if existing is not None:
            return existing
    message = OutboxMessage(
        user_id=user_id,
        topic=topic,
        title=title[:100],
        body=body,
        payload=payload or {},
        dedupe_key=dedupe_key,
    )
    db.session.add(message)
    return message
