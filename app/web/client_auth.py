"""Bearer tokens of machine clients, kept apart from people's tokens.

A client token is signed under its own salt, so a person's token is never a client's (and
the reverse): ``/events`` answers a person's valid token with 403, not as a client. Every
request reloads the client, so a revoked client is refused (401) at once. Each client has
its own rate limit (``CLIENT_RATE_LIMIT``), counted in the limiter's shared storage, and the
access log names the client (``client_id``).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import current_app, request
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from app import throttle
from app.errors import Forbidden, TooManyRequests, Unauthorized
from app.models import ApiClient
from app.services import api_clients
from app.web.auth import user_token_valid
from app.web.observability import CLIENT_ID_KEY

_SALT = "zerovisit-client"
_CLIENT_KEY = "zerovisit.client"


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def issue_client_token(client: ApiClient) -> tuple[str, int]:
    """A bearer token for ``client`` and its lifetime in seconds."""
    return _serializer().dumps({"cid": client.client_id}), current_app.config[
        "CLIENT_TOKEN_TTL_SECONDS"
    ]


def _client_from_request() -> ApiClient:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise Unauthorized("请先以客户端凭证换取令牌", code="AUTH_REQUIRED")
    try:
        claims = _serializer().loads(token, max_age=current_app.config["CLIENT_TOKEN_TTL_SECONDS"])
    except SignatureExpired as exc:
        raise Unauthorized("令牌已过期，请重新获取", code="TOKEN_EXPIRED") from exc
    except BadSignature as exc:
        if user_token_valid(token):
            raise Forbidden("此接口仅供对接系统的客户端使用", code="CLIENT_TOKEN_REQUIRED") from exc
        raise Unauthorized("令牌无效，请重新获取", code="TOKEN_INVALID") from exc
    return api_clients.active_client(str(claims.get("cid", "")))


def current_client() -> ApiClient:
    """The authenticated client of this request (401/403 when there is none)."""
    if _CLIENT_KEY not in request.environ:
        client = _client_from_request()
        request.environ[_CLIENT_KEY] = client
        request.environ[CLIENT_ID_KEY] = client.client_id  # for the access log
    return request.environ[_CLIENT_KEY]


def client_required(scope: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Only a client holding ``scope``, within its rate limit."""

    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            client = current_client()
            limit = current_app.config["CLIENT_RATE_LIMIT"]
            if not throttle.hit(limit, "client", client.client_id):
                raise TooManyRequests(
                    "请求过于频繁，请稍后再试",
                    headers={
                        "Retry-After": str(throttle.retry_after(limit, "client", client.client_id))
                    },
                )
            if scope not in client.scopes:
                raise Forbidden(f"该客户端没有 {scope} 权限", code="SCOPE_MISSING")
            return view(*args, **kwargs)

        return wrapper

    return decorator
