"""Appending to and checking the tamper-evident timeline of a case.

Each entry's hash covers its own content and the previous entry's hash, so editing or
deleting any stored entry breaks every hash after it; ``verify_chain`` names the first.
The hash is an HMAC-SM3 keyed by ``AUDIT_KEY`` (GB/T 39786 §8.4, integrity of logs): someone
who can write the database but does not hold the key cannot recompute the chain after an
edit, as anyone could with a plain digest.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from flask import current_app
from sqlalchemy import func, select

from app import timekeeping
from app.crypto import audit_mac, same_digest
from app.extensions import db
from app.models import Application, TimelineEntry, User

GENESIS = "0" * 64


def canonical_content(entry: Any, prev_hash: str) -> bytes:
    """The bytes an entry's hash covers: every stored field and the previous hash.

    ``entry`` is a ``TimelineEntry`` or a Core row with its columns (the re-keying migration)."""
    content = {
        "application_id": entry.application_id,
        "seq": entry.seq,
        "at": entry.at.isoformat(),
        "actor_id": entry.actor_id,
        "actor": entry.actor,
        "role": entry.role,
        "action": entry.action,
        "from_state": entry.from_state,
        "to_state": entry.to_state,
        "comment": entry.comment,
        "data": entry.data,
        "prev": prev_hash,
    }
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return canonical.encode("utf-8")


def entry_hash(entry: TimelineEntry, prev_hash: str, key: str | None = None) -> str:
    """HMAC-SM3 of the entry under ``AUDIT_KEY`` (or ``key``), hex."""
    return audit_mac(key or current_app.config["AUDIT_KEY"], canonical_content(entry, prev_hash))


def actor_label(user: User | None) -> str:
    if user is None:
        return "系统"
    if user.is_staff:
        return user.display_name or user.username or f"staff-{user.id}"
    return "申请人"


def append(
    application: Application,
    *,
    user: User | None,
    role: str,
    action: str,
    from_state: str | None,
    to_state: str,
    comment: str = "",
    data: dict | None = None,
) -> TimelineEntry:
    """Add the next entry; the case row is locked (or versioned) by the caller."""
    last = db.session.scalars(
        select(TimelineEntry)
        .where(TimelineEntry.application_id == application.id)
        .order_by(TimelineEntry.seq.desc())
        .limit(1)
    ).first()
    entry = TimelineEntry(
        application_id=application.id,
        seq=(last.seq + 1) if last else 1,
        at=timekeeping.now().replace(microsecond=0),
        actor_id=user.id if user else None,
        actor=actor_label(user),
        role=role,
        action=action,
        from_state=from_state,
        to_state=to_state,
        comment=comment or "",
        data=data or {},
        prev_hash=last.hash if last else GENESIS,
    )
    entry.hash = entry_hash(entry, entry.prev_hash)
    db.session.add(entry)
    return entry


def entries(application: Application) -> list[TimelineEntry]:
    return list(
        db.session.scalars(
            select(TimelineEntry)
            .where(TimelineEntry.application_id == application.id)
            .order_by(TimelineEntry.seq)
        )
    )


@dataclass(frozen=True)
class ChainBreak:
    application_id: int
    seq: int
    reason: str


def verify_chain(application_id: int) -> ChainBreak | None:
    """The first entry whose link or hash does not hold, or None when the chain is intact."""
    prev = GENESIS
    expected_seq = 1
    for entry in db.session.scalars(
        select(TimelineEntry)
        .where(TimelineEntry.application_id == application_id)
        .order_by(TimelineEntry.seq)
    ):
        if entry.seq != expected_seq:
            return ChainBreak(application_id, expected_seq, "条目缺失")
        if entry.prev_hash != prev:
            return ChainBreak(application_id, entry.seq, "与上一条目的链接不符")
        if not same_digest(entry_hash(entry, prev), entry.hash):
            return ChainBreak(application_id, entry.seq, "条目内容已被改动")
        prev = entry.hash
        expected_seq += 1
    return None


def all_case_ids_with_entries() -> list[int]:
    return list(
        db.session.scalars(
            select(TimelineEntry.application_id)
            .group_by(TimelineEntry.application_id)
            .order_by(func.min(TimelineEntry.application_id))
        )
    )
