"""``Idempotency-Key`` for writes a phone may retry.

A request with a key first *claims* it: it inserts an in-progress record for (user, key)
and commits, so the unique constraint lets exactly one of several simultaneous retries
through. The claimant runs the view and stores its response in the same transaction as
the work (a crash cannot leave the work done and the key unrecorded); if the view fails,
the claim is released so a corrected retry may run. A retry that finds a finished record
replays it; one that finds the claim still running waits briefly for the first response,
then answers 409 ``IDEMPOTENCY_IN_PROGRESS`` with ``Retry-After``. The same key with
another body is refused (422). A claim left behind by a killed worker is taken over once
it is older than ``STALE_CLAIM``.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from datetime import timedelta
from functools import cache, wraps
from typing import Any

from flask import Response, current_app, g, request
from sqlalchemy import bindparam, delete, select, update

from app import timekeeping
from app.domain import bulk
from app.errors import Conflict, ValidationFailed
from app.extensions import db
from app.integrations.storage import content_sha256
from app.models import IdempotencyRecord
from app.sql import dialect_insert
from app.web.auth import current_user

KEY_HEADER = "Idempotency-Key"
RETENTION = timedelta(hours=24)
# A claim this old without a response belongs to a worker that died mid-request.
STALE_CLAIM = timedelta(minutes=2)
IN_PROGRESS = 0  # status_code of a claimed key whose first request is still running
POLL_SECONDS = 0.05


def _request_fingerprint() -> str:
    digest = hashlib.sha256()
    digest.update(f"{request.method} {request.path}\n".encode())
    if request.mimetype == "multipart/form-data":
        for name in sorted(request.form):
            digest.update(f"{name}={request.form.getlist(name)}\n".encode())
        for name in sorted(request.files):
            upload = request.files[name]
            # The parser hashed the part as it wrote it (app.web.uploads): no second read.
            content = content_sha256(upload.stream)
            digest.update(f"file:{name}:{upload.filename}:{content}\n".encode())
    elif request.mimetype == "application/offset+octet-stream":
        # A resumable upload's PATCH: its bytes are streamed to disk, never held whole; the
        # offset and the checksum the client sent name the piece.
        for name in ("Upload-Offset", "Upload-Checksum", "Content-Length"):
            digest.update(f"{name}={request.headers.get(name, '')}\n".encode())
    else:
        digest.update(request.get_data(cache=True))
    return digest.hexdigest()


def _find(user_id: int, key: str) -> IdempotencyRecord | None:
    """The live (unexpired) record of (user, key), read afresh from the database."""
    cutoff = timekeeping.now() - RETENTION
    return db.session.scalars(
        select(IdempotencyRecord)
        .where(
            IdempotencyRecord.user_id == user_id,
            IdempotencyRecord.key == key,
            IdempotencyRecord.created_at >= cutoff,
        )
        .execution_options(populate_existing=True)
    ).first()


def _check_same_request(record: IdempotencyRecord, fingerprint: str) -> None:
    if record.request_hash != fingerprint:
        message = "同一幂等键已用于内容不同的请求"
        raise ValidationFailed(
            message, code="IDEMPOTENCY_KEY_REUSED", errors={KEY_HEADER: [message]}
        )


def _replay(record: IdempotencyRecord) -> Response:
    if record.status_code == 204:
        response = Response(status=204)
        response.headers["Idempotent-Replayed"] = "true"
        return response
    response = Response(
        json.dumps(record.body, ensure_ascii=False),
        status=record.status_code,
        mimetype="application/json",
    )
    response.headers["Idempotent-Replayed"] = "true"
    return response


def _in_progress() -> Conflict:
    wait = current_app.config.get("IDEMPOTENCY_WAIT_SECONDS", 5)
    return Conflict(
        "相同的请求正在处理中，请稍后重试",
        code="IDEMPOTENCY_IN_PROGRESS",
        headers={"Retry-After": str(max(1, round(wait)))},
    )


CLAIM_FIELDS = ("endpoint", "request_hash", "status_code", "body", "created_at")


@cache
def _claim_statement(dialect: str) -> Any:
    """Built once per backend: the claim runs at every keyed write."""
    statement = dialect_insert(IdempotencyRecord, dialect)
    return statement.on_conflict_do_update(
        index_elements=["user_id", "key"],
        set_={name: statement.excluded[name] for name in CLAIM_FIELDS},
        where=IdempotencyRecord.created_at < bindparam("expired_before"),
    ).returning(IdempotencyRecord.id)


def _try_insert_claim(user_id: int, key: str, fingerprint: str) -> int | None:
    """Claim the key in one statement: insert our in-progress record, or take over the
    key's expired record in its place; the claim's id, or None when a live record holds
    the key. Nothing is read first: a first request, the usual case, only writes."""
    now = timekeeping.now()
    claim = {
        "user_id": user_id,
        "key": key,
        "endpoint": request.path[:200],
        "request_hash": fingerprint,
        "status_code": IN_PROGRESS,
        "body": {},
        "created_at": now,
        "expired_before": now - RETENTION,  # only an expired record is taken over
    }
    dialect = db.session.get_bind().dialect.name
    claim_id = db.session.execute(_claim_statement(dialect), claim).scalar()
    if claim_id is None:
        db.session.rollback()  # let go of the live record's row at once
        return None
    _commit_keeping_loaded()
    return claim_id


def _commit_keeping_loaded() -> None:
    """Commit the claim without expiring what the request loaded before it (its user): the
    claim changed none of it, and each expired object would cost the view a reload."""
    session = db.session()
    session.expire_on_commit = False
    try:
        session.commit()
    finally:
        session.expire_on_commit = True


def _take_over_stale(record: IdempotencyRecord) -> bool:
    """Adopt a claim abandoned by a dead worker; only one taker wins."""
    taken = bulk.execute(
        update(IdempotencyRecord)
        .where(
            IdempotencyRecord.id == record.id,
            IdempotencyRecord.status_code == IN_PROGRESS,
            IdempotencyRecord.created_at == record.created_at,
        )
        .values(created_at=timekeeping.now())
    )
    db.session.commit()
    return taken == 1


def _claim_or_replay(user_id: int, key: str, fingerprint: str) -> int | Response:
    """Our own claim on the key (its id), or the first request's response to replay."""
    deadline = time.monotonic() + current_app.config.get("IDEMPOTENCY_WAIT_SECONDS", 5)
    while True:
        claim_id = _try_insert_claim(user_id, key, fingerprint)
        if claim_id is not None:
            return claim_id
        existing = _find(user_id, key)
        if existing is None:
            continue  # released (or expired) since: claim it
        _check_same_request(existing, fingerprint)
        if existing.status_code != IN_PROGRESS:
            return _replay(existing)
        if existing.created_at < timekeeping.now() - STALE_CLAIM and _take_over_stale(existing):
            taken = _find(user_id, key)
            if taken is not None:  # renewed just now, so live; were it gone, poll again
                return taken.id
        db.session.rollback()  # end the read transaction so the next poll sees new commits
        if time.monotonic() >= deadline:
            raise _in_progress()
        time.sleep(POLL_SECONDS)


def _release(claim_id: int) -> None:
    db.session.rollback()
    db.session.execute(
        delete(IdempotencyRecord).where(
            IdempotencyRecord.id == claim_id, IdempotencyRecord.status_code == IN_PROGRESS
        )
    )
    db.session.commit()


def idempotent(view: Callable[..., Any]) -> Callable[..., Any]:
    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        key = request.headers.get(KEY_HEADER, "").strip()
        if not key:
            return view(*args, **kwargs)
        if len(key) > 128 or not key.isprintable():
            message = "幂等键须为不超过128个可打印字符"
            raise ValidationFailed(
                message, code="IDEMPOTENCY_KEY_INVALID", errors={KEY_HEADER: [message]}
            )
        user_id = current_user().id
        fingerprint = _request_fingerprint()
        outcome = _claim_or_replay(user_id, key, fingerprint)
        if isinstance(outcome, Response):
            return outcome
        claim_id = outcome
        g.defer_commit = True
        try:
            response = view(*args, **kwargs)
        except BaseException:
            g.defer_commit = False
            _release(claim_id)
            raise
        g.defer_commit = False
        if not isinstance(response, Response) or not 200 <= response.status_code < 300:
            db.session.commit()
            _release(claim_id)
            return response
        # Our claim, which no one else may change: written without loading it first.
        bulk.execute(
            update(IdempotencyRecord)
            .where(IdempotencyRecord.id == claim_id)
            .values(status_code=response.status_code, body=response.get_json(silent=True) or {})
        )
        db.session.commit()
        return response

    return wrapper
