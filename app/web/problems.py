"""The HTTP half of the errors: every error the API answers leaves as an RFC 9457 problem.

Our own (``app/errors.py``), werkzeug's HTTP errors, webargs/marshmallow validation, workflow
refusals — each leaves through ``problem_response`` with a stable upper-snake ``code`` and
Chinese ``title``/``detail`` fit to show a user as they are.
"""

from __future__ import annotations

import http
import logging
import re
from collections.abc import Callable, Mapping
from typing import Any

from flask import Flask, Response, json
from flask_smorest import Api
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

from app.errors import AppError, Conflict, StorageUnavailable, VersionConflict
from app.schemas.common import ProblemSchema
from app.schemas.openapi import StrictMarshmallowPlugin
from permits.numbering import NumberingError
from workflows import errors as wf_errors

log = logging.getLogger(__name__)

PROBLEM_MEDIA_TYPE = "application/problem+json"

HTTP_DEFAULTS: dict[int, tuple[str, str]] = {
    400: ("BAD_REQUEST", "请求格式不正确"),
    401: ("UNAUTHORIZED", "未登录或登录已过期，请重新登录"),
    403: ("FORBIDDEN", "无权执行此操作"),
    404: ("NOT_FOUND", "请求的资源不存在"),
    405: ("METHOD_NOT_ALLOWED", "不支持该请求方法"),
    409: ("CONFLICT", "操作与当前状态冲突"),
    412: ("PRECONDITION_FAILED", "数据已被他人修改，请刷新后重试"),
    413: ("PAYLOAD_TOO_LARGE", "提交的内容过大"),
    415: ("UNSUPPORTED_MEDIA_TYPE", "不支持的内容类型"),
    422: ("VALIDATION_FAILED", "提交的数据有误，请检查后重试"),
    428: ("PRECONDITION_REQUIRED", "请求缺少版本号"),
    429: ("TOO_MANY_REQUESTS", "请求过于频繁，请稍后再试"),
    460: ("CHECKSUM_MISMATCH", "数据校验失败，请重新发送这一段"),  # tus checksum extension
    500: ("INTERNAL_ERROR", "服务器内部错误，请稍后再试"),
    502: ("UPSTREAM_ERROR", "外部服务暂时不可用，请稍后再试"),
    503: ("SERVICE_UNAVAILABLE", "服务暂时不可用，请稍后再试"),
}


# marshmallow/webargs speak English; the phone shows what we send, so translate.
_EXACT_MESSAGES = {
    "Missing data for required field.": "此项为必填项",
    "Field may not be null.": "此项不能为空",
    "Not a valid string.": "须为文本",
    "Not a valid integer.": "须为整数",
    "Not a valid number.": "须为数字",
    "Not a valid boolean.": "须为是或否",
    "Not a valid date.": "须为YYYY-MM-DD格式的日期",
    "Not a valid datetime.": "须为ISO 8601格式的时间",
    "Not a valid list.": "须为列表",
    "Not a valid mapping type.": "须为对象",
    "Not a valid email address.": "邮箱格式不正确",
    "Unknown field.": "不支持的字段",
    "Invalid input type.": "数据类型不正确",
    "Invalid value.": "取值不正确",
    "Shorter than minimum length {min}.": "长度不足",
    "Invalid JSON body.": "请求体不是合法的JSON",
}
_PATTERN_MESSAGES = [
    (re.compile(r"^Length must be between (\d+) and (\d+)\.$"), "长度须在{0}到{1}之间"),
    (re.compile(r"^Shorter than minimum length (\d+)\.$"), "长度不得少于{0}"),
    (re.compile(r"^Longer than maximum length (\d+)\.$"), "长度不得超过{0}"),
    (re.compile(r"^Must be one of: (.*)\.$"), "须为以下之一：{0}"),
    (
        re.compile(r"^Must be greater than or equal to (\S+) and less than or equal to (\S+)\.$"),
        "须在{0}到{1}之间",
    ),
    (re.compile(r"^Must be greater than or equal to (\S+)\.$"), "不得小于{0}"),
    (re.compile(r"^Must be less than or equal to (\S+)\.$"), "不得大于{0}"),
    (re.compile(r"^String does not match expected pattern\.$"), "格式不正确"),
]


def translate_message(message: str) -> str:
    """Chinese for a marshmallow/webargs message; our own (already Chinese) pass through."""
    if message in _EXACT_MESSAGES:
        return _EXACT_MESSAGES[message]
    for pattern, template in _PATTERN_MESSAGES:
        match = pattern.match(message)
        if match:
            return template.format(*match.groups())
    return message


def flatten_messages(messages: Any, prefix: str = "") -> dict[str, list[str]]:
    """Turn marshmallow's nested error dict into ``{"field.path": ["…"]}``."""
    flat: dict[str, list[str]] = {}
    if isinstance(messages, Mapping):
        for key, value in messages.items():
            path = f"{prefix}.{key}" if prefix else str(key)
            if key == "_schema":
                path = prefix or "body"
            for sub_path, sub_messages in flatten_messages(value, path).items():
                flat.setdefault(sub_path, []).extend(sub_messages)
    elif isinstance(messages, list | tuple):
        if all(isinstance(m, str) for m in messages):
            flat[prefix or "body"] = [translate_message(m) for m in messages]
        else:
            for index, value in enumerate(messages):
                flat.update(flatten_messages(value, f"{prefix}.{index}" if prefix else str(index)))
    else:
        flat[prefix or "body"] = [translate_message(str(messages))]
    return flat


def problem_type(code: str) -> str:
    """The problem type URI of a ``code``."""
    return f"https://zerovisit.example/problems/{code.lower().replace('_', '-')}"


def problem_response(
    status: int,
    code: str,
    title: str,
    detail: str | None = None,
    errors: Mapping[str, list[str]] | None = None,
    headers: Mapping[str, str] | None = None,
) -> Response:
    body = ProblemSchema().dump(
        {
            "type": problem_type(code),
            "title": title,
            "status": status,
            "detail": detail or title,
            "code": code,
            "errors": dict(errors or {}),
        }
    )
    response = Response(
        json.dumps(body, ensure_ascii=False), status=status, mimetype=PROBLEM_MEDIA_TYPE
    )
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def _handle_app_error(error: AppError) -> Response:
    return problem_response(
        error.status, error.code, error.title, error.detail, error.errors, error.headers
    )


def _handle_http_exception(error: HTTPException) -> Response:
    status = error.code or 500
    code, title = HTTP_DEFAULTS.get(status, ("HTTP_ERROR", "请求无法处理"))
    errors: dict[str, list[str]] = {}
    data = getattr(error, "data", None) or {}
    messages = data.get("messages") if isinstance(data, Mapping) else None
    if messages:
        # webargs nests by location ({"json": {...}, "query": {...}}); the field path is enough.
        for location_messages in messages.values():
            errors.update(flatten_messages(location_messages))
    detail = title
    if status == 400 and "body" in errors:
        code, title = "MALFORMED_JSON", "请求体不是合法的JSON"
        detail = title
    elif status == 422 and errors:
        first_path, first_messages = next(iter(errors.items()))
        detail = f"{first_path}：{first_messages[0]}"
    headers = {}
    if status == 405 and error.get_headers():
        headers = {k: v for k, v in error.get_headers() if k.lower() == "allow"}
    if status == 429:
        headers["Retry-After"] = "60"
    return problem_response(status, code, title, detail, errors, headers)


def _handle_workflow_error(error: wf_errors.WorkflowError) -> Response:
    if isinstance(error, wf_errors.ActionForbidden):
        status = 403
    elif isinstance(error, wf_errors.ActionDataInvalid | wf_errors.UnknownAction):
        status = 422
    else:
        status = 409
    errors = getattr(error, "errors", None) or {}
    title = HTTP_DEFAULTS[status][1] if status != 409 else "当前状态下不能执行此操作"
    return problem_response(status, error.code, title, error.message, errors)


def _handle_stale(error: StaleDataError) -> Response:
    return _handle_app_error(VersionConflict("数据已被他人修改，请刷新后重试"))


def _handle_numbering(error: Exception) -> Response:
    # A region missing from permits/regions.yaml: the office must add it; nothing was done.
    log.error("numbering failed: %s", error)
    return _handle_app_error(
        Conflict(f"无法确定发证机关或证书编号：{error}", code="LICENCE_NUMBERING_UNAVAILABLE")
    )


def _handle_storage_unavailable(error: StorageUnavailable) -> Response:
    # The object store is down or refuses us: nothing was stored or committed; retry later.
    log.error("document storage unavailable: %s", error)
    return _handle_app_error(
        AppError(
            "文件存储暂时不可用，请稍后再试",
            status=503,
            code="STORAGE_UNAVAILABLE",
            title="文件存储暂时不可用",
            headers={"Retry-After": "30"},
        )
    )


def _handle_unexpected(error: Exception) -> Response:
    log.exception("unhandled error", exc_info=error)
    code, title = HTTP_DEFAULTS[500]
    return problem_response(500, code, title)


class ProblemApi(Api):
    """flask-smorest's ``Api`` whose documented errors are our problems, not its ``Error``.

    Every error response component (``NOT_FOUND``, ``UNPROCESSABLE_ENTITY``, …, and the
    ``default`` of every operation) is ``application/problem+json`` with ``ProblemSchema``.
    """

    ERROR_SCHEMA = ProblemSchema

    def _init_spec(self, **kwargs: Any) -> None:
        kwargs.setdefault("marshmallow_plugin", StrictMarshmallowPlugin())
        super()._init_spec(**kwargs)

    def _register_responses(self) -> None:
        for status in http.HTTPStatus:
            if status < 400:
                continue
            self.spec.components.response(status.name, problem_doc(status), lazy=True)
        unexpected = {**problem_doc(500, "其他错误"), "x-problem-codes": ["INTERNAL_ERROR"]}
        self.spec.components.response(self.DEFAULT_ERROR_RESPONSE_NAME, unexpected, lazy=True)


def problem_doc(status: int, description: str | None = None) -> dict[str, Any]:
    """An OpenAPI response object for a problem answered with ``status``."""
    known = HTTP_DEFAULTS.get(status)
    title = known[1] if known else http.HTTPStatus(status).phrase
    return {
        "description": description or title,
        "content": {PROBLEM_MEDIA_TYPE: {"schema": ProblemSchema}},
    }


def _rolling_back(
    handler: Callable[[Any], Response], rollback: Callable[[], None]
) -> Callable[[Any], Response]:
    """Discard the failed request's unflushed and uncommitted changes before answering.

    A refusal raised half-way through a use case (e.g. an approval whose licence cannot be
    numbered) must leave nothing behind, even where the session outlives the request.
    """

    def handle(error: Any) -> Response:
        rollback()
        return handler(error)

    return handle


def register_error_handlers(app: Flask, rollback: Callable[[], None]) -> None:
    """Answer every error as a problem, after ``rollback`` (the database session's)."""
    handlers: list[tuple[type[Exception], Callable[[Any], Response]]] = [
        (AppError, _handle_app_error),
        (HTTPException, _handle_http_exception),
        (wf_errors.WorkflowError, _handle_workflow_error),
        (StaleDataError, _handle_stale),
        (NumberingError, _handle_numbering),
        (StorageUnavailable, _handle_storage_unavailable),
        (Exception, _handle_unexpected),
    ]
    for error, handler in handlers:
        app.register_error_handler(error, _rolling_back(handler, rollback))


# The app's OpenAPI document and blueprint registry, bound to each app in ``create_app``.
api = ProblemApi()
