"""Field encryption of personal data and the keyed digests built on the national algorithms.

GB/T 39786-2021 §8.4 asks for the confidentiality of important data at rest with approved
algorithms. Each personal value is sealed on its own with authenticated encryption:
SM4-GCM by default (``cryptography`` 50 runs SM4 in GCM mode through OpenSSL 3), AES-256-GCM
when ``PII_CIPHER=aes-256-gcm``. A sealed value reads ``pii1.<cipher>.<key id>.<base64>``
(nonce, ciphertext and tag), so the key that opens it is named beside it and keys can be
rotated row by row. The field's name is the associated data: a value moved into another
field does not open.

``PII_KEY`` is a secret string; the encryption key, the blind-index key and the key id are
derived from it with HMAC-SM3 under distinct labels, so one secret serves all three.
A blind index is HMAC-SM3 of the normalised value: equal values give equal indexes, and
without the key nobody can test a guess (an ID number has little entropy).
"""

from __future__ import annotations

import base64
import functools
import hmac as std_hmac
import os
from collections.abc import Iterable

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, hmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

PREFIX = "pii1"
CIPHERS = ("sm4-gcm", "aes-256-gcm")
NONCE_BYTES = 12
TAG_BYTES = 16
OPENED_CACHE = 4096  # opened tokens a keyring remembers until ``forget`` (see ``Keyring.open``)


class SealError(ValueError):
    """A sealed value that no configured key opens, or that was altered."""


def hmac_sm3(key: bytes, message: bytes) -> bytes:
    mac = hmac.HMAC(key, hashes.SM3())
    mac.update(message)
    return mac.finalize()


def _sm4_gcm_seal(key: bytes, nonce: bytes, data: bytes, aad: bytes) -> bytes:
    encryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce)).encryptor()
    encryptor.authenticate_additional_data(aad)
    return encryptor.update(data) + encryptor.finalize() + encryptor.tag


def _sm4_gcm_open(key: bytes, nonce: bytes, sealed: bytes, aad: bytes) -> bytes:
    body, tag = sealed[:-TAG_BYTES], sealed[-TAG_BYTES:]
    decryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce, tag)).decryptor()
    decryptor.authenticate_additional_data(aad)
    return decryptor.update(body) + decryptor.finalize()


class DataKey:
    """One ``PII_KEY`` and the keys derived from it (once: a rotation seals many values)."""

    def __init__(self, secret: str):
        root = secret.encode("utf-8")
        self.key_id = hmac_sm3(root, b"zerovisit/pii/key-id").hex()[:8]
        derived = hmac_sm3(root, b"zerovisit/pii/encrypt")
        self._cipher_keys = {"sm4-gcm": derived[:16], "aes-256-gcm": derived}
        self._index_key = hmac_sm3(root, b"zerovisit/pii/blind-index")

    def cipher_key(self, cipher: str) -> bytes:
        return self._cipher_keys[cipher]

    def index_key(self) -> bytes:
        return self._index_key


class Keyring:
    """The current key (seals) and the previous ones (still open what they sealed)."""

    def __init__(self, current: str, previous: Iterable[str] = (), cipher: str = "sm4-gcm"):
        if cipher not in CIPHERS:
            raise ValueError(f"PII_CIPHER must be one of {', '.join(CIPHERS)}, not {cipher!r}")
        self.cipher = cipher
        self.current = DataKey(current)
        self.keys = {self.current.key_id: self.current}
        for secret in previous:
            key = DataKey(secret)
            self.keys.setdefault(key.key_id, key)
        self._opened = functools.lru_cache(maxsize=OPENED_CACHE)(self._open)

    def seal(self, plaintext: str, context: str) -> str:
        nonce = os.urandom(NONCE_BYTES)
        key = self.current.cipher_key(self.cipher)
        data, aad = plaintext.encode("utf-8"), context.encode("utf-8")
        if self.cipher == "sm4-gcm":
            sealed = _sm4_gcm_seal(key, nonce, data, aad)
        else:
            sealed = AESGCM(key).encrypt(nonce, data, aad)
        body = base64.b64encode(nonce + sealed).decode("ascii")
        return f"{PREFIX}.{self.cipher}.{self.current.key_id}.{body}"

    def open(self, token: str, context: str) -> str:
        """The plaintext of ``token`` sealed for ``context`` (``SealError`` if it does not open).

        Remembered until ``forget`` (at most ``OPENED_CACHE`` tokens): a joined eager load
        hands the same token once per joined row (the case's form and delivery, once per
        document). The app forgets at the end of every app context (each request, CLI command
        and job), so no plaintext outlives the work that opened it (GB/T 22239 level 3,
        residual information protection).
        """
        return self._opened(token, context)

    def forget(self) -> None:
        """Drop every remembered plaintext."""
        self._opened.cache_clear()

    def _open(self, token: str, context: str) -> str:
        try:
            prefix, cipher, key_id, body = token.split(".", 3)
            raw = base64.b64decode(body, validate=True)
        except ValueError as exc:
            raise SealError("not a sealed value") from exc
        key = self.keys.get(key_id)
        if prefix != PREFIX or cipher not in CIPHERS or key is None:
            raise SealError(f"no configured key opens key id {key_id!r}")
        nonce, sealed, aad = raw[:NONCE_BYTES], raw[NONCE_BYTES:], context.encode("utf-8")
        try:
            if cipher == "sm4-gcm":
                data = _sm4_gcm_open(key.cipher_key(cipher), nonce, sealed, aad)
            else:
                data = AESGCM(key.cipher_key(cipher)).decrypt(nonce, sealed, aad)
        except InvalidTag as exc:
            raise SealError("the sealed value was altered or belongs to another field") from exc
        return data.decode("utf-8")

    def is_current(self, token: str) -> bool:
        """Sealed by the current key with the configured cipher (nothing to rotate)."""
        return token.startswith(f"{PREFIX}.{self.cipher}.{self.current.key_id}.")

    def blind_index(self, value: str) -> str:
        return hmac_sm3(self.current.index_key(), value.encode("utf-8")).hex()

    def blind_indexes(self, value: str) -> list[str]:
        """The value's index under every configured key: a lookup during a rotation finds
        rows indexed under the old key as well as the new."""
        return [hmac_sm3(k.index_key(), value.encode("utf-8")).hex() for k in self.keys.values()]


def is_sealed(value: object) -> bool:
    return isinstance(value, str) and value.startswith(PREFIX + ".")


def audit_mac(key: str, message: bytes) -> str:
    """The audit chain's keyed digest: HMAC-SM3 under ``AUDIT_KEY`` (hex)."""
    return hmac_sm3(key.encode("utf-8"), message).hex()


def same_digest(a: str, b: str) -> bool:
    return std_hmac.compare_digest(a.encode("ascii", "replace"), b.encode("ascii", "replace"))
