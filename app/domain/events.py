"""The integration event feed: events written with the change they report, read by cursor.

Emitting: ``case_step``, ``licence_event`` and ``rating_event`` add an ``Event`` to the
caller's session, so it commits or rolls back with the change (no event for a step that did
not happen, no step without its event). They are called from the few central places that
record a case's step (``timeline.append``), issue, revoke or supersede a licence, and record
a rating — never from routes.

Why the cursor is (transaction id, row id) and not the row id alone: on PostgreSQL ids come
from a sequence when a row is inserted, but rows become visible when their transaction
commits. A slow transaction may take id 5 and commit after a fast one that took id 6; a
reader that had passed 6 would never see 5. Each event therefore records its writing
transaction's id (``pg_current_xact_id()``), the feed is ordered by (txid, id), and a reader
is only shown events of transactions below a fence: the oldest transaction still running at
its snapshot (``pg_snapshot_xip``), or the snapshot's ``xmax`` when none is. Every
transaction below the fence has finished (committed or rolled back), and every transaction
still running or yet to start has a txid at or above it. So nothing can ever appear behind
a cursor a reader was given: the fence costs no lock on the writers (which a serialized
cursor assignment would), only a short delay while an older writing transaction is still
open. Transaction ids are cluster-wide, so the plain ``xmin`` would also wait for long
transactions of other databases on the same server; the fence leaves out running
transactions that ``pg_stat_activity`` places in another database.
SQLite has a single writer whose row ids follow commit order, so there txid is 0 and the id
alone orders the feed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from flask import current_app
from sqlalchemy import func, select, text, tuple_

from app import timekeeping
from app.errors import field_error
from app.extensions import db
from app.models import Application, Event, Licence, Rating
from app.schemas.event_types import CASE_EVENT_BY_STATE, PREFIX, visible_data
from permits.catalogue import get_permit_type
from permits.identifiers import mask_id_number

_CURSOR = re.compile(r"^(\d{1,19})-(\d{1,19})$")
_TXID_KEY = "zerovisit.event_txid"
# The fence: the oldest transaction still running at the reader's snapshot, leaving out those
# pg_stat_activity places in another database of the cluster (they cannot write our events);
# with none running, the snapshot's xmax. An xid the view no longer shows counts as ours, so a
# stale or hidden view only ever makes the fence lower (later), never unsafe.
_FENCE = text(
    """(SELECT COALESCE(
        (SELECT min(xip::text::bigint) FROM pg_snapshot_xip(pg_current_snapshot()) AS xip
         WHERE NOT EXISTS (
             SELECT 1 FROM pg_stat_activity AS a
             WHERE a.datname <> current_database()
               AND a.backend_xid::text::bigint = xip::text::bigint % 4294967296)),
        pg_snapshot_xmax(pg_current_snapshot())::text::bigint))"""
)


@dataclass(frozen=True, order=True)
class Cursor:
    txid: int = 0
    id: int = 0

    def __str__(self) -> str:
        return f"{self.txid}-{self.id}"

    @classmethod
    def parse(cls, value: str | None) -> Cursor:
        """``after`` as a client sends it: empty for the beginning, else a ``next`` it got."""
        if not value:
            return cls()
        match = _CURSOR.match(value)
        if match is None:
            raise field_error("after", "游标格式不正确，请使用上次返回的 next", "CURSOR_INVALID")
        return cls(int(match.group(1)), int(match.group(2)))

    @classmethod
    def of(cls, event: Event) -> Cursor:
        return cls(event.txid, event.id)


def _on_postgresql() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def _transaction_id() -> int:
    """The current transaction's id, asked once per transaction (an approval emits two)."""
    if not _on_postgresql():
        return 0
    session = db.session()
    transaction = session.get_transaction()
    cached = session.info.get(_TXID_KEY)
    if cached is not None and transaction is not None and cached[0] is transaction:
        return int(cached[1])
    txid = int(session.execute(text("SELECT pg_current_xact_id()::text::bigint")).scalar_one())
    session.info[_TXID_KEY] = (session.get_transaction(), txid)
    return txid


def emit(type_: str, subject: str, data: dict[str, Any]) -> Event:
    """Add an event of ``cn.zerovisit.<type_>`` to the current transaction."""
    event = Event(
        txid=_transaction_id(),
        type=PREFIX + type_,
        subject=subject,
        time=timekeeping.now(),
        data=data,
    )
    db.session.add(event)
    return event


def _codes(permit_type_code: str, region_code: str) -> dict[str, str]:
    permit_type = get_permit_type(permit_type_code)
    return {
        "permit_type": permit_type_code,
        "item_code": permit_type.item_code if permit_type else "",
        "implementation_code": permit_type.implementation_code if permit_type else "",
        "region_code": region_code,
    }


def case_step(application: Application, action: str, from_state: str | None, to_state: str) -> None:
    """Report a case entering a state the provincial platforms track (none for other steps)."""
    type_ = CASE_EVENT_BY_STATE.get(to_state)
    if type_ is None or from_state == to_state:
        return
    enterprise = application.enterprise
    data: dict[str, Any] = {
        "application_id": application.id,
        "application_number": application.number,
        "kind": application.kind,
        **_codes(application.permit_type, application.region_code),
        "action": action,
        "from_state": from_state,
        "to_state": to_state,
        "enterprise": {"name": enterprise.name, "credit_code": enterprise.credit_code},
    }
    if type_ == "case.decided":
        data["outcome"] = to_state
    emit(type_, application.number or str(application.id), data)


def licence_event(licence: Licence, what: str, supersedes_number: str | None = None) -> None:
    """Report a licence issued, revoked or superseded."""
    holder = licence.holder or {}
    data: dict[str, Any] = {
        "licence_id": licence.id,
        "number": licence.number,
        "identifier": licence.identifier,
        **_codes(licence.permit_type, licence.region_code),
        "holder_name": holder.get("name", ""),
        "holder_credit_code": holder.get("credit_code", ""),
        "issuer_name": licence.issuer_name,
        "issued_on": licence.issued_on.isoformat(),
        "valid_from": licence.valid_from.isoformat(),
        "valid_until": licence.valid_until.isoformat(),
        "application_id": licence.application_id,
        "supersedes_number": supersedes_number,
    }
    if holder.get("person_name"):
        data["person_name"] = holder["person_name"]
        data["id_number_masked"] = mask_id_number(holder.get("id_number") or "")
    if what == "revoked":
        data["revoke_reason"] = licence.revoke_reason or ""
    emit(f"licence.{what}", licence.number, data)


def rating_event(rating: Rating, application: Application) -> None:
    """``rating.created`` for the first rating, ``rating.updated`` (with the first score) for
    the one re-rating after a rectification outcome."""
    data: dict[str, Any] = {
        "application_id": application.id,
        "application_number": application.number,
        **_codes(application.permit_type, application.region_code),
        "score": rating.score,
        "comment": rating.comment,
    }
    rerated = rating.rerated_at is not None
    if rerated:
        data["first_score"] = rating.first_score
    emit(
        "rating.updated" if rerated else "rating.created",
        application.number or str(application.id),
        data,
    )


def read(after: Cursor, types: list[str], limit: int) -> list[Event]:
    """Events after ``after`` of ``types``, in cursor order, only from finished transactions."""
    query = select(Event).where(
        tuple_(Event.txid, Event.id) > tuple_(after.txid, after.id), Event.type.in_(types)
    )
    if _on_postgresql():
        query = query.where(Event.txid < _FENCE)
    return list(db.session.scalars(query.order_by(Event.txid, Event.id).limit(limit)))


def head() -> Cursor:
    """Where a new reader starts so it misses nothing from now on: past every finished event;
    on PostgreSQL before any transaction still open (which may yet commit events)."""
    if _on_postgresql():
        return Cursor(int(db.session.execute(select(_FENCE)).scalar_one()), 0)
    return Cursor(0, int(db.session.scalar(select(func.max(Event.id))) or 0))


def source() -> str:
    """The CloudEvents ``source`` of this office's events."""
    return f"urn:zerovisit:{current_app.config['ISSUER_CREDIT_CODE']}"


def cloud_event(event: Event, scopes: list[str] | None = None) -> dict[str, Any]:
    """The CloudEvents 1.0 JSON form, its data cut to what ``scopes`` may see (None: all)."""
    return {
        "specversion": "1.0",
        "id": str(event.id),
        "source": source(),
        "type": event.type,
        "time": timekeeping.local_iso(event.time),
        "subject": event.subject,
        "datacontenttype": "application/json",
        "data": visible_data(event.data, scopes),
    }
