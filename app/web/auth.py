"""Bearer tokens and the current user.

Tokens are signed (itsdangerous, keyed by ``SECRET_KEY``) and carry an issue time; they
expire after ``TOKEN_TTL_SECONDS``. A deactivated user's tokens stop working at once,
because every request reloads the user.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import current_app, request
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from app.errors import Forbidden, Unauthorized
from app.extensions import db
from app.models import User
from app.web.observability import USER_ID_KEY

_SALT = "zerovisit-bearer"


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def issue_token(user: User) -> tuple[str, int]:
    """A bearer token for ``user`` and its lifetime in seconds."""
    return _serializer().dumps({"uid": user.id, "k": user.kind}), current_app.config[
        "TOKEN_TTL_SECONDS"
    ]


def token_claims() -> dict[str, Any]:
    """The bearer token's claims (``uid``, ``k`` the user's kind), its signature and age
    checked; the user is not loaded (see ``current_user`` for that)."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("请先登录", code="AUTH_REQUIRED")
    try:
        claims = _serializer().loads(token.strip(), max_age=current_app.config["TOKEN_TTL_SECONDS"])
    except SignatureExpired as exc:
        raise Unauthorized("登录已过期，请重新登录", code="TOKEN_EXPIRED") from exc
    except BadSignature as exc:
        raise Unauthorized("登录凭证无效，请重新登录", code="TOKEN_INVALID") from exc
    if not isinstance(claims, dict):
        raise Unauthorized("登录凭证无效，请重新登录", code="TOKEN_INVALID")
    return claims


def token_user_valid(user: User | None, claims: dict[str, Any]) -> bool:
    """Whether ``user`` (loaded for the token's ``uid``) may act under these claims."""
    return user is not None and user.active and user.kind == claims.get("k")


def _user_from_request() -> User:
    claims = token_claims()
    user = db.session.get(User, claims.get("uid"))
    if user is None or not token_user_valid(user, claims):
        raise Unauthorized("登录凭证无效，请重新登录", code="TOKEN_INVALID")
    return user


_USER_KEY = "zerovisit.user"


def current_user() -> User:
    """The authenticated user of this request (401 when there is none).

    Cached on the request itself, not on ``g``: an app context (and its ``g``) can outlive
    one request, e.g. in tests or CLI code that serves several requests.
    """
    if _USER_KEY not in request.environ:
        remember_user(_user_from_request())  # the id also for the access log
    return request.environ[_USER_KEY]


def remember_user(user: User) -> None:
    """The request's user, loaded and checked by the caller (with other rows, in one query)."""
    request.environ[_USER_KEY] = user
    request.environ[USER_ID_KEY] = user.id


def login_required(view: Callable[..., Any]) -> Callable[..., Any]:
    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        current_user()
        return view(*args, **kwargs)

    return wrapper


def staff_required(*roles: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Only staff, and (when roles are given) only those holding one of them."""

    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            user = current_user()
            if not user.is_staff or (roles and not set(roles) & set(user.roles)):
                raise Forbidden("您没有执行此操作的权限")
            return view(*args, **kwargs)

        return wrapper

    return decorator
