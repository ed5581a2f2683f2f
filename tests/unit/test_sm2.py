"""SM2 signatures made from a key's precomputed ``Z_A`` verify where ``Z_A`` is derived anew."""

from __future__ import annotations

import gmssl_pyx
import pytest

from app.integrations import sm2
from tests.ofd_openssl import DISTID, openssl, openssl_has_sm2

MESSAGES = [b"", b"abc", bytes(range(256)) * 200]


@pytest.mark.parametrize("message", MESSAGES, ids=["empty", "short", "51200 bytes"])
def test_gmssl_verifies_with_the_user_id_and_refuses_a_change(message):
    key = sm2.Sm2Key.generate()
    signature = key.sign(message)
    # GmSSL's own verification hashes the id and the public key into Z_A itself.
    assert gmssl_pyx.sm2_verify(key.public, message, signature, sm2.DEFAULT_USER_ID)
    assert not sm2.verify(key.public, message + b"!", signature)
    assert not gmssl_pyx.sm2_verify(key.public, message, signature, b"another user id!")


@pytest.mark.skipif(not openssl_has_sm2(), reason="openssl with SM2/SM3 is not installed here")
def test_openssl_verifies_with_the_default_distinguishing_id(tmp_path):
    key = sm2.Sm2Key.generate()
    message = "电子证照 SM2 签名".encode()
    (tmp_path / "key.pem").write_bytes(key.pem())
    (tmp_path / "message").write_bytes(message)
    (tmp_path / "signature").write_bytes(key.sign(message))
    public = openssl("pkey", "-in", str(tmp_path / "key.pem"), "-pubout")
    assert public.returncode == 0, public.stderr
    (tmp_path / "public.pem").write_bytes(public.stdout)
    args = ["-verify", str(tmp_path / "public.pem"), "-sigopt", DISTID]
    result = openssl(
        "dgst", "-sm3", *args, "-signature", str(tmp_path / "signature"), str(tmp_path / "message")
    )
    assert result.returncode == 0, result.stdout + result.stderr
