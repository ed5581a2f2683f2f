"""What every blueprint uses to describe its operations in the OpenAPI document.

``Blueprint`` adds to flask-smorest's blueprint:

- ``operation``: the stable ``operationId``, a Chinese summary/description and, for
  protected operations, the bearer security requirement;
- ``problems``: the RFC 9457 problems an operation can answer, each documented as
  ``application/problem+json`` with the ``Problem`` schema;
- ``headers``: request headers (``Idempotency-Key``, ``If-Match``, ``X-Signature``) as
  references to shared parameter components;
- ``binary``: a success response whose body is a file of the given media types;
- a ``multipart`` argument location reading form fields and files with one schema, so an
  upload is one multipart ``requestBody`` (``material`` and ``file``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import flask_smorest
from apispec import APISpec
from flask import Request
from webargs.flaskparser import FlaskParser
from webargs.multidictproxy import MultiDictProxy
from werkzeug.datastructures import CombinedMultiDict, MultiDict

from app.schemas.common import ProblemSchema
from app.web.problems import HTTP_DEFAULTS, PROBLEM_MEDIA_TYPE, problem_doc, problem_type

BEARER = "bearerAuth"

# What any operation taking a JSON body can answer before its own checks: malformed JSON,
# a body over the limit, another media type, a field that fails validation.
JSON_BODY = (
    (400, "MALFORMED_JSON"),
    (413, "PAYLOAD_TOO_LARGE"),
    (415, "UNSUPPORTED_MEDIA_TYPE"),
    (422, "VALIDATION_FAILED，errors 按字段列出"),
)

# Request headers shared by several operations (components/parameters).
HEADER_PARAMETERS: dict[str, dict[str, Any]] = {
    "IdempotencyKey": {
        "in": "header",
        "name": "Idempotency-Key",
        "required": False,
        "description": (
            "幂等键（不超过128个字符）：24小时内以同一键重发相同请求，返回首次的响应且不重复执行；"
            "同一键用于内容不同的请求返回 422 IDEMPOTENCY_KEY_REUSED。"
        ),
        "schema": {"type": "string", "maxLength": 128},
    },
    "IfMatch": {
        "in": "header",
        "name": "If-Match",
        "required": False,
        "description": (
            "读取时的数据版本号（version），可代替请求体中的 version；"
            "已过期时返回 409 VERSION_CONFLICT。"
        ),
        "schema": {"type": "string", "pattern": '^(W/)?"?[0-9]+"?$'},
    },
    "XSignature": {
        "in": "header",
        "name": "X-Signature",
        "required": True,
        "description": (
            "原始请求体的 HMAC-SHA256：`sha256=<十六进制>`，密钥为 COURIER_WEBHOOK_SECRET。"
        ),
        "schema": {"type": "string", "pattern": "^sha256=[0-9a-fA-F]{64}$"},
    },
}


class MultipartParser(FlaskParser):
    """webargs' Flask parser plus ``multipart``: form fields and uploaded files together."""

    __location_map__ = dict(multipart="load_multipart", **FlaskParser.__location_map__)

    def load_multipart(self, req: Request, schema: Any) -> MultiDictProxy:
        # A text field named like a file field is not a file: files win, form fields of the
        # same name are dropped, so a missing file reads as missing.
        form = MultiDict((k, v) for k, v in req.form.items(multi=True) if k not in req.files)
        return MultiDictProxy(CombinedMultiDict([req.files, form]), schema)


class Blueprint(flask_smorest.Blueprint):
    """flask-smorest's blueprint with the documentation helpers this API uses."""

    ARGUMENTS_PARSER = MultipartParser()
    DEFAULT_LOCATION_CONTENT_TYPE_MAPPING = {
        **flask_smorest.Blueprint.DEFAULT_LOCATION_CONTENT_TYPE_MAPPING,
        "multipart": "multipart/form-data",
    }

    def operation(
        self, operation_id: str, summary: str, description: str = "", *, auth: bool = True
    ) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        """Name and describe an operation; ``auth`` adds the bearer security requirement."""
        doc: dict[str, Any] = {"operationId": operation_id, "summary": summary}
        doc["description"] = description or summary
        if auth:
            doc["security"] = [{BEARER: []}]
        return self.doc(**doc)

    def problems(
        self, *statuses: int | tuple[int, str]
    ) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        """Document the problems an operation answers: ``404`` or ``(409, "codes…")``.

        A status given twice is documented once, with the later note.
        """
        notes: dict[int, str] = {}
        for item in statuses:
            status, note = item if isinstance(item, tuple) else (item, "")
            notes[status] = note

        def decorator(func: Callable[..., Any]) -> Callable[..., Any]:
            for status, note in notes.items():
                title = problem_doc(status)["description"]
                func = self.alt_response(
                    status,
                    schema=ProblemSchema,
                    content_type=PROBLEM_MEDIA_TYPE,
                    description=f"{title}（{note}）" if note else title,
                    example=problem_example(status, note),
                )(func)
            return func

        return decorator

    def headers(self, *names: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        """Document request headers by their component name in ``HEADER_PARAMETERS``."""
        return self.doc(parameters=list(names))  # apispec turns names into $refs

    def page(self, description: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        """Document that a browser (``Accept: text/html``) gets an HTML page instead."""
        return self.doc(
            responses={
                200: {  # int, as flask-smorest keys the documented response it merges into
                    "description": description,
                    "content": {"text/html": {"schema": {"type": "string"}}},
                }
            }
        )

    def binary(
        self, description: str, *media_types: str, status: int = 200
    ) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        """Document a file response: its bytes in each of ``media_types``."""
        content = {t: {"schema": {"type": "string", "format": "binary"}} for t in media_types}
        return self.doc(responses={status: {"description": description, "content": content}})


def problem_example(status: int, note: str = "") -> dict[str, Any]:
    """A problem body as the API sends it, with the first code ``note`` names."""
    code, title = HTTP_DEFAULTS.get(status, ("HTTP_ERROR", "请求无法处理"))
    named = re.match(r"[A-Z][A-Z0-9_]+", note)
    code = named.group(0) if named else code
    errors = {"field.path": ["此项为必填项"]} if status == 422 else {}
    return {
        "type": problem_type(code),
        "title": title,
        "status": status,
        "detail": "field.path：此项为必填项" if errors else title,
        "code": code,
        "errors": errors,
    }


def register_components(spec: APISpec) -> None:
    """Components the operations refer to by name: security scheme and header parameters."""
    spec.components.security_scheme(
        BEARER,
        {
            "type": "http",
            "scheme": "bearer",
            "description": "登录接口返回的 token：`Authorization: Bearer <token>`",
        },
    )
    for name, parameter in HEADER_PARAMETERS.items():
        spec.components.parameter(name, parameter["in"], parameter)
