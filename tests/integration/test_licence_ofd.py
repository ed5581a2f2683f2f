"""The national electronic licence: an OFD with a GB/T 38540 SM2 seal, checked from outside.

OpenSSL's command line alone verifies every digest, both SM2 signatures and both
certificate chains (``tests/ofd_openssl.py``); a changed byte anywhere it protects fails.
"""

from __future__ import annotations

import zipfile
from io import BytesIO
from pathlib import Path
from xml.etree import ElementTree

import pytest

from app import check_seal
from app.config import ConfigError
from app.extensions import db
from app.integrations import sm2
from app.integrations.seal_pki import ensure_dev_seal_pki
from app.licences.documents import DEV_AUTHORITY, licence_ofd, render_missing_pdfs
from app.licences.lifecycle import issue_licence
from pdf_templates.render.fonts import find_cjk_font
from tests.factories import headers
from tests.ofd_openssl import (
    NS,
    SIGNATURE_XML,
    SIGNED_VALUE,
    openssl,
    openssl_has_sm2,
    problems,
    unzip,
)

needs_openssl_sm2 = pytest.mark.skipif(
    not openssl_has_sm2(), reason="openssl with SM2/SM3 (OpenSSL 3) is not installed here"
)
PAGE = "Doc_0/Pages/Page_0/Content.xml"


@pytest.fixture
def issued(make, frozen_now):
    """Issue a licence through the approving step and commit; return it and its manager."""

    def issue(**holder):
        manager = make.applicant()
        enterprise = make.enterprise(manager, **holder)
        application = make.case_in_state(enterprise, "approved", manager)
        licence = issue_licence(application)
        db.session.commit()
        return licence, manager

    return issue


def download(client, licence, manager) -> bytes:
    response = client.get(f"/api/v1/licences/{licence.id}/ofd", headers=headers(manager))
    assert response.status_code == 200, response.get_json()
    assert response.mimetype == "application/ofd"
    assert f'filename="{licence.identifier}.ofd"' in response.headers["Content-Disposition"]
    return response.data


@pytest.fixture
def sealed(client, issued, tmp_path):
    """An issued licence's OFD unpacked, and the SM2 root from the public endpoint."""
    licence, manager = issued()
    files = unzip(download(client, licence, manager), tmp_path / "ofd")
    ca = client.get("/api/v1/pki/sm2-ca.pem")
    assert ca.status_code == 200 and ca.mimetype == "application/x-pem-file"
    (tmp_path / "sm2-ca.pem").write_bytes(ca.data)
    return licence, files, tmp_path / "sm2-ca.pem"


@needs_openssl_sm2
def test_openssl_alone_verifies_an_issued_licences_seal(sealed, tmp_path):
    _, files, ca = sealed
    assert problems(files, ca, tmp_path / "work") == []


@needs_openssl_sm2
@pytest.mark.parametrize(
    ("changed", "expected"),
    [
        (PAGE, f"CheckValue of /{PAGE}"),
        (SIGNATURE_XML, "dataHash is not the SM3 digest of Signature.xml"),
        (SIGNED_VALUE, "the signer's signature over TBS_Sign"),
    ],
)
def test_one_changed_byte_breaks_the_seal(sealed, tmp_path, changed, expected):
    _, files, ca = sealed
    path = files / changed
    data = bytearray(path.read_bytes())
    # A byte that keeps the file well-formed: a digit of the page or the XML, the last byte of
    # the signer's signature value (the end of SignedValue.dat).
    index = len(data) - 1 if changed == SIGNED_VALUE else data.index(b"2026")
    data[index] = data[index] ^ 0x01
    path.write_bytes(bytes(data))
    assert expected in problems(files, ca, tmp_path / "work")


@needs_openssl_sm2
def test_a_certificate_from_another_root_does_not_chain(sealed, tmp_path):
    _, files, _ = sealed
    other = tmp_path / "other"
    other.mkdir()
    key = other / "key.pem"
    assert _run("genpkey", "-algorithm", "SM2", "-out", str(key)) == 0
    assert _run(
        "req", "-x509", "-new", "-key", str(key), "-sm3", "-sigopt", "distid:1234567812345678",
        "-subj", "/CN=other", "-days", "30", "-out", str(other / "ca.pem"),
    ) == 0  # fmt: skip
    found = problems(files, other / "ca.pem", tmp_path / "work")
    assert "the signer's certificate does not chain to sm2-ca.pem" in found
    assert "the seal maker's certificate does not chain to sm2-ca.pem" in found


def _run(*args: str) -> int:
    return openssl(*args).returncode


@pytest.mark.skipif(
    find_cjk_font() is None, reason="no CJK font on this machine (.ci/run installs one)"
)
def test_the_ofd_carries_its_font(client, issued):
    """A reader without the font still draws the licence: the file embeds the one it uses."""
    licence, manager = issued()
    with zipfile.ZipFile(BytesIO(download(client, licence, manager))) as package:
        assert any(name.endswith(".ttf") for name in package.namelist())


def test_the_ofd_carries_the_gbt_36903_metadata_and_is_named_in_the_licence(client, issued):
    licence, manager = issued()
    data = download(client, licence, manager)
    with zipfile.ZipFile(BytesIO(data)) as package:
        root = ElementTree.fromstring(package.read("OFD.xml"))
    custom = {item.attrib["Name"]: item.text for item in root.findall(".//ofd:CustomData", NS)}
    assert custom["证照编号"] == licence.number
    assert custom["证照标识"] == licence.identifier
    assert custom["持证主体"] == licence.holder["name"]
    assert custom["持证主体代码"] == licence.holder["credit_code"]
    assert custom["持证主体代码类型"] == "001"
    assert custom["发证日期"] == "2026-11-23"
    assert {"证照名称", "证照类型代码", "发证机构"} <= custom.keys()
    view = client.get(f"/api/v1/licences/{licence.id}", headers=headers(manager)).get_json()
    assert view["ofd_url"].endswith(f"/api/v1/licences/{licence.id}/ofd")


def test_someone_elses_licence_ofd_is_not_found(client, issued, make):
    licence, _ = issued()
    stranger = make.applicant()
    response = client.get(f"/api/v1/licences/{licence.id}/ofd", headers=headers(stranger))
    assert response.status_code == 404


def test_a_revoked_licences_ofd_is_still_served(client, issued, make):
    licence, manager = issued()
    before = download(client, licence, manager)
    approver = make.staff("approver")
    revoked = client.post(
        f"/api/v1/licences/{licence.id}/revoke",
        json={"comment": "以欺骗手段取得许可"},
        headers=headers(approver),
    )
    assert revoked.status_code == 200, revoked.get_json()
    assert download(client, licence, manager) == before


def test_render_pdfs_fills_in_a_missing_ofd(issued):
    licence, _ = issued()
    pdf = licence.pdf_sha256
    licence.ofd_sha256 = None
    db.session.commit()
    assert render_missing_pdfs() == 1
    db.session.refresh(licence)
    assert licence.ofd_sha256 and licence.pdf_sha256 == pdf
    assert licence_ofd(licence)[:2] == b"PK"


def test_a_holder_with_characters_no_font_has_still_gets_an_ofd(client, issued, app):
    app.config["PDF_FONT_PATH"] = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
    name = "𠀾𪚥测试\x07贸易有限公司"  # rare ideographs, and a control character pasted in
    licence, manager = issued(name=name)
    with zipfile.ZipFile(BytesIO(download(client, licence, manager))) as package:
        page = package.read(PAGE).decode("utf-8")
        resources = package.read("Doc_0/PublicRes.xml").decode("utf-8")
    assert "𠀾𪚥测试贸易有限公司" in page  # real text, the control character dropped
    assert 'FontName="宋体"' in resources  # what no file covers falls back to a Song font


def test_the_production_start_names_a_missing_or_wrong_sm2_file(tmp_path):
    paths = ensure_dev_seal_pki(tmp_path / "sm2", DEV_AUTHORITY, None)
    config = {
        "SM2_SIGNING_KEY_PATH": str(paths.signing_key),
        "SM2_SIGNING_CERT_PATH": str(paths.signing_cert),
        "SM2_SEAL_PATH": str(paths.seal),
        "SM2_CA_PATH": str(paths.ca),
    }
    check_seal(config)  # the generated files belong together
    with pytest.raises(ConfigError, match="SM2_SEAL_PATH：无法读取文件"):
        check_seal({**config, "SM2_SEAL_PATH": str(tmp_path / "missing.esl")})
    with pytest.raises(ConfigError, match="SM2_SIGNING_KEY_PATH：私钥文件无法读取"):
        check_seal({**config, "SM2_SIGNING_KEY_PATH": str(paths.signing_cert)})
    other = ensure_dev_seal_pki(tmp_path / "other", DEV_AUTHORITY, None)
    with pytest.raises(ConfigError, match="SM2_SIGNING_CERT_PATH：签章证书与签章私钥不匹配"):
        check_seal({**config, "SM2_SIGNING_KEY_PATH": str(other.signing_key)})
    with pytest.raises(ConfigError, match="SM2_SIGNING_CERT_PATH：签章证书不是由 SM2 根证书签发的"):
        check_seal({**config, "SM2_CA_PATH": str(other.ca)})
    # The signer's public point with another private key: its signatures would never verify.
    halves = sm2.Sm2Key(
        private=sm2.load_private_key(other.signing_key.read_bytes()).private,
        public=sm2.load_private_key(paths.signing_key.read_bytes()).public,
    )
    (tmp_path / "halves.pem").write_bytes(halves.pem())
    with pytest.raises(ConfigError, match="SM2_SIGNING_KEY_PATH：签章私钥与文件中的公钥不匹配"):
        check_seal({**config, "SM2_SIGNING_KEY_PATH": str(tmp_path / "halves.pem")})
    assert Path(paths.ca).read_bytes().startswith(b"-----BEGIN CERTIFICATE-----")
