"""Checks every API request passes before a view runs: media type and body size.

Views declare what they accept with ``@accepts("multipart/form-data")``; everything else
that carries a body must be JSON. Failing here gives 415/413 problems instead of a view
misreading a form as an empty JSON object.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask, current_app, request

from app.errors import PayloadTooLarge, UnsupportedMediaType

JSON = "application/json"


def accepts(*media_types: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Mark a view as taking a body of one of ``media_types`` instead of JSON."""

    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        view.accepted_media_types = frozenset(media_types)  # type: ignore[attr-defined]
        return view

    return decorator


def _accepted_media_types() -> frozenset[str]:
    view = current_app.view_functions.get(request.endpoint or "")
    cls = getattr(view, "view_class", None)
    handler = getattr(cls, request.method.lower(), None) if cls else view
    return getattr(handler, "accepted_media_types", frozenset({JSON}))


def _check_request() -> None:
    if request.method not in ("POST", "PUT", "PATCH") or not request.path.startswith("/api/"):
        return
    accepted = _accepted_media_types()
    limit = current_app.config["MAX_JSON_BYTES" if accepted == {JSON} else "MAX_UPLOAD_BYTES"] + (
        0 if accepted == {JSON} else 256 * 1024
    )
    request.max_content_length = limit
    if request.content_length is not None and request.content_length > limit:
        raise PayloadTooLarge(
            f"提交的内容超过上限（{limit // (1024 * 1024) or 1} MiB）", code="PAYLOAD_TOO_LARGE"
        )
    has_body = (request.content_length or 0) > 0 or request.headers.get("Transfer-Encoding")
    if has_body and request.mimetype not in accepted:
        expected = "、".join(sorted(accepted))
        raise UnsupportedMediaType(f"请求内容类型须为 {expected}", code="UNSUPPORTED_MEDIA_TYPE")


def register_request_guards(app: Flask) -> None:
    app.before_request(_check_request)
