"""Sealing personal values: SM4-GCM (RFC 8998 vector), AES-256-GCM, key ids, rotation keys,
tamper and context checks, the keyed blind index."""

from __future__ import annotations

import pytest

from app.crypto import Keyring, SealError, _sm4_gcm_seal, audit_mac, is_sealed

SECRET = "k" * 40
OTHER = "o" * 40


def test_sm4_gcm_matches_the_rfc_8998_vector():
    key = bytes.fromhex("0123456789ABCDEFFEDCBA9876543210")
    nonce = bytes.fromhex("00001234567800000000ABCD")
    aad = bytes.fromhex("FEEDFACEDEADBEEFFEEDFACEDEADBEEFABADDAD2")
    plaintext = bytes.fromhex(
        "AAAAAAAAAAAAAAAABBBBBBBBBBBBBBBBCCCCCCCCCCCCCCCCDDDDDDDDDDDDDDDD"
        "EEEEEEEEEEEEEEEEFFFFFFFFFFFFFFFFEEEEEEEEEEEEEEEEAAAAAAAAAAAAAAAA"
    )
    sealed = _sm4_gcm_seal(key, nonce, plaintext, aad)
    assert sealed[:-16].hex().upper() == (
        "17F399F08C67D5EE19D0DC9969C4BB7D5FD46FD3756489069157B282BB200735"
        "D82710CA5C22F0CCFA7CBF93D496AC15A56834CBCF98C397B4024A2691233B8D"
    )
    assert sealed[-16:].hex().upper() == "83DE3541E4C2B58177E065A9BF7B62EC"


@pytest.mark.parametrize("cipher", ["sm4-gcm", "aes-256-gcm"])
def test_a_value_round_trips_and_names_its_cipher_and_key(cipher):
    ring = Keyring(SECRET, cipher=cipher)
    token = ring.seal("120101199003151235", "applications.form:worker_id_number")
    assert is_sealed(token) and "1201011990" not in token
    assert token.startswith(f"pii1.{cipher}.{ring.current.key_id}.")
    assert ring.open(token, "applications.form:worker_id_number") == "120101199003151235"
    # Each sealing uses a fresh nonce: equal values do not look equal.
    assert token != ring.seal("120101199003151235", "applications.form:worker_id_number")


def test_a_value_moved_to_another_field_or_altered_does_not_open():
    ring = Keyring(SECRET)
    token = ring.seal("13912345678", "applications.delivery:phone")
    with pytest.raises(SealError):
        ring.open(token, "verified_phones.phone")
    prefix, body = token.rsplit(".", 1)
    flipped = body[:-4] + ("AAAA" if body[-4:] != "AAAA" else "BBBB")
    with pytest.raises(SealError):
        ring.open(f"{prefix}.{flipped}", "applications.delivery:phone")


def test_a_remembered_value_still_opens_only_in_its_own_field():
    ring = Keyring(SECRET)
    token = ring.seal("13912345678", "applications.delivery:phone")
    assert ring.open(token, "applications.delivery:phone") == "13912345678"  # remembered now
    assert ring.open(token, "applications.delivery:phone") == "13912345678"
    with pytest.raises(SealError):
        ring.open(token, "verified_phones.phone")


def test_previous_keys_open_what_they_sealed_and_only_the_current_one_seals():
    old, new = Keyring(OTHER), Keyring(SECRET, [OTHER])
    token = old.seal("天津市河西区友谊路88号", "applications.delivery:address")
    assert new.open(token, "applications.delivery:address") == "天津市河西区友谊路88号"
    assert not new.is_current(token) and new.is_current(new.seal("x", "c"))
    with pytest.raises(SealError, match="no configured key"):
        Keyring(SECRET).open(token, "applications.delivery:address")


def test_the_blind_index_is_keyed_and_covers_every_configured_key():
    ring = Keyring(SECRET, [OTHER])
    index = ring.blind_index("120101199003151235")
    assert index == Keyring(SECRET).blind_index("120101199003151235")
    assert index != Keyring(OTHER).blind_index("120101199003151235")
    assert set(ring.blind_indexes("120101199003151235")) == {
        index,
        Keyring(OTHER).blind_index("120101199003151235"),
    }


def test_an_unknown_cipher_is_refused():
    with pytest.raises(ValueError, match="PII_CIPHER"):
        Keyring(SECRET, cipher="des")


def test_the_audit_mac_depends_on_the_key():
    assert audit_mac("a" * 32, b"entry") != audit_mac("b" * 32, b"entry")
    assert len(audit_mac("a" * 32, b"entry")) == 64
