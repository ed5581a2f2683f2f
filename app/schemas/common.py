"""Pieces every resource uses: times, pagination and the problem document."""

from __future__ import annotations

import re
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate

from app.schemas.openapi import Resource
from app.timekeeping import local_iso


def _described(metadata: dict[str, Any], description: str) -> dict[str, Any]:
    return {**metadata, "description": description} if description else metadata


def timestamp(description: str = "", **kwargs: Any) -> fields.String:
    """A moment as ISO 8601 with the office's offset (+08:00), already formatted."""
    return fields.String(metadata=_described({"format": "date-time"}, description), **kwargs)


class LocalDateTime(fields.DateTime):
    """A stored moment, dumped as ISO 8601 in the office's time zone (+08:00)."""

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        return local_iso(value)


def day(description: str = "", **kwargs: Any) -> fields.String:
    """A calendar date as ``YYYY-MM-DD``, already formatted."""
    return fields.String(metadata=_described({"format": "date"}, description), **kwargs)


class Pattern(validate.Regexp):
    """A text field's format, matched against the whole value with ASCII classes.

    marshmallow's ``Regexp`` uses ``re.match``, whose ``$`` also matches before a trailing
    newline ("me\n" passed ``^(me|…)$``) and whose ``\\d`` takes any script's digits; the
    OpenAPI document still shows the same ``pattern``.
    """

    default_message = "格式不正确"

    def __init__(self, regex: str, *, error: str | None = None):
        super().__init__(regex, re.ASCII, error=error)
        self.whole = re.compile(regex, re.ASCII)

    def __call__(self, value: Any) -> Any:
        if not isinstance(value, str) or self.whole.fullmatch(value) is None:
            raise ValidationError(self._format_error(value))
        return value


def export_format() -> fields.String:
    """``?format=xlsx``: the list as an Excel file (staff; personal data masked)."""
    return fields.String(
        validate=validate.OneOf(("json", "xlsx")),
        metadata={"description": "xlsx：导出 Excel（仅工作人员；个人信息脱敏；每次导出留痕）"},
    )


class PageArgs(Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1))
    page_size = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))


class PageSchema(Resource):
    page = fields.Integer(required=True)
    page_size = fields.Integer(required=True)
    total = fields.Integer(required=True, metadata={"description": "符合条件的总数"})


class ProblemSchema(Schema):
    """An RFC 9457 problem: every error the API answers has exactly this shape."""

    type = fields.String(
        required=True, metadata={"description": "问题类型的URI（由 code 派生）", "format": "uri"}
    )
    title = fields.String(required=True, metadata={"description": "错误标题（中文，可直接展示）"})
    status = fields.Integer(required=True, metadata={"description": "HTTP 状态码"})
    detail = fields.String(required=True, metadata={"description": "错误详情（中文，可直接展示）"})
    code = fields.String(
        required=True,
        metadata={
            "description": "稳定的英文大写错误码，如 VALIDATION_FAILED、VERSION_CONFLICT",
            "pattern": "^[A-Z][A-Z0-9_]*$",
        },
    )
    errors = fields.Dict(
        required=True,
        keys=fields.String(),
        values=fields.List(fields.String()),
        metadata={"description": "逐字段的中文错误信息，键为字段路径，如 form.storage_capacity"},
    )


def page_of(items: list, page: int, page_size: int, total: int) -> dict:
    return {"items": items, "page": page, "page_size": page_size, "total": total}
