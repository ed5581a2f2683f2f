"""SQL the two backends spell differently: ``INSERT … ON CONFLICT DO NOTHING``."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from app.extensions import db


def dialect_insert(table: Any, dialect: str | None = None) -> Any:
    """The ``INSERT`` for ``table`` with ``on_conflict_*`` of ``dialect`` (by name), else of
    the session's backend."""
    dialect = dialect or db.session.get_bind().dialect.name
    return (pg_insert if dialect == "postgresql" else sqlite_insert)(table)


def insert_ignore(table: Any, values: dict) -> Any:
    """Insert ``values`` unless a row with the same unique key exists (then nothing)."""
    return dialect_insert(table).values(**values).on_conflict_do_nothing()
