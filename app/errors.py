"""Domain errors: refusals a user can act on, each with an HTTP status, a stable upper-snake
``code`` and a Chinese ``title``/``detail``.

Use cases raise these; ``app/web/problems.py`` answers them (and werkzeug's HTTP errors,
webargs validation and workflow refusals) as RFC 9457 problem responses.
"""

from __future__ import annotations

from collections.abc import Mapping


class AppError(Exception):
    """A refusal the user can act on: HTTP status, stable code, Chinese text."""

    status = 400
    code = "BAD_REQUEST"
    title = "请求格式不正确"

    def __init__(
        self,
        detail: str | None = None,
        *,
        code: str | None = None,
        status: int | None = None,
        title: str | None = None,
        errors: Mapping[str, list[str]] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        self.status = status or self.status
        self.code = code or self.code
        self.title = title or self.title
        self.detail = detail or self.title
        self.errors = dict(errors or {})
        self.headers = dict(headers or {})
        super().__init__(self.detail)


class NotFound(AppError):
    status, code, title = 404, "NOT_FOUND", "请求的资源不存在"


class Unauthorized(AppError):
    status, code, title = 401, "UNAUTHORIZED", "未登录或登录已过期，请重新登录"


class Forbidden(AppError):
    status, code, title = 403, "FORBIDDEN", "无权执行此操作"


class Conflict(AppError):
    status, code, title = 409, "CONFLICT", "操作与当前状态冲突"


class VersionConflict(Conflict):
    code, title = "VERSION_CONFLICT", "数据已被他人修改，请刷新后重试"


class ValidationFailed(AppError):
    status, code, title = 422, "VALIDATION_FAILED", "提交的数据有误，请检查后重试"


class UnsupportedMediaType(AppError):
    status, code, title = 415, "UNSUPPORTED_MEDIA_TYPE", "不支持的内容类型"


class PayloadTooLarge(AppError):
    status, code, title = 413, "PAYLOAD_TOO_LARGE", "提交的内容过大"


class ChecksumMismatch(AppError):
    """tus checksum extension: the piece's ``Upload-Checksum`` does not match its bytes."""

    status, code, title = 460, "CHECKSUM_MISMATCH", "数据校验失败，请重新发送这一段"


class TooManyRequests(AppError):
    status, code, title = 429, "TOO_MANY_REQUESTS", "请求过于频繁"


class UpstreamError(AppError):
    status, code, title = 502, "UPSTREAM_ERROR", "外部服务暂时不可用，请稍后再试"


def field_error(path: str, message: str, code: str = "VALIDATION_FAILED") -> ValidationFailed:
    """A 422 naming one field, e.g. ``field_error("credit_code", "…", "CREDIT_CODE_INVALID")``."""
    return ValidationFailed(message, code=code, errors={path: [message]})


def fields_error(errors: dict[str, list[str]]) -> ValidationFailed:
    """A 422 naming every field of ``errors``; its detail is the first message."""
    return ValidationFailed(next(iter(errors.values()))[0], errors=errors)


class StorageUnavailable(Exception):
    """The document store could not be reached or refused the request (the API answers 503)."""
