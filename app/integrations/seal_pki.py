"""The SM2 PKI of the electronic seal: files, the development PKI, and the loaded signer.

Four files make a signer: the signer's SM2 key and certificate, the ``SESeal`` the seal maker
made (naming the signer's certificate among its users) and the SM2 root certificate both the
signer's and the seal maker's certificates chain to. Production names them in
``SM2_SIGNING_KEY_PATH``, ``SM2_SIGNING_CERT_PATH``, ``SM2_SEAL_PATH``, ``SM2_CA_PATH``;
development generates them once (root, seal maker, signer, seal) beside the RSA/ECDSA PKI.
:func:`load_seal_signer` checks that they belong together and says in Chinese, naming the
setting, what is wrong — production refuses to start with that message.
"""

from __future__ import annotations

import dataclasses
import functools
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TypeVar

from asn1crypto import x509

from app.files import write_atomically
from app.integrations import ses, sm2
from app.integrations.signer import exclusive_lock
from pdf_templates.seal_picture import seal_png

_ROOT_DAYS = 365 * 20 + 5
_MAKER_DAYS = 365 * 10 + 2
_SIGNER_DAYS = 365 * 5 + 1
_SEAL_MM = 42
_CLOCK_SKEW = timedelta(minutes=5)
T = TypeVar("T")


@dataclasses.dataclass(frozen=True)
class SealPaths:
    """The four files a seal signer needs (see the module docstring)."""

    signing_key: Path
    signing_cert: Path
    seal: Path
    ca: Path

    def named(self) -> tuple[tuple[str, Path], ...]:
        return (
            ("SM2_SIGNING_KEY_PATH", self.signing_key),
            ("SM2_SIGNING_CERT_PATH", self.signing_cert),
            ("SM2_SEAL_PATH", self.seal),
            ("SM2_CA_PATH", self.ca),
        )


@dataclasses.dataclass(frozen=True)
class SealSigner:
    """A checked signer: its key and certificate, the seal and the root certificate."""

    key: sm2.Sm2Key
    certificate: x509.Certificate
    seal: ses.ParsedSeal
    ca: x509.Certificate

    @functools.cached_property
    def _constant_digests(self) -> tuple[tuple[bytes, bytes], ...]:
        return tuple((data, sm2.sm3(data)) for data in (self.seal.der, self.seal.picture.png))

    def file_digest(self, data: bytes) -> bytes:
        """SM3 of a file to be sealed; the seal file and its picture, the same in every
        package, are digested once (recognised by identity: equal bytes elsewhere are hashed)."""
        for constant, digest in self._constant_digests:
            if data is constant:
                return digest
        return sm2.sm3(data)

    def sign(self, data: bytes, when: datetime, property_info: str) -> bytes:
        """The DER ``SES_Signature`` of ``data`` (see :func:`ses.sign`)."""
        return ses.sign(
            data,
            seal_der=self.seal.der,
            signer_key=self.key,
            signer=self.certificate,
            when=when,
            property_info=property_info,
        )


class SealConfigError(RuntimeError):
    """The SM2 files cannot make a signer; the message names the setting and the reason."""


def load_seal_signer(paths: SealPaths) -> SealSigner:
    """The signer of ``paths`` after checking that the four files belong together."""
    contents = {}
    for setting, path in paths.named():
        try:
            contents[setting] = Path(path).read_bytes()
        except OSError as error:
            raise SealConfigError(
                f"{setting}：无法读取文件 {path}（{error.strerror}）。"
            ) from error
    try:
        key = _checked("SM2_SIGNING_KEY_PATH", sm2.load_private_key, contents)
        certificate = _checked("SM2_SIGNING_CERT_PATH", sm2.load_certificate, contents)
        seal = _checked("SM2_SEAL_PATH", ses.parse_seal, contents)
        ca = _checked("SM2_CA_PATH", sm2.load_certificate, contents)
        public = sm2.certificate_public_key(certificate)
    except sm2.Sm2Error as error:
        raise SealConfigError(f"SM2_SIGNING_CERT_PATH：{error}") from error
    problems = [
        ("SM2_SIGNING_KEY_PATH", "签章私钥与文件中的公钥不匹配", not _key_pair_signs(key)),
        ("SM2_SIGNING_CERT_PATH", "签章证书与签章私钥不匹配", public != key.public),
        ("SM2_SIGNING_CERT_PATH", "签章证书不是由 SM2 根证书签发的", not _issued(certificate, ca)),
        ("SM2_SEAL_PATH", "制章者证书不是由 SM2 根证书签发的", not _issued(seal.maker, ca)),
        ("SM2_SEAL_PATH", "电子印章的制章者签名无效", not ses.seal_maker_signature_valid(seal.der)),
        ("SM2_SEAL_PATH", "电子印章未将签章证书列为可用证书", certificate.dump() not in seal.users),
    ]
    for setting, problem, failed in problems:
        if failed:
            raise SealConfigError(f"{setting}：{problem}。")
    return SealSigner(key=key, certificate=certificate, seal=seal, ca=ca)


def _checked(setting: str, parse: Callable[[bytes], T], contents: dict[str, bytes]) -> T:
    try:
        return parse(contents[setting])
    except sm2.Sm2Error as error:
        raise SealConfigError(f"{setting}：{error}") from error


def _key_pair_signs(key: sm2.Sm2Key) -> bool:
    """Whether the private key's signatures verify under the public point the file carries.

    Signing hashes the public point into ``Z_A`` without deriving it from the private key,
    so a file whose two halves disagree would seal every licence with a signature that fails.
    """
    probe = b"Zerovisit SM2 key check"
    return sm2.verify(key.public, probe, key.sign(probe))


def _issued(certificate: x509.Certificate, ca: x509.Certificate) -> bool:
    try:
        return sm2.issued_by(certificate, ca)
    except sm2.Sm2Error:
        return False


# --- development PKI ------------------------------------------------------------------------


def ensure_dev_seal_pki(directory: Path, authority_name: str, font_path: str | None) -> SealPaths:
    """The development SM2 PKI in ``directory``, generated on first use, reused afterwards.

    A root, a seal maker and a signer (keys 0600), and the seal the seal maker made for the
    signer with a picture of ``authority_name``'s seal. A lock serialises first calls.
    """
    directory.mkdir(parents=True, exist_ok=True)
    paths = SealPaths(
        signing_key=directory / "signer-key.pem",
        signing_cert=directory / "signer.pem",
        seal=directory / "seal.esl",
        ca=directory / "sm2-ca.pem",
    )
    if all(path.is_file() for _, path in paths.named()):
        return paths
    with exclusive_lock(directory / ".pki.lock"):
        if all(path.is_file() for _, path in paths.named()):
            return paths
        _generate(paths, directory, authority_name, font_path)
    return paths


def _generate(paths: SealPaths, directory: Path, authority: str, font_path: str | None) -> None:
    now = datetime.now(UTC).replace(microsecond=0) - _CLOCK_SKEW
    root_key, maker_key, signer_key = (sm2.Sm2Key.generate() for _ in range(3))
    root = sm2.issue_certificate(
        sm2.CertificateRequest(
            sm2.name(authority, f"{authority}电子印章根证书（开发测试用）"),
            root_key.public,
            now,
            _ROOT_DAYS,
            is_ca=True,
        ),
        root_key,
        None,
    )
    maker = sm2.issue_certificate(
        sm2.CertificateRequest(
            sm2.name(authority, f"{authority}制章者"), maker_key.public, now, _MAKER_DAYS
        ),
        root_key,
        root,
    )
    signer = sm2.issue_certificate(
        sm2.CertificateRequest(
            sm2.name(authority, authority), signer_key.public, now, _SIGNER_DAYS
        ),
        root_key,
        root,
    )
    seal = ses.make_seal(
        ses.SealSpec(
            es_id=uuid.uuid4().hex.upper(),
            name=f"{authority}电子证照专用章",
            picture=ses.SealPicture(seal_png(authority, font_path), _SEAL_MM, _SEAL_MM),
            valid_start=now,
            valid_end=now + timedelta(days=_SIGNER_DAYS),
            created=now,
        ),
        [signer],
        maker_key,
        maker,
    )
    write_atomically(directory / "sm2-ca-key.pem", root_key.pem(), mode=0o600)
    write_atomically(directory / "seal-maker-key.pem", maker_key.pem(), mode=0o600)
    write_atomically(directory / "seal-maker.pem", sm2.certificate_pem(maker), mode=0o644)
    write_atomically(paths.signing_key, signer_key.pem(), mode=0o600)
    write_atomically(paths.signing_cert, sm2.certificate_pem(signer), mode=0o644)
    write_atomically(paths.seal, seal, mode=0o644)
    write_atomically(paths.ca, sm2.certificate_pem(root), mode=0o644)
