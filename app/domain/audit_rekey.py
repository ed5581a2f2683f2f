"""Moving the timelines from the plain SHA-256 chain to the HMAC-SM3 chain keyed by
``AUDIT_KEY`` (run once, by a migration).

Each case's chain is first checked as it was written (SHA-256): only the intact prefix is
re-keyed. An entry edited before the migration keeps its old hash, so ``audit verify`` still
names it afterwards; re-keying it would launder the edit into a valid keyed chain.
"""

from __future__ import annotations

import hashlib

from sqlalchemy import (
    JSON,
    Column,
    Connection,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    select,
)
from sqlalchemy.dialects.postgresql import JSONB

from app.crypto import audit_mac
from app.domain.timeline import GENESIS, canonical_content
from app.models.base import UTCDateTime

_ENTRIES = Table(
    "timeline_entries",
    MetaData(),
    Column("id", Integer, primary_key=True),
    Column("application_id", Integer),
    Column("seq", Integer),
    Column("at", UTCDateTime),
    Column("actor_id", Integer),
    Column("actor", String),
    Column("role", String),
    Column("action", String),
    Column("from_state", String),
    Column("to_state", String),
    Column("comment", Text),
    Column("data", JSON().with_variant(JSONB(), "postgresql")),
    Column("prev_hash", String),
    Column("hash", String),
)


def rekey_chains(connection: Connection, audit_key: str, batch_cases: int = 200) -> int:
    """Re-key every case's intact chain prefix; the number of entries re-keyed."""
    case_ids = list(
        connection.scalars(
            select(_ENTRIES.c.application_id)
            .group_by(_ENTRIES.c.application_id)
            .order_by(_ENTRIES.c.application_id)
        )
    )
    rekeyed = 0
    for start in range(0, len(case_ids), batch_cases):
        batch = case_ids[start : start + batch_cases]
        rows = connection.execute(
            select(_ENTRIES)
            .where(_ENTRIES.c.application_id.in_(batch))
            .order_by(_ENTRIES.c.application_id, _ENTRIES.c.seq)
        ).all()
        legacy_prev = new_prev = GENESIS
        case, intact = None, True
        for row in rows:
            if row.application_id != case:
                case, intact, legacy_prev, new_prev = row.application_id, True, GENESIS, GENESIS
            if not intact:
                continue
            legacy = hashlib.sha256(canonical_content(row, legacy_prev)).hexdigest()
            if row.prev_hash != legacy_prev or row.hash != legacy:
                intact = False
                continue
            new_hash = audit_mac(audit_key, canonical_content(row, new_prev))
            connection.execute(
                _ENTRIES.update()
                .where(_ENTRIES.c.id == row.id)
                .values(prev_hash=new_prev, hash=new_hash)
            )
            legacy_prev, new_prev = row.hash, new_hash
            rekeyed += 1
    return rekeyed
