"""UPDATE and DELETE statements run in the session, counted.

Several steps decide by how many rows a conditional statement touched (a lease still held,
a slot still free, a claim still stale). SQLAlchemy returns a ``CursorResult`` for such a
statement, but types ``Session.execute`` as returning a plain ``Result``, which has no
``rowcount``; this is the one place that says so.
"""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import CursorResult
from sqlalchemy.sql.dml import UpdateBase

from app.extensions import db


def execute(statement: UpdateBase) -> int:
    """Run ``statement`` in the current transaction; the number of rows it matched."""
    return cast(CursorResult[Any], db.session.execute(statement)).rowcount
