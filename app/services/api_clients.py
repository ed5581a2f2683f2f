"""Machine clients of the integration API: created by an operator, authenticated by secret.

A secret is 32 random bytes shown once; only its SHA-256 digest is kept. A digest (not a
slow password hash) suffices for a secret of that entropy, and keeps the token request cheap.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from sqlalchemy import select

from app import timekeeping
from app.domain.transaction import commit
from app.errors import NotFound, Unauthorized, field_error
from app.extensions import db
from app.models import ApiClient
from app.schemas.event_types import SCOPES


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def create_client(name: str, scopes: list[str]) -> tuple[ApiClient, str]:
    """A new client and its secret (the only time the secret exists in clear)."""
    name = name.strip()
    if not name:
        raise field_error("name", "请填写客户端名称", "CLIENT_NAME_REQUIRED")
    unknown = [scope for scope in scopes if scope not in SCOPES]
    if unknown or not scopes:
        raise field_error(
            "scopes", f"权限范围须为 {'、'.join(SCOPES)} 中的一项或多项", "SCOPE_UNKNOWN"
        )
    secret = "zvs_" + secrets.token_urlsafe(32)
    client = ApiClient(
        client_id="zvc_" + secrets.token_hex(8),
        name=name[:100],
        secret_hash=_digest(secret),
        scopes=sorted(set(scopes), key=SCOPES.index),
    )
    db.session.add(client)
    commit()
    return client, secret


def list_clients() -> list[ApiClient]:
    return list(db.session.scalars(select(ApiClient).order_by(ApiClient.id)))


def revoke_client(client_id: str) -> ApiClient:
    """Revoke a client: its tokens stop working at its next request."""
    client = db.session.scalars(select(ApiClient).where(ApiClient.client_id == client_id)).first()
    if client is None:
        raise NotFound("没有该客户端", code="CLIENT_NOT_FOUND")
    if client.revoked_at is None:
        client.revoked_at = timekeeping.now()
        commit()
    return client


def active_client(client_id: str) -> ApiClient:
    """The client ``client_id`` names, if it exists and is not revoked (else 401)."""
    client = db.session.scalars(select(ApiClient).where(ApiClient.client_id == client_id)).first()
    if client is None:
        raise Unauthorized("客户端凭证无效", code="CLIENT_CREDENTIALS_INVALID")
    if client.revoked_at is not None:
        raise Unauthorized("该客户端已被吊销，请联系管理员", code="CLIENT_REVOKED")
    return client


def authenticate(client_id: str, secret: str) -> ApiClient:
    """The client whose id and secret these are (401 otherwise, the same for either wrong)."""
    client = db.session.scalars(select(ApiClient).where(ApiClient.client_id == client_id)).first()
    expected = client.secret_hash if client is not None else _digest("")
    if not hmac.compare_digest(expected, _digest(secret)) or client is None:
        raise Unauthorized("客户端凭证无效", code="CLIENT_CREDENTIALS_INVALID")
    return active_client(client_id)
