"""Checks every API request passes before a view runs: media type, size and hostile text.

Views declare what they accept with ``@accepts("multipart/form-data")``; everything else
that carries a body must be JSON. Failing here gives 415/413 problems instead of a view
misreading a form as an empty JSON object.

Input no real client sends is refused here, before it can reach a database or a parser
that would fail with a 500: path ids beyond a 32-bit integer (404), NUL characters and
lone UTF-16 surrogates in any text (PostgreSQL refuses the first, and the second cannot
be encoded back to UTF-8 once stored), JSON nested deeper than any form needs,
non-finite numbers, and ids or page numbers beyond a 32-bit integer (422).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Iterator
from typing import Any

from flask import Flask, current_app, request

from app.errors import (
    AppError,
    NotFound,
    PayloadTooLarge,
    UnsupportedMediaType,
    ValidationFailed,
    field_error,
)

JSON = "application/json"
MAX_INT32 = 2**31 - 1
MAX_JSON_DEPTH = 32
# A NUL, or a UTF-16 surrogate (only ever lone in a Python str decoded from JSON escapes).
BAD_TEXT = re.compile("[\x00\ud800-\udfff]")
BAD_TEXT_MESSAGE = "含有无效字符（空字符或不完整的Unicode字符）"
INTEGER_KEYS = re.compile(r"^(id|ids|page|page_size|version|.*_id|.*_ids)$")
# Digits only as int() reads them: str.isdigit() also takes "¹" or "²", which int() refuses.
ASCII_INTEGER = re.compile(r"[+-]?[0-9]+")


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
    if has_body and request.mimetype == JSON:
        _check_json_body()
    elif has_body:
        _check_fields(request.form.items(multi=True), "")


def _check_path_and_query() -> None:
    for value in (request.view_args or {}).values():
        too_big = isinstance(value, int) and value > MAX_INT32
        if too_big or (isinstance(value, str) and BAD_TEXT.search(value)):
            raise NotFound("请求的资源不存在")
    if request.path.startswith("/api/"):
        _check_fields(request.args.items(multi=True), "")


def _check_fields(items: Any, prefix: str) -> None:
    """Query or form fields: text must be clean; id-like numbers must fit 32 bits."""
    for name, value in items:
        _check_text(f"{prefix}{name}", name)
        _check_text(f"{prefix}{name}", value)
        if INTEGER_KEYS.match(name) and ASCII_INTEGER.fullmatch(value.strip()):
            _check_integer(name, int(value))


def _check_text(path: str, value: str) -> None:
    if BAD_TEXT.search(value):
        shown = BAD_TEXT.sub("\ufffd", path)  # the answer itself must be valid UTF-8
        raise ValidationFailed(
            BAD_TEXT_MESSAGE, code="TEXT_INVALID", errors={shown: [BAD_TEXT_MESSAGE]}
        )


def _check_integer(path: str, value: int) -> None:
    if abs(value) > MAX_INT32:
        message = f"数值超出范围（不得大于{MAX_INT32}）"
        raise ValidationFailed(message, code="INTEGER_OUT_OF_RANGE", errors={path: [message]})


def _check_json_body() -> None:
    raw = request.get_data(cache=True)
    limit = request.max_content_length
    if request.content_length is None and limit is not None and len(raw) >= limit:
        # A chunked body is cut at the limit rather than refused; what reached it is too big.
        raise PayloadTooLarge(
            f"提交的内容超过上限（{limit // (1024 * 1024) or 1} MiB）", code="PAYLOAD_TOO_LARGE"
        )
    try:
        data = json.loads(raw)
    except RecursionError as exc:
        raise _too_deep() from exc
    except ValueError:
        return  # malformed: the schema layer answers 400 MALFORMED_JSON
    for path, key, value, depth in _walk(data):
        if depth > MAX_JSON_DEPTH:
            raise _too_deep()
        if isinstance(key, str):
            _check_text(path, key)
        if isinstance(value, str):
            _check_text(path, value)
        elif isinstance(value, float) and not math.isfinite(value):
            message = "数值须为有限数"
            raise ValidationFailed(message, code="NUMBER_INVALID", errors={path: [message]})
        elif isinstance(value, int) and not isinstance(value, bool):
            if isinstance(key, str) and INTEGER_KEYS.match(key):
                _check_integer(path, value)


def _too_deep() -> AppError:
    message = f"JSON嵌套层数不得超过{MAX_JSON_DEPTH}层"
    return field_error("body", message, "JSON_TOO_DEEP")


def _walk(data: Any) -> Iterator[tuple[str, object, object, int]]:
    """(path, key, value, depth) of every node, without recursion (the input may be deep)."""
    stack: list[tuple[str, object, object, int]] = [("body", None, data, 0)]
    while stack:
        path, key, value, depth = stack.pop()
        yield path, key, value, depth
        if isinstance(value, dict):
            for child_key, child in value.items():
                child_path = child_key if path == "body" else f"{path}.{child_key}"
                stack.append((child_path, child_key, child, depth + 1))
        elif isinstance(value, list):
            # An item of a list is judged by the list's name: each of ``ids`` is an id.
            for index, child in enumerate(value):
                stack.append((f"{path}.{index}", key, child, depth + 1))


def register_request_guards(app: Flask) -> None:
    app.before_request(_check_path_and_query)
    app.before_request(_check_request)
