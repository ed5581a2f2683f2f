"""Column types that seal personal data on the way into the database and open it on the way
out (app/crypto.py), so no ID number, phone or delivery address is ever written in clear.

The app's keyring lives in ``current_app.extensions``: every statement runs inside an app
context (requests, the CLI, the worker, migrations). Only the named fields of a JSON
document are sealed; the rest of the document stays queryable as before.
"""

from __future__ import annotations

import copy
from typing import Any

from flask import current_app
from sqlalchemy import JSON, Text, TypeDecorator
from sqlalchemy.dialects.postgresql import JSONB

from app.config import ConfigError
from app.crypto import Keyring, is_sealed

KEYRING = "zerovisit.pii_keyring"

Path = tuple[str, ...]


def keyring() -> Keyring:
    return current_app.extensions[KEYRING]


def install_keyring(app: Any) -> None:
    """Build the app's keyring; refuse to start when the cipher does not work here (an
    OpenSSL without SM4-GCM), instead of failing at the first personal value."""
    config = app.config
    ring = Keyring(config["PII_KEY"], config.get("PII_PREVIOUS_KEYS") or (), config["PII_CIPHER"])
    try:
        ring.open(ring.seal("self-test", "self-test"), "self-test")
    except Exception as exc:
        raise ConfigError(
            f"PII_CIPHER={ring.cipher} does not work with this cryptography/OpenSSL build: {exc}"
        ) from exc
    app.extensions[KEYRING] = ring
    app.teardown_appcontext(lambda _exc: ring.forget())


def _apply(document: dict, path: Path, change: Any) -> None:
    """Replace the string at ``path`` (if any) with ``change(value, dotted path)``."""
    node: Any = document
    for key in path[:-1]:
        node = node.get(key) if isinstance(node, dict) else None
        if not isinstance(node, dict):
            return
    value = node.get(path[-1])
    if isinstance(value, str) and value:
        node[path[-1]] = change(value, ".".join(path))


class SealedJSON(TypeDecorator):
    """A JSON document whose fields at ``paths`` are stored sealed."""

    impl = JSON
    cache_ok = True

    def __init__(self, context: str, paths: tuple[Path, ...]):
        super().__init__()
        self.context = context
        self.paths = paths

    def load_dialect_impl(self, dialect):
        if dialect.name == "postgresql":
            return dialect.type_descriptor(JSONB())
        return dialect.type_descriptor(JSON())

    def seal(self, value: Any, ring: Keyring) -> Any:
        if not isinstance(value, dict):
            return value
        sealed = copy.deepcopy(value)
        for path in self.paths:
            _apply(
                sealed,
                path,
                lambda v, where: v if is_sealed(v) else ring.seal(v, f"{self.context}:{where}"),
            )
        return sealed

    def open(self, value: Any, ring: Keyring) -> Any:
        if not isinstance(value, dict):
            return value
        return self._open_fields(copy.deepcopy(value), ring)

    def _open_fields(self, document: dict, ring: Keyring) -> dict:
        """Open the sealed fields of ``document`` where they lie."""
        for path in self.paths:
            _apply(
                document,
                path,
                lambda v, where: ring.open(v, f"{self.context}:{where}") if is_sealed(v) else v,
            )
        return document

    def tokens(self, value: Any) -> list[str]:
        """The stored values at ``paths`` (sealed or, before the migration, in clear)."""
        found: list[str] = []

        def collect(stored: str, _where: str) -> str:
            found.append(stored)
            return stored

        if isinstance(value, dict):
            for path in self.paths:
                _apply(value, path, collect)
        return found

    def process_bind_param(self, value: Any, dialect) -> Any:
        return self.seal(value, keyring())

    def process_result_value(self, value: Any, dialect) -> Any:
        # The driver's own fresh document, which nothing else holds: opened without a copy
        # (a joined eager load hands every row's copy of the case's form here).
        return self._open_fields(value, keyring()) if isinstance(value, dict) else value


class SealedText(TypeDecorator):
    """One personal value (a phone number) stored sealed."""

    impl = Text
    cache_ok = True

    def __init__(self, context: str):
        super().__init__()
        self.context = context

    def seal(self, value: Any, ring: Keyring) -> Any:
        if not isinstance(value, str) or not value or is_sealed(value):
            return value
        return ring.seal(value, self.context)

    def open(self, value: Any, ring: Keyring) -> Any:
        return ring.open(value, self.context) if is_sealed(value) else value

    def tokens(self, value: Any) -> list[str]:
        return [value] if isinstance(value, str) and value else []

    def process_bind_param(self, value: Any, dialect) -> Any:
        return self.seal(value, keyring())

    def process_result_value(self, value: Any, dialect) -> Any:
        return self.open(value, keyring())


# What is sealed where. The rotation (app/services/pii_keys.py) and the migration that first
# sealed the existing rows walk this list.
APPLICATION_FORM = SealedJSON(
    "applications.form", (("worker_id_number",), ("worker_phone",), ("principal_phone",))
)
APPLICATION_DELIVERY = SealedJSON("applications.delivery", (("phone",), ("address",)))
# The form as it stood at a submission (what ``GET …/changes`` compares with).
CASE_SNAPSHOT_FORM = SealedJSON("case_snapshots.form", (("worker_id_number",), ("worker_phone",)))
LICENCE_HOLDER = SealedJSON(
    "licences.holder",
    (
        ("id_number",),
        ("form", "worker_id_number"),
        ("form", "worker_phone"),
        ("form", "principal_phone"),
    ),
)
# A retried write's stored first response: an applicant's own case view carries the delivery
# phone and address in full.
IDEMPOTENT_RESPONSE = SealedJSON(
    "idempotency_records.body", (("delivery", "phone"), ("delivery", "address"))
)
VERIFIED_PHONE = SealedText("verified_phones.phone")
ENTERPRISE_PHONE = SealedText("enterprises.contact_phone")
TOTP_SECRET = SealedText("users.totp_secret")
TOTP_PENDING = SealedText("users.totp_pending")

SEALED_COLUMNS: tuple[tuple[str, str, SealedJSON | SealedText], ...] = (
    ("applications", "form", APPLICATION_FORM),
    ("applications", "delivery", APPLICATION_DELIVERY),
    ("case_snapshots", "form", CASE_SNAPSHOT_FORM),
    ("licences", "holder", LICENCE_HOLDER),
    ("idempotency_records", "body", IDEMPOTENT_RESPONSE),
    ("verified_phones", "phone", VERIFIED_PHONE),
    ("enterprises", "contact_phone", ENTERPRISE_PHONE),
    ("users", "totp_secret", TOTP_SECRET),
    ("users", "totp_pending", TOTP_PENDING),
)
