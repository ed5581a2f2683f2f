"""Signing and sending one webhook by the Standard Webhooks specification (v1, HMAC-SHA256).

The secret is ``whsec_<base64 key>``; the signature covers ``"{id}.{timestamp}.{body}"``
and is sent as ``webhook-signature: v1,<base64>``, beside ``webhook-id`` and
``webhook-timestamp`` (Unix seconds). Receivers verify with any Standard Webhooks library;
the tests do so with the reference ``standardwebhooks`` package, not with this code.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass

import requests

SECRET_PREFIX = "whsec_"  # noqa: S105 (the spec's prefix, not a secret)
CONTENT_TYPE = "application/cloudevents+json; charset=utf-8"  # CloudEvents structured mode


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(24)).decode("ascii")


def signature(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    key = base64.b64decode(secret.removeprefix(SECRET_PREFIX))
    signed = f"{msg_id}.{timestamp}.".encode() + body
    digest = hmac.new(key, signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode("ascii")


@dataclass(frozen=True)
class Attempt:
    status_code: int | None
    error: str
    duration_ms: int

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def send(url: str, secret: str, msg_id: str, body: bytes, timeout: float) -> Attempt:
    """POST ``body`` signed; the outcome, never an exception (a refused connection is one)."""
    timestamp = int(time.time())  # the receiver checks it against its own clock
    headers = {
        "Content-Type": CONTENT_TYPE,
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature(secret, msg_id, timestamp, body),
        "User-Agent": "Zerovisit-Webhooks/1",
    }
    started = time.perf_counter()
    try:
        response = requests.post(
            url, data=body, headers=headers, timeout=timeout, allow_redirects=False
        )
    except requests.RequestException as exc:
        elapsed = int((time.perf_counter() - started) * 1000)
        return Attempt(None, f"{type(exc).__name__}: {exc}"[:500], elapsed)
    elapsed = int((time.perf_counter() - started) * 1000)
    error = "" if 200 <= response.status_code < 300 else f"HTTP {response.status_code}"
    return Attempt(response.status_code, error, elapsed)
