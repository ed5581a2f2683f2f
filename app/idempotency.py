"""``Idempotency-Key`` for writes a phone may retry.

The first response to (user, key) is stored in the same transaction as the work, so a
retry replays it and does nothing twice; the same key with another body is refused (422).
Two racing requests with one key both run up to the commit; the unique index lets only
one commit, and the loser replays the winner's stored response.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from typing import Any

from flask import Response, g, request
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.auth import current_user
from app.errors import ValidationFailed
from app.extensions import db
from app.models import IdempotencyRecord
from app.services import timekeeping

KEY_HEADER = "Idempotency-Key"
RETENTION = timedelta(hours=24)


def _request_fingerprint() -> str:
    digest = hashlib.sha256()
    digest.update(f"{request.method} {request.path}\n".encode())
    if request.mimetype == "multipart/form-data":
        for name in sorted(request.form):
            digest.update(f"{name}={request.form.getlist(name)}\n".encode())
        for name in sorted(request.files):
            upload = request.files[name]
            digest.update(f"file:{name}:{upload.filename}\n".encode())
            position = upload.stream.tell()
            while chunk := upload.stream.read(64 * 1024):
                digest.update(chunk)
            upload.stream.seek(position)
    else:
        digest.update(request.get_data(cache=True))
    return digest.hexdigest()


def _find(user_id: int, key: str) -> IdempotencyRecord | None:
    cutoff = timekeeping.now() - RETENTION
    return db.session.scalars(
        select(IdempotencyRecord).where(
            IdempotencyRecord.user_id == user_id,
            IdempotencyRecord.key == key,
            IdempotencyRecord.created_at >= cutoff,
        )
    ).first()


def _replay(record: IdempotencyRecord, fingerprint: str) -> Response:
    if record.request_hash != fingerprint:
        message = "同一幂等键已用于内容不同的请求"
        raise ValidationFailed(
            message, code="IDEMPOTENCY_KEY_REUSED", errors={KEY_HEADER: [message]}
        )
    response = Response(
        json.dumps(record.body, ensure_ascii=False),
        status=record.status_code,
        mimetype="application/json",
    )
    response.headers["Idempotent-Replayed"] = "true"
    return response


def idempotent(view: Callable[..., Any]) -> Callable[..., Any]:
    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        key = request.headers.get(KEY_HEADER, "").strip()
        if not key:
            return view(*args, **kwargs)
        if len(key) > 128:
            message = "幂等键长度不得超过128个字符"
            raise ValidationFailed(
                message, code="IDEMPOTENCY_KEY_INVALID", errors={KEY_HEADER: [message]}
            )
        user = current_user()
        fingerprint = _request_fingerprint()
        existing = _find(user.id, key)
        if existing is not None:
            return _replay(existing, fingerprint)
        g.defer_commit = True
        try:
            response = view(*args, **kwargs)
        finally:
            g.defer_commit = False
        if not isinstance(response, Response) or not 200 <= response.status_code < 300:
            db.session.commit()
            return response
        stale = db.session.scalars(
            select(IdempotencyRecord).where(
                IdempotencyRecord.user_id == user.id, IdempotencyRecord.key == key
            )
        ).first()
        if stale is not None:  # an expired record of the same key: the key is free again
            db.session.delete(stale)
            db.session.flush()
        db.session.add(
            IdempotencyRecord(
                user_id=user.id,
                key=key,
                endpoint=request.path,
                request_hash=fingerprint,
                status_code=response.status_code,
                body=response.get_json(),
            )
        )
        try:
            db.session.commit()
        except IntegrityError:
            db.session.rollback()
            winner = _find(user.id, key)
            if winner is None:
                raise
            return _replay(winner, fingerprint)
        return response

    return wrapper
