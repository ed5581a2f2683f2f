"""Helpers of the API tests (the shared fixtures are in tests/conftest.py)."""

from __future__ import annotations

import hashlib
import hmac


def courier_signature(app, body: bytes) -> str:
    """The ``X-Signature`` header the courier sends for ``body``."""
    secret = app.config["COURIER_WEBHOOK_SECRET"].encode()
    return "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()
