"""Request ids, one structured access-log line per request, and logs free of personal data.

Each request gets an id (a sane ``X-Request-ID`` from the proxy, else a fresh one),
echoed in the response. After the response, one JSON line is logged on
``zerovisit.access``: request id, user id, method, route template (not the path, which
may carry numbers), status and duration — never bodies, query strings or SQL parameters.
The engine is created with ``hide_parameters`` (see ``app.config``) so an unhandled
database error logs its statement without the values (phones, ID numbers); as a second
line of defence every log message has phone and ID numbers masked.
"""

from __future__ import annotations

import json
import logging
import re
import time
import uuid

from flask import Flask, Response, g, request

access_log = logging.getLogger("zerovisit.access")

REQUEST_ID_HEADER = "X-Request-ID"
_SANE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
USER_ID_KEY = "zerovisit.user_id"

# Mainland mobile numbers and 18-character resident ID numbers, not inside longer digit runs.
_PERSONAL_NUMBERS = re.compile(r"(?<![0-9A-Za-z])(1[3-9]\d{9}|\d{17}[\dXx])(?![0-9A-Za-z])")


def redact(text: str) -> str:
    """Mask phone and ID numbers: keep the first 3 and last 2 characters."""
    return _PERSONAL_NUMBERS.sub(lambda m: m.group(1)[:3] + "***" + m.group(1)[-2:], text)


class RedactingLogRecord(logging.LogRecord):
    """A log record whose rendered message never shows a phone or ID number."""

    def getMessage(self) -> str:
        return redact(super().getMessage())


def _start() -> None:
    offered = request.headers.get(REQUEST_ID_HEADER, "")
    g.request_id = offered if _SANE_REQUEST_ID.match(offered) else uuid.uuid4().hex
    g.request_started = time.perf_counter()


def _finish(response: Response) -> Response:
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    request_id = g.get("request_id") or uuid.uuid4().hex  # refused before _start ran
    response.headers[REQUEST_ID_HEADER] = request_id
    started = g.get("request_started", time.perf_counter())
    rule = request.url_rule.rule if request.url_rule is not None else None
    access_log.info(
        json.dumps(
            {
                "request_id": request_id,
                "user_id": request.environ.get(USER_ID_KEY),
                "method": request.method,
                "route": rule,
                "status": response.status_code,
                "duration_ms": round((time.perf_counter() - started) * 1000, 1),
            },
            ensure_ascii=False,
        )
    )
    return response


def init_app(app: Flask) -> None:
    logging.setLogRecordFactory(RedactingLogRecord)
    app.before_request(_start)
    app.after_request(_finish)


def request_origin() -> tuple[str, str]:
    """The route and request id of this request, for the records that name where a read
    came from (查询留痕)."""
    return request.path, g.get("request_id") or uuid.uuid4().hex
