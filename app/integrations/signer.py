"""PAdES signatures on licence PDFs (pyHanko), the development PKI, and signature checks.

The issuing authority signs each licence with a signing certificate issued under its root
certificate; the root is published (``GET /api/v1/pki/ca.pem``) so anyone can validate a
licence in a PDF reader or with :func:`validate_signature`. The signature field is
invisible: the visible seal is part of the rendered page.

Pure Python on purpose (no Flask, no app modules): the application wires it up.

The development PKI uses ECDSA P-256: 128-bit security like RSA 3072, with keys that are
generated instantly (tests build several PKIs), small signatures, support in pyHanko and
current PDF readers, and the same elliptic-curve family as the SM2 certificates of the
national electronic-seal standard, should the office move to those.
"""

from __future__ import annotations

import contextlib
import fcntl
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from asn1crypto import cms
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from pyhanko.keys import load_certs_from_pemder_data
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from app.files import write_atomically

_ROOT_YEARS = 20
_SIGNING_YEARS = 5
_CLOCK_SKEW = timedelta(minutes=5)
_ROOT_CERT = "root-ca.pem"
_ROOT_KEY = "root-ca-key.pem"
_SIGNING_CERT = "signing-cert.pem"
_SIGNING_KEY = "signing-key.pem"
_LOCK = ".pki.lock"
# Room for the CMS signature (ECDSA P-256 or RSA 4096 with a chain of two): about 2–3 KB.
_SIGNATURE_BYTES = 8192
# id-kp-documentSigning (RFC 9336) says what the key is for; NSS-based readers (poppler's
# pdfsig, Evince, Okular, Firefox) accept a PDF signer only with emailProtection, so both.
_DOCUMENT_SIGNING = x509.ObjectIdentifier("1.3.6.1.5.5.7.3.36")
_SIGNING_USAGES = (ExtendedKeyUsageOID.EMAIL_PROTECTION, _DOCUMENT_SIGNING)


class SignerError(RuntimeError):
    """The signing key or certificates cannot be used."""


@dataclass(frozen=True)
class PkiPaths:
    """Where the root certificate and the signing certificate and key live."""

    root_cert: Path
    signing_cert: Path
    signing_key: Path


@dataclass(frozen=True)
class SignatureCheck:
    """Outcome of validating a PDF's signature against one trusted root.

    ``intact``: the signed bytes are unchanged. ``valid``: intact, cryptographically sound,
    chained to the given root, and nothing disallowed was appended after signing.
    ``summary`` is a Chinese sentence fit to show as is.
    """

    intact: bool
    valid: bool
    signer: str
    summary: str


# --- development PKI ------------------------------------------------------------------------


def ensure_dev_pki(directory: Path, authority_name: str = "天津市应急管理局") -> PkiPaths:
    """The development PKI in ``directory``, generated on first use and reused afterwards.

    Generates a root CA (20 years) and a signing certificate issued by it (5 years); the
    root's key is kept next to them (0600). If the root and its key exist but the signing
    pair is missing or outdated, a new signing pair is issued under the existing root, so a
    root already handed out stays valid. A lock file serialises concurrent first calls from several
    worker processes.
    """
    directory.mkdir(parents=True, exist_ok=True)
    paths = PkiPaths(
        root_cert=directory / _ROOT_CERT,
        signing_cert=directory / _SIGNING_CERT,
        signing_key=directory / _SIGNING_KEY,
    )
    if _pki_complete(paths):
        return paths
    with exclusive_lock(directory / _LOCK):
        if _pki_complete(paths):
            return paths
        root_key_path = directory / _ROOT_KEY
        if paths.root_cert.is_file() and root_key_path.is_file():
            root_key = _load_private_key(root_key_path.read_bytes(), None)
            root_cert = x509.load_pem_x509_certificate(paths.root_cert.read_bytes())
        else:
            root_key = ec.generate_private_key(ec.SECP256R1())
            root_cert = _root_certificate(root_key, authority_name)
            write_atomically(root_key_path, _private_pem(root_key), mode=0o600)
            write_atomically(paths.root_cert, _cert_pem(root_cert), mode=0o644)
        signing_key = ec.generate_private_key(ec.SECP256R1())
        signing_cert = _signing_certificate(signing_key, root_cert, root_key, authority_name)
        write_atomically(paths.signing_key, _private_pem(signing_key), mode=0o600)
        write_atomically(paths.signing_cert, _cert_pem(signing_cert), mode=0o644)
    return paths


def _pki_complete(paths: PkiPaths) -> bool:
    """All three files exist and the signing certificate has today's key usages.

    A development signing certificate from before emailProtection was added is re-issued
    under the same root, so readers that trust the root keep trusting new licences.
    """
    if not all(path.is_file() for path in (paths.root_cert, paths.signing_cert, paths.signing_key)):
        return False
    certificate = x509.load_pem_x509_certificate(paths.signing_cert.read_bytes())
    try:
        usages = certificate.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    except x509.ExtensionNotFound:
        return True
    return all(usage in usages for usage in _SIGNING_USAGES)


@contextlib.contextmanager
def exclusive_lock(path: Path) -> Iterator[None]:
    with open(path, "a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _name(authority_name: str, common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, authority_name),
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "电子证照（开发测试用）"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _root_certificate(key: ec.EllipticCurvePrivateKey, authority_name: str) -> x509.Certificate:
    subject = _name(authority_name, f"{authority_name}电子证照根证书")
    now = datetime.now(UTC)
    public_key = key.public_key()
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - _CLOCK_SKEW)
        .not_valid_after(now + timedelta(days=365 * _ROOT_YEARS + _ROOT_YEARS // 4))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(key_cert_sign=True, crl_sign=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        .sign(key, hashes.SHA256())
    )


def _signing_certificate(
    key: ec.EllipticCurvePrivateKey,
    root_cert: x509.Certificate,
    root_key: ec.EllipticCurvePrivateKey,
    authority_name: str,
) -> x509.Certificate:
    now = datetime.now(UTC)
    not_after = min(now + timedelta(days=365 * _SIGNING_YEARS + 1), root_cert.not_valid_after_utc)
    root_key_id = root_cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    return (
        x509.CertificateBuilder()
        .subject_name(_name(authority_name, authority_name))
        .issuer_name(root_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - _CLOCK_SKEW)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(digital_signature=True, content_commitment=True), critical=True)
        .add_extension(x509.ExtendedKeyUsage(list(_SIGNING_USAGES)), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(root_key_id),
            critical=False,
        )
        .sign(root_key, hashes.SHA256())
    )


def _key_usage(
    *,
    digital_signature: bool = False,
    content_commitment: bool = False,
    key_cert_sign: bool = False,
    crl_sign: bool = False,
) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=digital_signature,
        content_commitment=content_commitment,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=key_cert_sign,
        crl_sign=crl_sign,
        encipher_only=False,
        decipher_only=False,
    )


def _private_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _cert_pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def _load_private_key(data: bytes, passphrase: bytes | None) -> ec.EllipticCurvePrivateKey:
    key = serialization.load_pem_private_key(data, password=passphrase)
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise SignerError("开发用根证书私钥不是椭圆曲线密钥，请删除 PKI 目录后重新生成。")
    return key


# --- signing --------------------------------------------------------------------------------


class LicenceSigner:
    """Signs licence PDFs with the authority's signing key (PAdES baseline B, SHA-256).

    The key and certificates are loaded once, here; a missing or unreadable file raises
    :class:`SignerError` straight away rather than at the first licence.
    """

    def __init__(
        self,
        key_path: Path | str,
        cert_path: Path | str,
        ca_cert_path: Path | str,
        *,
        key_passphrase: bytes | None = None,
        field_name: str = "Signature1",
    ) -> None:
        for path in (key_path, cert_path, ca_cert_path):
            if not Path(path).is_file():
                raise SignerError(f"找不到签章密钥或证书文件：{path}")
        signer = signers.SimpleSigner.load(
            key_file=str(key_path),
            cert_file=str(cert_path),
            ca_chain_files=(str(ca_cert_path),),
            key_passphrase=key_passphrase,
        )
        if signer is None:
            raise SignerError("无法读取签章私钥或证书（文件损坏或私钥口令不正确）。")
        self._signer = _PresetCmsSigner(signer)
        self._field_name = field_name

    def sign(
        self,
        pdf: bytes,
        *,
        reason: str,
        location: str,
        contact: str | None = None,
        signing_time: datetime | None = None,
    ) -> bytes:
        """``pdf`` with an invisible PAdES signature appended as an incremental update.

        ``signing_time`` (aware; default now) is the claimed signing time in the signature:
        the licence's issue time, so re-rendering never changes what the licence says.
        """
        metadata = signers.PdfSignatureMetadata(
            field_name=self._field_name,
            md_algorithm="sha256",
            subfilter=fields.SigSeedSubFilter.PADES,
            reason=reason,
            location=location,
            contact_info=contact,
        )
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
        output = io.BytesIO()
        pdf_signer = _PdfSignerAt(
            metadata, signer=self._signer, signing_time=signing_time or datetime.now(UTC)
        )
        # A reserved size spares pyHanko a trial signature to measure the CMS blob first.
        pdf_signer.sign_pdf(writer, output=output, bytes_reserved=_SIGNATURE_BYTES)
        return output.getvalue()


class _PdfSignerAt(signers.PdfSigner):
    """A pyHanko ``PdfSigner`` whose signing time is given rather than read from the clock."""

    def __init__(self, *args: Any, signing_time: datetime, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._signing_time = signing_time

    def init_signing_session(self, pdf_out: Any, existing_fields_only: bool = False) -> Any:
        session = super().init_signing_session(pdf_out, existing_fields_only)
        session.system_time = self._signing_time
        return session


class _PresetCmsSigner(signers.SimpleSigner):
    """A ``SimpleSigner`` that builds what every signature of its key shares only once.

    For a PAdES signature pyHanko assembles the CMS ``SignedData`` afresh each time through
    ``asn1crypto``, re-encoding both certificates, the signer's identifier and the
    signing-certificate-v2 attribute (a hash over the certificate) — about three quarters
    of a licence's signing time, and all of it identical from one licence to the next. Here
    pyHanko builds one reference signature with the same settings; its constant parts are
    kept as parsed DER and each signature only adds what changes: the document's digest in
    the ``messageDigest`` attribute and the signature value over the signed attributes.
    The result is the structure pyHanko builds (a test compares them byte for byte).

    Anything but a plain PAdES signature (time stamps, other digests, extra signed
    attributes) goes through pyHanko's own path.
    """

    def __init__(self, base: signers.SimpleSigner) -> None:
        super().__init__(
            signing_cert=base.signing_cert,
            signing_key=base.signing_key,
            cert_registry=base.cert_registry,
            signature_mechanism=base.signature_mechanism,
            prefer_pss=base.prefer_pss,
            embed_roots=base.embed_roots,
        )
        self._reference: bytes | None = None  # DER of pyHanko's reference signature

    async def async_sign(
        self,
        data_digest: bytes,
        digest_algorithm: str,
        dry_run: bool = False,
        use_pades: bool = False,
        timestamper: Any = None,
        signed_attr_settings: Any = None,
        is_pdf_sig: bool = True,
        encap_content_info: Any = None,
    ) -> cms.ContentInfo:
        settings = signed_attr_settings
        plain = (
            digest_algorithm == "sha256"
            and use_pades
            and is_pdf_sig
            and timestamper is None
            and encap_content_info is None
            and (settings is None or settings.cades_signed_attrs is None)
        )
        if not plain:
            return await super().async_sign(
                data_digest,
                digest_algorithm,
                dry_run=dry_run,
                use_pades=use_pades,
                timestamper=timestamper,
                signed_attr_settings=signed_attr_settings,
                is_pdf_sig=is_pdf_sig,
                encap_content_info=encap_content_info,
            )
        if self._reference is None:
            reference = await super().async_sign(bytes(32), "sha256", use_pades=True)
            self._reference = reference.dump()
        # Parsed lazily from DER: the certificates are copied as bytes, never re-encoded.
        container = cms.ContentInfo.load(self._reference)
        signer_info = container["content"]["signer_infos"][0]
        signed_attrs = cms.CMSAttributes(
            [
                cms.CMSAttribute({"type": "message_digest", "values": [data_digest]})
                if attribute["type"].native == "message_digest"
                else attribute
                for attribute in signer_info["signed_attrs"]
            ]
        )
        signer_info["signed_attrs"] = signed_attrs
        signer_info["signature"] = await self.async_sign_raw(signed_attrs.dump(), "sha256", dry_run)
        return container


def ca_pem(ca_cert_path: Path | str) -> bytes:
    """The root certificate as PEM, whatever encoding (PEM or DER) the file uses."""
    data = Path(ca_cert_path).read_bytes()
    if b"-----BEGIN CERTIFICATE-----" in data:
        return data
    return x509.load_der_x509_certificate(data).public_bytes(serialization.Encoding.PEM)


# --- validation -----------------------------------------------------------------------------


def validate_signature(pdf: bytes, ca_pem: bytes) -> SignatureCheck:
    """Check the last signature in ``pdf`` against ``ca_pem`` as the only trusted root.

    No network access: nothing is fetched, and missing revocation data is tolerated
    (soft-fail). A file without a signature, or one that cannot be read, is never valid.
    """
    try:
        roots = list(load_certs_from_pemder_data(ca_pem))
    except ValueError:
        return SignatureCheck(False, False, "", "根证书无法读取，不能核验签名。")
    if not roots:
        return SignatureCheck(False, False, "", "根证书无法读取，不能核验签名。")
    try:
        signatures = PdfFileReader(io.BytesIO(pdf), strict=False).embedded_signatures
        if not signatures:
            return SignatureCheck(False, False, "", "文件中没有数字签名。")
        context = ValidationContext(
            trust_roots=roots, allow_fetching=False, revocation_mode="soft-fail"
        )
        status = validate_pdf_signature(signatures[-1], signer_validation_context=context)
    except Exception as error:  # any damage to the file means "not valid", never a crash
        return SignatureCheck(
            False, False, "", f"文件已损坏或被篡改，无法核验签名（{type(error).__name__}）。"
        )
    signer = (
        status.signing_cert.subject.native.get("common_name", "") if status.signing_cert else ""
    )
    return SignatureCheck(
        intact=status.intact,
        valid=bool(status.bottom_line),
        signer=signer,
        summary=_summary(status.intact, status.valid, status.trusted, bool(status.bottom_line)),
    )


def _summary(intact: bool, sound: bool, trusted: bool, valid: bool) -> str:
    if valid:
        return "签名有效：文件自签名后未被改动，签章证书由给定的根证书签发。"
    if not intact:
        return "签名无效：文件在签名后被改动。"
    if not sound:
        return "签名无效：签名值校验失败。"
    if not trusted:
        return "签名不可信：签章证书不是由给定的根证书签发的。"
    return "签名无效：签名后追加了不允许的修改。"
