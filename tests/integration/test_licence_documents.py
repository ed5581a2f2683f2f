"""A licence's PDF as the office issues it: signed at issue time, readable with any fonts,
trusted by common PDF readers."""

from __future__ import annotations

import functools
import io
import shutil
import subprocess
from pathlib import Path

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader
from pypdf import PdfReader

from app.extensions import db
from app.licences.documents import licence_pdf, pki_paths
from app.licences.lifecycle import issue_licence
from app.models import Licence
from tests.conftest import FROZEN_NOW

WQY = "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"
DROID = "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf"
# PDF_FONT_PATH for each font situation (a search path of font files).
FONT_SITUATIONS = {
    "wqy-zenhei": WQY,
    "droid-only": DROID,
    "no-cjk-truetype": "/nonexistent/font.ttf",
}


@pytest.fixture
def issued(make, frozen_now):
    """Issue a licence through the approving step and commit, as an approval does."""

    def issue():
        manager = make.applicant()
        enterprise = make.enterprise(manager)
        application = make.case_in_state(enterprise, "approved", manager)
        licence = issue_licence(application, make.staff("approver"))
        db.session.commit()
        return licence

    return issue


@pytest.mark.parametrize("situation", sorted(FONT_SITUATIONS))
def test_an_issued_licence_shows_number_credit_code_and_dates_with_any_fonts(
    app, issued, situation
):
    font_path = FONT_SITUATIONS[situation]
    if font_path.startswith("/usr/") and not Path(font_path).is_file():
        pytest.skip(f"font not installed here: {font_path}")
    app.config["PDF_FONT_PATH"] = font_path
    licence = issued()
    text = PdfReader(io.BytesIO(licence_pdf(licence))).pages[0].extract_text()
    assert licence.number in text
    assert licence.holder["credit_code"] in text
    assert "有效期：2026年11月23日至2029年11月22日" in text
    assert "发证日期：2026年11月23日" in text


def test_the_pdf_is_signed_when_the_licence_is_issued_at_the_issue_time(issued):
    licence = issued()
    assert licence.pdf_sha256  # stored in the issuing transaction, before any download
    signature = PdfFileReader(io.BytesIO(licence_pdf(licence))).embedded_signatures[0]
    assert signature.self_reported_timestamp == FROZEN_NOW


def test_a_rolled_back_approval_leaves_no_licence_behind(make, frozen_now):
    manager = make.applicant()
    application = make.case_in_state(make.enterprise(manager), "approved", manager)
    licence = issue_licence(application, make.staff("approver"))
    assert licence.pdf_sha256
    db.session.rollback()
    assert db.session.query(Licence).count() == 0


NSS_TOOLS = bool(shutil.which("pdfsig") and shutil.which("certutil"))


@pytest.mark.skipif(
    not NSS_TOOLS, reason="pdfsig (poppler-utils) and certutil (libnss3-tools) are not installed"
)
def test_pdfsig_trusts_an_issued_licence_once_the_root_is_trusted(issued, tmp_path):
    licence = issued()
    nss = tmp_path / "nss"
    nss.mkdir()
    run = functools.partial(subprocess.run, check=True, capture_output=True, text=True)
    run(["certutil", "-N", "-d", f"sql:{nss}", "--empty-password"])
    root = str(pki_paths().root_cert)
    run(["certutil", "-A", "-d", f"sql:{nss}", "-n", "root", "-t", "CT,C,C", "-i", root])
    document = tmp_path / "licence.pdf"
    document.write_bytes(licence_pdf(licence))
    report = subprocess.run(
        ["pdfsig", "-nssdir", f"sql:{nss}", str(document)], capture_output=True, text=True
    ).stdout
    assert "Signature Validation: Signature is Valid." in report, report
    assert "Certificate Validation: Certificate is Trusted." in report, report
