"""Sealing every stored personal value under the current ``PII_KEY``: the migration that
first encrypted the existing rows, and ``flask pii rotate-key`` after a key change.

Rows are taken in primary-key order, a batch at a time, locked (``FOR UPDATE``) so a
concurrent edit waits instead of being overwritten, and each batch commits on its own.
A row is re-sealed and its blind index recomputed in one UPDATE, so at every moment each
row is entirely under the old key or entirely under the new one: with both keys configured
(``PII_KEY`` new, ``PII_PREVIOUS_KEYS`` old) every value stays readable, and a run stopped
halfway is finished by running it again (rows already under the current key are skipped).
The rows are written through Core, not the ORM: a rotation changes no fact of a case, so it
neither bumps a case's optimistic-lock version nor its ``updated_at``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import JSON, Column, Connection, MetaData, String, Table, Text, func, select
from sqlalchemy.dialects.postgresql import JSONB

from app.crypto import Keyring
from app.models.sealed import SEALED_COLUMNS, SealedJSON, SealedText

# Blind index columns and the sealed path each one indexes.
BLIND_INDEXES = {
    "applications": ("worker_id_index", "form", "worker_id_number"),
    "licences": ("holder_id_index", "holder", "id_number"),
}
PRIMARY_KEYS = {"verified_phones": "user_id"}

Progress = Callable[[str, int, int], None]


@dataclass
class _SealedTable:
    name: str
    table: Table
    key: Column
    columns: list[tuple[str, SealedJSON | SealedText]]


def _raw_type(sealed: SealedJSON | SealedText):
    """The column as stored, read without opening it."""
    if isinstance(sealed, SealedJSON):
        return JSON().with_variant(JSONB(), "postgresql")
    return Text()


def _tables(with_indexes: bool, only: set[tuple[str, str]] | None) -> list[_SealedTable]:
    """Lightweight tables of just the sealed columns (``only`` those named): a migration runs
    this against the schema of its own revision, whatever columns later revisions add."""
    grouped: dict[str, list[tuple[str, SealedJSON | SealedText]]] = {}
    for table_name, column, sealed in SEALED_COLUMNS:
        if only is not None and (table_name, column) not in only:
            continue
        grouped.setdefault(table_name, []).append((column, sealed))
    metadata = MetaData()
    found = []
    for name, columns in grouped.items():
        key: Column = Column(PRIMARY_KEYS.get(name, "id"), primary_key=True)
        extra = []
        if with_indexes and name in BLIND_INDEXES:
            extra.append(Column(BLIND_INDEXES[name][0], String(64)))
        table = Table(
            name,
            metadata,
            key,
            *(Column(column, _raw_type(sealed)) for column, sealed in columns),
            *extra,
        )
        found.append(_SealedTable(name, table, key, columns))
    return found


def _needs_sealing(row, columns, ring: Keyring) -> bool:
    return any(
        not ring.is_current(token)
        for column, sealed in columns
        for token in sealed.tokens(row._mapping[column])
    )


def _resealed(row, spec: _SealedTable, ring: Keyring, with_indexes: bool) -> dict:
    values = {}
    for column, sealed in spec.columns:
        opened = sealed.open(row._mapping[column], ring)
        values[column] = sealed.seal(opened, ring)
        if with_indexes and spec.name in BLIND_INDEXES:
            index_column, indexed, field = BLIND_INDEXES[spec.name]
            if column == indexed:
                number = (opened or {}).get(field)
                values[index_column] = (
                    ring.blind_index(number.strip().upper())
                    if isinstance(number, str) and number.strip()
                    else None
                )
    return values


def seal_all(
    connection: Connection,
    ring: Keyring,
    *,
    batch_size: int = 500,
    commit: Callable[[], None] | None = None,
    progress: Progress | None = None,
    with_indexes: bool = True,
    only: set[tuple[str, str]] | None = None,
) -> dict[str, int]:
    """Re-seal every personal value not under the current key; the rows changed per table.

    ``commit`` ends each batch's transaction (the CLI); the migration passes none and
    runs in its own transaction."""
    changed: dict[str, int] = {}
    for spec in _tables(with_indexes, only):
        total = connection.scalar(select(func.count()).select_from(spec.table)) or 0
        done = changed[spec.name] = 0
        last = None
        while True:
            query = select(spec.table).order_by(spec.key).limit(batch_size)
            if last is not None:
                query = query.where(spec.key > last)
            rows = connection.execute(query.with_for_update()).all()
            if not rows:
                break
            for row in rows:
                if _needs_sealing(row, spec.columns, ring):
                    connection.execute(
                        spec.table.update()
                        .where(spec.key == row._mapping[spec.key.name])
                        .values(**_resealed(row, spec, ring, with_indexes))
                    )
                    changed[spec.name] += 1
            last = rows[-1]._mapping[spec.key.name]
            done += len(rows)
            if commit is not None:
                commit()
            if progress is not None:
                progress(spec.name, done, total)
    return changed
