"""What every blueprint uses to describe its operations in the OpenAPI document.

``Blueprint`` adds to flask-smorest's blueprint:

- ``operation``: the stable ``operationId``, a Chinese summary/description and, for
  protected operations, the bearer security requirement;
- ``problems``: the RFC 9457 problems an operation can answer, each documented as
  ``application/problem+json`` with the ``Problem`` schema and the list of its ``code``
  values in ``x-problem-codes`` (the test suite fails on a code answered but not listed);
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
from app.schemas.event_types import DATA_SCHEMAS
from app.web.problems import HTTP_DEFAULTS, PROBLEM_MEDIA_TYPE, problem_doc, problem_type

BEARER = "bearerAuth"

# Where a documented problem response lists the ``code`` values it may carry.
CODES_KEY = "x-problem-codes"
# An error code in a note: an upper-snake word not glued to other ASCII word characters.
CODE_IN_NOTE = re.compile(r"(?<![A-Za-z0-9_])[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+(?![A-Za-z0-9_])")
# The codes a status stands for when its note names none.
DEFAULT_CODES: dict[int, tuple[str, ...]] = {
    401: ("AUTH_REQUIRED", "TOKEN_INVALID", "TOKEN_EXPIRED"),
}

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
            "读取时的数据版本号（version）或 ETag，可代替请求体中的 version；"
            "已过期时返回 409 VERSION_CONFLICT。"
        ),
        "schema": {"type": "string", "pattern": '^(W/)?"?[0-9]+(-[0-9]{8})?"?$'},
    },
    "IfNoneMatch": {
        "in": "header",
        "name": "If-None-Match",
        "required": False,
        "description": "上次响应的 ETag；申请未变化时返回 304，不带响应体。",
        "schema": {"type": "string"},
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
        """Name and describe an operation; ``auth`` adds the bearer security requirement.

        A public operation says so with an empty requirement (``security: []``), so a
        generated client never sends a token it was not asked for.
        """
        doc: dict[str, Any] = {"operationId": operation_id, "summary": summary}
        doc["description"] = description or summary
        doc["security"] = [{BEARER: []}] if auth else []
        return self.doc(**doc)

    def problems(
        self, *statuses: int | tuple[int, str]
    ) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        """Document the problems an operation answers: ``404`` or ``(409, "CODE_A、CODE_B")``.

        The codes named in a note (upper-snake words) are the ``code`` values the operation
        answers with that status; a note naming none (``(403, "仅审批人员")``) or a bare
        status stands for the status's usual codes (``DEFAULT_CODES``: ``401`` is
        ``AUTH_REQUIRED``, ``TOKEN_INVALID``, ``TOKEN_EXPIRED``). A status given twice is
        documented once, with the codes and notes of both (``403, (403, "X_FORBIDDEN")``:
        the usual codes and ``X_FORBIDDEN``).
        """
        notes: dict[int, list[str]] = {}
        bare: set[int] = set()
        for item in statuses:
            status, note = item if isinstance(item, tuple) else (item, "")
            notes.setdefault(status, [])
            if not note:
                bare.add(status)
            elif note not in notes[status]:
                notes[status].append(note)

        def decorator(func: Callable[..., Any]) -> Callable[..., Any]:
            for status, texts in notes.items():
                codes = problem_codes(status, texts)
                if status in bare and texts:
                    codes += [c for c in problem_codes(status, []) if c not in codes]
                title = problem_doc(status)["description"]
                note = "；".join(texts) or "、".join(codes)
                func = self.alt_response(
                    status,
                    schema=ProblemSchema,
                    content_type=PROBLEM_MEDIA_TYPE,
                    description=f"{title}（{note}）",
                    example=problem_example(status, codes[0]),
                )(func)
                # flask-smorest keeps a documented response's other keys (x- extensions).
                vars(func)["_apidoc"]["response"]["responses"][status][-1][CODES_KEY] = codes
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


def problem_codes(status: int, notes: list[str]) -> list[str]:
    """The codes ``notes`` name, in order; the status's usual codes when they name none."""
    named = [code for note in notes for code in CODE_IN_NOTE.findall(note)]
    if named:
        return list(dict.fromkeys(named))
    return list(DEFAULT_CODES.get(status, (HTTP_DEFAULTS.get(status, ("HTTP_ERROR", ""))[0],)))


def problem_example(status: int, code: str) -> dict[str, Any]:
    """A problem body as the API sends it, with ``code``."""
    title = HTTP_DEFAULTS.get(status, ("HTTP_ERROR", "请求无法处理"))[1]
    errors = {"field.path": ["此项为必填项"]} if status == 422 else {}
    return {
        "type": problem_type(code),
        "title": title,
        "status": status,
        "detail": "field.path：此项为必填项" if errors else title,
        "code": code,
        "errors": errors,
    }


# What the request guards (app/request_guards.py), the login check and the idempotency and
# version headers answer on any operation they apply to: documented on each by
# ``document_common_problems``, so a view lists only the problems of its own.
Problems = dict[int, tuple[str, ...]]
ANY_REQUEST: Problems = {422: ("TEXT_INVALID", "INTEGER_OUT_OF_RANGE")}
PATH_IDS: Problems = {404: ("NOT_FOUND",)}
ANY_BODY: Problems = {
    413: ("PAYLOAD_TOO_LARGE",),
    415: ("UNSUPPORTED_MEDIA_TYPE",),
    422: ("TEXT_INVALID", "INTEGER_OUT_OF_RANGE"),
}
JSON_REQUEST: Problems = {
    400: ("MALFORMED_JSON",),
    422: ("VALIDATION_FAILED", "NUMBER_INVALID", "JSON_TOO_DEEP"),
}
BY_HEADER: dict[str, Problems] = {
    "IdempotencyKey": {
        409: ("IDEMPOTENCY_IN_PROGRESS",),
        422: ("IDEMPOTENCY_KEY_INVALID", "IDEMPOTENCY_KEY_REUSED"),
    },
    "IfMatch": {409: ("VERSION_CONFLICT",), 422: ("VERSION_REQUIRED", "VERSION_INVALID")},
}


def document_common_problems(spec: APISpec) -> None:
    """Add to every operation the problems it answers before (or besides) its view."""
    for path, item in spec._paths.items():
        for method, operation in item.items():
            if method not in ("get", "head", "options", "put", "post", "patch", "delete"):
                continue
            common: list[Problems] = [ANY_REQUEST]
            if "{" in path:
                common.append(PATH_IDS)
            for name in re.findall(r"{(\w+)_id}", path):  # {licence_id}: LICENCE_NOT_FOUND
                common.append({404: (f"{name.upper()}_NOT_FOUND",)})
            if method in ("put", "post", "patch"):
                common.append(ANY_BODY)
            if "application/json" in operation.get("requestBody", {}).get("content", {}):
                common.append(JSON_REQUEST)
            if operation.get("security"):
                common.append({401: DEFAULT_CODES[401]})
            for parameter in operation.get("parameters", []):
                name = parameter.get("$ref", "").rsplit("/", 1)[-1]
                common.append(BY_HEADER.get(name, {}))
            merged: dict[int, list[str]] = {}
            for problems in common:
                for status, codes in problems.items():
                    listed = merged.setdefault(status, [])
                    listed.extend(code for code in codes if code not in listed)
            for status, listed in merged.items():
                _add_codes(operation.setdefault("responses", {}), status, listed)


def _add_codes(responses: dict[str, Any], status: int, codes: list[str]) -> None:
    """List ``codes`` on the problem response for ``status``, creating it if needed."""
    key = str(status)
    response = responses.get(key) or responses.get(status)  # type: ignore[call-overload]
    if response is None:
        title = problem_doc(status)["description"]
        response = responses[key] = {
            "description": f"{title}（{'、'.join(codes)}）",
            CODES_KEY: [],
            "content": {
                PROBLEM_MEDIA_TYPE: {
                    "schema": {"$ref": "#/components/schemas/Problem"},
                    "example": problem_example(status, codes[0]),
                }
            },
        }
    listed = response.setdefault(CODES_KEY, [])
    new = [code for code in codes if code not in listed]
    if new and listed:
        response["description"] = f"{response['description']}（另：{'、'.join(new)}）"
    listed.extend(new)


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
    for name, schema in DATA_SCHEMAS.items():  # the integration events' data
        spec.components.schema(name, component=schema)
