"""The single commit point of a use case.

A request carrying an ``Idempotency-Key`` must store its response in the same transaction
as the work it did, so a crash cannot leave the work done but the key unrecorded (and a
retry doing it twice). While such a request runs, ``commit`` only flushes and the
idempotency layer commits once, after recording the response.
"""

from __future__ import annotations

from flask import g, has_request_context

from app.extensions import db


def commit() -> None:
    if has_request_context() and g.get("defer_commit"):
        db.session.flush()
        return
    db.session.commit()
