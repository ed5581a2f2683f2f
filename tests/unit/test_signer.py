"""The development PKI, PAdES signing of licences, and checking signatures against our root."""

from __future__ import annotations

import asyncio
import functools
import hashlib
import io
import re
import shutil
import stat
import subprocess
from datetime import date, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import signers
from pypdf import PdfReader

from app.integrations.signer import (
    LicenceSigner,
    PkiPaths,
    SignerError,
    _PresetCmsSigner,
    _signing_certificate,
    ca_pem,
    ensure_dev_pki,
    validate_signature,
)
from pdf_templates.render import LicenceDocument, render_licence

AUTHORITY = "天津市应急管理局"


def render(number: str = "津安经〔2026〕000123") -> bytes:
    return render_licence(
        LicenceDocument(
            template="certificate",
            title="危险化学品经营许可证",
            number=number,
            identifier="1.2.156.3005.2.11100000000013338W011.11120000MB1234567X.000123.001.K",
            holder_label="企业名称",
            holder_name="天津市恒安化工贸易有限公司",
            fields=[("统一社会信用代码", "91350100M000100Y43")],
            valid_from=date(2026, 11, 23),
            valid_until=date(2029, 11, 22),
            issued_on=date(2026, 11, 23),
            issuer_name=AUTHORITY,
            verification_url="http://testserver/api/v1/verify/x?code=7K3Q9X2M",
            check_code="7K3Q9X2M",
        )
    )


@pytest.fixture(scope="module")
def licence_pdf() -> bytes:
    return render()


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> PkiPaths:
    return ensure_dev_pki(tmp_path_factory.mktemp("pki"))


@pytest.fixture(scope="module")
def signed(pki: PkiPaths, licence_pdf: bytes) -> bytes:
    signer = LicenceSigner(pki.signing_key, pki.signing_cert, pki.root_cert)
    return signer.sign(licence_pdf, reason=f"{AUTHORITY}签发电子证照", location=AUTHORITY)


def certificate(path: Path) -> x509.Certificate:
    return x509.load_pem_x509_certificate(path.read_bytes())


def signed_byte_range(pdf: bytes) -> tuple[int, int, int, int]:
    match = re.search(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]", pdf)
    assert match, "no /ByteRange in the signed file"
    start, first_length, second_start, second_length = (int(group) for group in match.groups())
    return start, first_length, second_start, second_length


# --- development PKI ------------------------------------------------------------------------------


def test_first_use_generates_a_root_and_a_signing_certificate(pki):
    root, leaf = certificate(pki.root_cert), certificate(pki.signing_cert)
    assert root.subject == root.issuer  # the root is self-signed ...
    assert leaf.issuer == root.subject  # ... the signing certificate is issued by it ...
    assert leaf.subject != leaf.issuer  # ... and is not self-signed
    leaf_key = serialization.load_pem_private_key(pki.signing_key.read_bytes(), password=None)
    assert isinstance(leaf_key, ec.EllipticCurvePrivateKey)
    assert leaf_key.public_key().public_numbers() == leaf.public_key().public_numbers()
    leaf.verify_directly_issued_by(root)
    assert AUTHORITY in leaf.subject.rfc4514_string()


def test_the_root_is_a_ca_for_twenty_years(pki):
    root = certificate(pki.root_cert)
    constraints = root.extensions.get_extension_for_class(x509.BasicConstraints)
    assert constraints.critical and constraints.value.ca
    usage = root.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.key_cert_sign and usage.crl_sign and not usage.digital_signature
    lifetime = root.not_valid_after_utc - root.not_valid_before_utc
    assert timedelta(days=365 * 20) <= lifetime <= timedelta(days=365 * 20 + 10)


def test_the_signing_certificate_signs_documents_and_mail_for_five_years(pki):
    leaf = certificate(pki.signing_cert)
    assert not leaf.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    usage = leaf.extensions.get_extension_for_class(x509.KeyUsage)
    assert usage.critical
    assert usage.value.digital_signature and usage.value.content_commitment
    assert not usage.value.key_cert_sign and not usage.value.key_encipherment
    purposes = leaf.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    # emailProtection first: NSS (pdfsig, Evince, Firefox) needs it; documentSigning too.
    assert [oid.dotted_string for oid in purposes] == ["1.3.6.1.5.5.7.3.4", "1.3.6.1.5.5.7.3.36"]
    lifetime = leaf.not_valid_after_utc - leaf.not_valid_before_utc
    assert timedelta(days=365 * 5) <= lifetime <= timedelta(days=365 * 5 + 2)


def test_private_keys_are_readable_by_the_owner_only(pki):
    keys = [pki.signing_key, *pki.root_cert.parent.glob("*key*.pem")]
    assert len(set(keys)) == 2
    for path in keys:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(pki.root_cert.stat().st_mode) == 0o644


def test_later_calls_reuse_the_pki(pki):
    before = {
        path: path.read_bytes() for path in (pki.root_cert, pki.signing_cert, pki.signing_key)
    }
    again = ensure_dev_pki(pki.root_cert.parent)
    assert again == pki
    assert {path: path.read_bytes() for path in before} == before


def test_no_temporary_files_are_left_behind(pki):
    names = sorted(path.name for path in pki.root_cert.parent.iterdir())
    assert not [name for name in names if name.endswith(".tmp")]


def test_a_lost_signing_key_is_reissued_under_the_same_root(tmp_path):
    first = ensure_dev_pki(tmp_path)
    root_before = first.root_cert.read_bytes()
    old_leaf = first.signing_cert.read_bytes()
    first.signing_key.unlink()
    second = ensure_dev_pki(tmp_path)
    assert second.root_cert.read_bytes() == root_before
    assert second.signing_cert.read_bytes() != old_leaf
    certificate(second.signing_cert).verify_directly_issued_by(certificate(second.root_cert))


def test_an_old_signing_certificate_without_email_protection_is_reissued(tmp_path):
    first = ensure_dev_pki(tmp_path)
    root = certificate(first.root_cert)
    root_key = serialization.load_pem_private_key(
        (tmp_path / "root-ca-key.pem").read_bytes(), password=None
    )
    key = serialization.load_pem_private_key(first.signing_key.read_bytes(), password=None)
    old = (
        x509.CertificateBuilder()
        .subject_name(root.subject)
        .issuer_name(root.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(root.not_valid_before_utc)
        .not_valid_after(root.not_valid_after_utc)
        .add_extension(
            x509.ExtendedKeyUsage([x509.ObjectIdentifier("1.3.6.1.5.5.7.3.36")]), critical=False
        )
        .sign(root_key, hashes.SHA256())
    )
    first.signing_cert.write_bytes(old.public_bytes(serialization.Encoding.PEM))
    second = ensure_dev_pki(tmp_path)
    assert second.root_cert.read_bytes() == first.root_cert.read_bytes()
    purposes = certificate(second.signing_cert).extensions.get_extension_for_class(
        x509.ExtendedKeyUsage
    )
    assert x509.ExtendedKeyUsageOID.EMAIL_PROTECTION in purposes.value


def test_the_authority_name_goes_into_the_certificates(tmp_path):
    paths = ensure_dev_pki(tmp_path, authority_name="天津市滨海新区应急管理局")
    subject = certificate(paths.signing_cert).subject
    names = subject.get_attributes_for_oid(x509.NameOID.ORGANIZATION_NAME)
    assert names[0].value == "天津市滨海新区应急管理局"


# --- signing and validating ----------------------------------------------------------------------


def test_a_signed_licence_is_intact_and_valid_against_our_root(pki, signed, licence_pdf):
    assert signed.startswith(licence_pdf)  # incremental update: the rendered bytes are kept
    check = validate_signature(signed, ca_pem(pki.root_cert))
    assert check.intact and check.valid
    assert check.signer == AUTHORITY
    assert "签名有效" in check.summary


def test_the_signed_licence_still_reads_as_the_same_page(signed):
    reader = PdfReader(io.BytesIO(signed))
    assert len(reader.pages) == 1
    assert "天津市恒安化工贸易有限公司" in reader.pages[0].extract_text()


def test_the_signature_is_pades_and_its_field_invisible(signed):
    assert b"/ETSI.CAdES.detached" in signed
    reader = PdfReader(io.BytesIO(signed))
    widgets = [a.get_object() for a in reader.pages[0].get("/Annots", [])]
    signature_widgets = [w for w in widgets if w.get("/FT") == "/Sig" or "/Parent" in w]
    assert signature_widgets
    for widget in signature_widgets:
        assert [float(v) for v in widget["/Rect"]] == [0, 0, 0, 0]


def test_flipping_one_signed_byte_breaks_the_signature(pki, signed):
    _, first_length, _, _ = signed_byte_range(signed)
    tampered = bytearray(signed)
    tampered[first_length // 2] ^= 0x01
    check = validate_signature(bytes(tampered), ca_pem(pki.root_cert))
    assert not check.intact and not check.valid


def test_flipping_a_byte_in_the_page_dictionary_breaks_the_signature(pki, signed):
    tampered = bytearray(signed)
    tampered[signed.index(b"/Type /Page") + 1] ^= 0x01
    check = validate_signature(bytes(tampered), ca_pem(pki.root_cert))
    assert not check.intact and not check.valid


def test_a_licence_signed_under_another_root_is_not_valid_against_ours(tmp_path, pki, licence_pdf):
    other = ensure_dev_pki(tmp_path, authority_name=AUTHORITY)  # same names, other keys
    forged = LicenceSigner(other.signing_key, other.signing_cert, other.root_cert).sign(
        licence_pdf, reason="伪造", location="别处"
    )
    check = validate_signature(forged, ca_pem(pki.root_cert))
    assert check.intact and not check.valid
    assert "根证书" in check.summary
    assert validate_signature(forged, ca_pem(other.root_cert)).valid


def test_an_unsigned_pdf_is_not_valid(pki, licence_pdf):
    check = validate_signature(licence_pdf, ca_pem(pki.root_cert))
    assert not check.valid and not check.intact
    assert check.summary == "文件中没有数字签名。"


def test_bytes_that_are_not_a_pdf_are_not_valid(pki):
    check = validate_signature(b"%PDF-1.7\nnot really", ca_pem(pki.root_cert))
    assert not check.valid
    assert check.summary


def test_a_root_that_is_not_a_certificate_makes_nothing_valid(signed):
    check = validate_signature(
        signed, b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"
    )
    assert not check.valid
    assert "根证书无法读取" in check.summary


def rsa_signing_pair(pki: PkiPaths, directory: Path) -> tuple[Path, Path]:
    """An RSA signing key and certificate under ``pki``'s root (an office may bring RSA)."""
    root_key = serialization.load_pem_private_key(
        (pki.root_cert.parent / "root-ca-key.pem").read_bytes(), password=None
    )
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    cert = _signing_certificate(key, certificate(pki.root_cert), root_key, AUTHORITY)
    key_path, cert_path = directory / "rsa-key.pem", directory / "rsa-cert.pem"
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return key_path, cert_path


@pytest.mark.parametrize("algorithm", ["ecdsa", "rsa"])
def test_the_signature_container_is_the_one_pyhanko_builds(tmp_path, pki, algorithm):
    """The parts every signature shares are built once; what gets signed must not change."""
    key_path, cert_path = (
        (pki.signing_key, pki.signing_cert)
        if algorithm == "ecdsa"
        else rsa_signing_pair(pki, tmp_path)
    )
    stock = signers.SimpleSigner.load(
        key_file=str(key_path), cert_file=str(cert_path), ca_chain_files=(str(pki.root_cert),)
    )
    preset = _PresetCmsSigner(stock)
    for content in (b"first licence", b"second licence"):  # the second reuses the first's parts
        digest = hashlib.sha256(content).digest()
        ours = asyncio.run(preset.async_sign(digest, "sha256", use_pades=True))
        theirs = asyncio.run(stock.async_sign(digest, "sha256", use_pades=True))
        our_info = ours["content"]["signer_infos"][0]
        their_info = theirs["content"]["signer_infos"][0]
        signed_attrs = our_info["signed_attrs"].untag().dump()
        assert signed_attrs == their_info["signed_attrs"].untag().dump()
        assert our_info["signed_attrs"].native[1]["values"] == [digest]
        signature = our_info["signature"].native
        public_key = certificate(cert_path).public_key()
        if algorithm == "ecdsa":
            public_key.verify(signature, signed_attrs, ec.ECDSA(hashes.SHA256()))
        else:
            public_key.verify(signature, signed_attrs, padding.PKCS1v15(), hashes.SHA256())
        their_info["signature"] = signature  # ECDSA signatures are randomised
        assert ours.dump(force=True) == theirs.dump(force=True)


def test_every_licence_from_one_signer_gets_its_own_valid_signature(pki, licence_pdf):
    signer = LicenceSigner(pki.signing_key, pki.signing_cert, pki.root_cert)
    first, second = (
        signer.sign(pdf, reason="签发", location=AUTHORITY)
        for pdf in (licence_pdf, render("津安经〔2026〕000124"))
    )
    digests = []
    for signed_pdf in (first, second):
        assert validate_signature(signed_pdf, ca_pem(pki.root_cert)).valid
        (embedded,) = PdfFileReader(io.BytesIO(signed_pdf)).embedded_signatures
        digests.append(embedded.signer_info["signed_attrs"].native[1]["values"][0])
    assert digests[0] != digests[1]


def test_an_encrypted_key_needs_its_passphrase(tmp_path, pki, licence_pdf):
    key = serialization.load_pem_private_key(pki.signing_key.read_bytes(), password=None)
    locked = tmp_path / "locked-key.pem"
    locked.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(b"correct horse"),
        )
    )
    with pytest.raises(SignerError, match="私钥口令不正确"):
        LicenceSigner(locked, pki.signing_cert, pki.root_cert, key_passphrase=b"wrong")
    signer = LicenceSigner(locked, pki.signing_cert, pki.root_cert, key_passphrase=b"correct horse")
    signed = signer.sign(licence_pdf, reason="签发", location=AUTHORITY, contact="12350")
    assert validate_signature(signed, ca_pem(pki.root_cert)).valid


def test_a_missing_key_file_is_reported_when_the_signer_is_built(tmp_path, pki):
    with pytest.raises(SignerError, match="找不到签章密钥或证书文件"):
        LicenceSigner(tmp_path / "absent.pem", pki.signing_cert, pki.root_cert)


def test_ca_pem_serves_pem_even_from_a_der_file(tmp_path, pki):
    pem = ca_pem(pki.root_cert)
    assert pem.startswith(b"-----BEGIN CERTIFICATE-----")
    der_file = tmp_path / "root.der"
    der_file.write_bytes(certificate(pki.root_cert).public_bytes(serialization.Encoding.DER))
    assert ca_pem(der_file) == pem


# --- what common PDF readers say ---------------------------------------------------------------

NSS_TOOLS = bool(shutil.which("pdfsig") and shutil.which("certutil"))


@pytest.mark.skipif(
    not NSS_TOOLS, reason="pdfsig (poppler-utils) and certutil (libnss3-tools) are not installed"
)
def test_pdfsig_with_our_root_trusted_reports_a_valid_trusted_signature(tmp_path, pki, signed):
    """poppler's pdfsig checks signatures with NSS, as Evince, Okular and Firefox do."""
    nss = tmp_path / "nss"
    nss.mkdir()
    run = functools.partial(subprocess.run, check=True, capture_output=True, text=True)
    run(["certutil", "-N", "-d", f"sql:{nss}", "--empty-password"])
    run(
        [
            "certutil",
            "-A",
            "-d",
            f"sql:{nss}",
            "-n",
            "zerovisit-root",
            "-t",
            "CT,C,C",
            "-i",
            str(pki.root_cert),
        ]
    )
    document = tmp_path / "licence.pdf"
    document.write_bytes(signed)
    report = subprocess.run(
        ["pdfsig", "-nssdir", f"sql:{nss}", str(document)], capture_output=True, text=True
    ).stdout
    assert "Signature Validation: Signature is Valid." in report, report
    assert "Certificate Validation: Certificate is Trusted." in report, report
