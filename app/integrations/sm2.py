"""SM2 keys and X.509 certificates, SM3 digests: the national algorithms of the electronic seal.

Building blocks, chosen for what each does well:

- **gmssl-pyx** (GmSSL 3 in C) signs and verifies SM2 (GB/T 32918), where the pure-Python
  gmalg takes tens of ms. A key signs the digest ``e = SM3(Z_A ‖ M)`` itself (about 0.5 ms):
  ``Z_A``, which hashes the curve, the distinguishing id and the public key, is the same for
  every signature of a key and is computed once; gmssl-pyx's ``sm2_sign``, which derives it
  per call, takes about 3.5 ms;
- **cryptography** computes SM3 (GB/T 32905) through OpenSSL; it has no SM2;
- **asn1crypto** encodes keys and certificates as DER.

Every SM2 signature uses the default user id ``1234567812345678`` (GM/T 0009), which is what
``openssl … -sigopt distid:1234567812345678`` and ``openssl verify -vfyopt distid:…`` expect.
Pure Python on purpose (no Flask, no app modules).
"""

from __future__ import annotations

import base64
import dataclasses
import functools
import re
from datetime import datetime, timedelta

import gmssl_pyx
from asn1crypto import core, keys, pem, x509
from cryptography.hazmat.primitives import hashes

SM2_CURVE = "1.2.156.10197.1.301"
SM2_WITH_SM3 = "1.2.156.10197.1.501"
SM3_OID = "1.2.156.10197.1.401"
DEFAULT_USER_ID = b"1234567812345678"
# GB/T 32918.5 curve parameters a, b and the base point (x_G, y_G): they enter Z_A.
_CURVE_ABG = bytes.fromhex(
    "FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFC"
    "28E9FA9E9D9F5E344D5A9E4BCF6509A7F39789F515AB8F92DDBCBD414D940E93"
    "32C4AE2C1F1981195F9904466A39C9948FE30BBFF2660BE1715A4589334C74C7"
    "BC3736A2F4F6779C59BDCEE36B692153D0A9877CC62A474002DF32E52139F0A0"
)
_PEM_BLOCK = re.compile(rb"-----BEGIN ([A-Z ]+)-----")
# asn1crypto needs a curve's key length to encode a private key on it.
keys.NamedCurve.register("sm2p256v1", SM2_CURVE, 32)


class Sm2Error(ValueError):
    """A key, certificate or signature that is not usable SM2 material (Chinese message)."""


def sm3(*parts: bytes) -> bytes:
    """The SM3 digest of ``parts`` one after the other (32 bytes)."""
    digest = hashes.Hash(hashes.SM3())
    for part in parts:
        digest.update(part)
    return digest.finalize()


def user_hash(public: bytes, user_id: bytes = DEFAULT_USER_ID) -> bytes:
    """``Z_A`` of GB/T 32918.2 §5.5: SM3 of the id's bit length, the id, the curve and the key."""
    return sm3((8 * len(user_id)).to_bytes(2, "big"), user_id, _CURVE_ABG, public)


@dataclasses.dataclass(frozen=True)
class Sm2Key:
    """An SM2 key pair: the 32-byte private scalar and the 64-byte public point ``x‖y``."""

    private: bytes
    public: bytes

    @classmethod
    def generate(cls) -> Sm2Key:
        public, private = gmssl_pyx.sm2_key_generate()
        return cls(private=private, public=public)

    @functools.cached_property
    def user_hash(self) -> bytes:
        """``Z_A`` of this key with the default user id (see the module docstring)."""
        return user_hash(self.public)

    def sign(self, message: bytes) -> bytes:
        """The DER ``SEQUENCE {r, s}`` SM2 signature of ``message`` (SM3, default user id)."""
        return gmssl_pyx.sm2_sign_sm3_digest(self.private, sm3(self.user_hash, message))

    def pem(self) -> bytes:
        """The key as unencrypted PKCS #8 PEM (what ``openssl genpkey -algorithm SM2`` writes)."""
        ec_key = keys.ECPrivateKey(
            {
                "version": "ecPrivkeyVer1",
                "private_key": int.from_bytes(self.private, "big"),
                "public_key": keys.ECPointBitString(b"\x04" + self.public),
            }
        )
        info = keys.PrivateKeyInfo(
            {
                "version": 0,
                "private_key_algorithm": {"algorithm": "ec", "parameters": _curve()},
                "private_key": ec_key,
            }
        )
        return pem.armor("PRIVATE KEY", info.dump())


def _curve() -> keys.ECDomainParameters:
    return keys.ECDomainParameters(name="named", value=SM2_CURVE)


def verify(public: bytes, message: bytes, signature: bytes) -> bool:
    """Whether ``signature`` (DER) is ``public``'s SM2 signature of ``message``."""
    try:
        return bool(gmssl_pyx.sm2_verify(public, message, signature, DEFAULT_USER_ID))
    except gmssl_pyx.GmsslInnerError:
        return False


def load_private_key(data: bytes) -> Sm2Key:
    """An SM2 key from PEM or DER: PKCS #8 (``PRIVATE KEY``) or SEC 1 (``EC PRIVATE KEY``)."""
    try:
        der = _der(data)
        try:
            info = keys.PrivateKeyInfo.load(der)
            curve = info["private_key_algorithm"]["parameters"].chosen.dotted
            ec_key = info["private_key"].parsed
        except (ValueError, TypeError, KeyError):
            ec_key = keys.ECPrivateKey.load(der)
            curve = ec_key["parameters"].chosen.dotted
        private = ec_key["private_key"].contents.rjust(32, b"\x00")[-32:]
    except (ValueError, TypeError, KeyError, AttributeError) as error:
        raise Sm2Error("私钥文件无法读取：应为 PEM 或 DER 格式的 SM2 私钥。") from error
    if curve != SM2_CURVE:
        raise Sm2Error(f"私钥不是 SM2 私钥（曲线 {curve}，应为 {SM2_CURVE}）。")
    public = gmssl_pyx.sm2_utils.normalize_sm2_public_key(_public_point(ec_key, private))
    return Sm2Key(private=private, public=public)


def _public_point(ec_key: keys.ECPrivateKey, private: bytes) -> bytes:
    """The public point the key file carries; a file without one is refused."""
    point = ec_key["public_key"]
    if isinstance(point, core.Void):
        raise Sm2Error("私钥文件缺少公钥部分，请用 openssl genpkey -algorithm SM2 生成。")
    return bytes(point.native)


def _der(data: bytes) -> bytes:
    if _PEM_BLOCK.search(data):
        return pem.unarmor(data[_PEM_BLOCK.search(data).start() :])[2]  # type: ignore[union-attr]
    return data


# --- certificates ---------------------------------------------------------------------------


def load_certificate(data: bytes) -> x509.Certificate:
    """A certificate from PEM or DER; :class:`Sm2Error` for anything else."""
    try:
        certificate = x509.Certificate.load(_der(data))
        certificate.native  # noqa: B018 - parse every field now, not at first use
    except (ValueError, TypeError) as error:
        raise Sm2Error("证书文件无法读取：应为 PEM 或 DER 格式的 X.509 证书。") from error
    return certificate


def certificate_public_key(certificate: x509.Certificate) -> bytes:
    """The 64-byte SM2 public point of ``certificate``; :class:`Sm2Error` if it is not SM2."""
    algorithm = certificate.public_key["algorithm"]
    curve = algorithm["parameters"].chosen
    if algorithm["algorithm"].native != "ec" or getattr(curve, "dotted", None) != SM2_CURVE:
        raise Sm2Error("证书的公钥不是 SM2 公钥。")
    return bytes(certificate.public_key["public_key"].native)[1:]


def issued_by(certificate: x509.Certificate, issuer: x509.Certificate) -> bool:
    """Whether ``issuer``'s key signed ``certificate`` (SM2 with SM3)."""
    if certificate["signature_algorithm"]["algorithm"].dotted != SM2_WITH_SM3:
        return False
    return verify(
        certificate_public_key(issuer),
        certificate["tbs_certificate"].dump(),
        certificate["signature_value"].native,
    )


def certificate_pem(certificate: x509.Certificate) -> bytes:
    return pem.armor("CERTIFICATE", certificate.dump())


def name(organisation: str, common_name: str) -> x509.Name:
    return x509.Name.build(
        {
            "country_name": "CN",
            "organization_name": organisation,
            "organizational_unit_name": "电子印章",
            "common_name": common_name,
        },
        use_printable=False,
    )


@dataclasses.dataclass(frozen=True)
class CertificateRequest:
    """What a new certificate says: who, for how long, and what the key may do."""

    subject: x509.Name
    public: bytes
    not_before: datetime
    days: int
    is_ca: bool = False


def issue_certificate(
    request: CertificateRequest, issuer_key: Sm2Key, issuer: x509.Certificate | None
) -> x509.Certificate:
    """A v3 certificate for ``request`` signed by ``issuer_key`` (self-signed when no issuer).

    A CA gets keyCertSign and cRLSign; an end entity digitalSignature and nonRepudiation.
    """
    subject_key_id = sm3(request.public)[:20]
    not_after = request.not_before + timedelta(days=request.days)
    if issuer is not None:
        not_after = min(not_after, issuer["tbs_certificate"]["validity"]["not_after"].native)
    usage = (
        {"key_cert_sign", "crl_sign"} if request.is_ca else {"digital_signature", "non_repudiation"}
    )
    extensions = [
        {"extn_id": "basic_constraints", "critical": True, "extn_value": {"ca": request.is_ca}},
        {"extn_id": "key_usage", "critical": True, "extn_value": usage},
        {"extn_id": "key_identifier", "critical": False, "extn_value": subject_key_id},
    ]
    if issuer is not None:
        extensions.append(
            {
                "extn_id": "authority_key_identifier",
                "critical": False,
                "extn_value": {"key_identifier": issuer.key_identifier},
            }
        )
    tbs = x509.TbsCertificate(
        {
            "version": "v3",
            "serial_number": int.from_bytes(gmssl_pyx.rand_bytes(16), "big") >> 1,
            "signature": {"algorithm": SM2_WITH_SM3},
            "issuer": issuer.subject if issuer is not None else request.subject,
            "validity": {
                "not_before": x509.Time(name="utc_time", value=request.not_before),
                "not_after": _time(not_after),
            },
            "subject": request.subject,
            "subject_public_key_info": {
                "algorithm": {"algorithm": "ec", "parameters": _curve()},
                "public_key": b"\x04" + request.public,
            },
            "extensions": extensions,
        }
    )
    return x509.Certificate(
        {
            "tbs_certificate": tbs,
            "signature_algorithm": {"algorithm": SM2_WITH_SM3},
            "signature_value": issuer_key.sign(tbs.dump()),
        }
    )


def _time(moment: datetime) -> x509.Time:
    """UTCTime up to 2049, GeneralizedTime after (RFC 5280 §4.1.2.5)."""
    return x509.Time(name="utc_time" if moment.year < 2050 else "general_time", value=moment)


def fingerprint(certificate: x509.Certificate) -> str:
    """A short printable id of a certificate (base64 of its SM3 digest, first 12 chars)."""
    return base64.b32encode(sm3(certificate.dump())).decode("ascii")[:12]
