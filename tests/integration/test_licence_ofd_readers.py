"""Independent readers open the licence OFD: ofdkit reads its text, Node's sm-crypto checks
its SM2 signatures, and a minimal rasteriser (tests/ofd_raster.py) draws it to a PNG whose
QR code scans to the licence's verification address."""

from __future__ import annotations

import json
import shutil
import subprocess
import zipfile
from io import BytesIO
from pathlib import Path

import pytest
from asn1crypto import core, x509

from app.extensions import db
from app.licences.documents import licence_ofd, verification_url
from app.licences.lifecycle import issue_licence
from tests.ofd_raster import render_page

ROOT = Path(__file__).resolve().parents[2]
NODE_MODULES = ROOT / ".tools" / "node" / "node_modules"
NODE = shutil.which("node")
ZBARIMG = shutil.which("zbarimg")
# sm-crypto's doVerifySignature over each (message, DER signature, public key) given on stdin.
VERIFY_JS = """
const { sm2 } = require('sm-crypto');
const items = JSON.parse(require('fs').readFileSync(0, 'utf8'));
const results = items.map(({ message, signature, publicKey }) =>
  sm2.doVerifySignature(Buffer.from(message, 'hex'), signature, publicKey,
                        { der: true, hash: true, userId: '1234567812345678' }));
process.stdout.write(JSON.stringify(results));
"""


@pytest.fixture
def ofd(make, frozen_now):
    manager = make.applicant()
    application = make.case_in_state(make.enterprise(manager), "approved", manager)
    licence = issue_licence(application)
    db.session.commit()
    return licence, licence_ofd(licence)


def test_ofdkit_reads_number_holder_and_dates_from_the_text(ofd):
    ofdkit = pytest.importorskip("ofdkit", reason="ofdkit (an OFD reader on PyPI) not installed")
    licence, data = ofd
    text = ofdkit.extract_text(data)
    assert licence.number in text
    assert licence.holder["name"] in text
    assert licence.holder["credit_code"] in text
    assert "有效期：2026年11月23日至2029年11月22日" in text
    assert "发证日期：2026年11月23日" in text


def _signed_parts(data: bytes) -> list[dict[str, str]]:
    """(TBS_Sign, signer) and (SES_SealInfo, seal maker) read with asn1crypto's generic DER."""
    with zipfile.ZipFile(BytesIO(data)) as package:
        signed_value = package.read("Doc_0/Signs/Sign_0/SignedValue.dat")
    signature = core.Sequence.load(signed_value)
    tbs = signature[0]
    seal = tbs[1]

    def item(message: core.Asn1Value, certificate: bytes, value: bytes) -> dict[str, str]:
        public = x509.Certificate.load(certificate).public_key["public_key"].native
        return {
            "message": message.dump().hex(),
            "signature": value.hex(),
            "publicKey": public.hex(),
        }

    return [
        item(tbs, signature[1].native, signature[3].cast(core.OctetBitString).native),
        item(seal[0], seal[1].native, seal[3].cast(core.OctetBitString).native),
    ]


@pytest.mark.skipif(NODE is None, reason="node is not installed here")
@pytest.mark.skipif(
    not (NODE_MODULES / "sm-crypto").is_dir(),
    reason="npm package sm-crypto not installed (.ci/run installs it into .tools/node)",
)
def test_node_sm_crypto_verifies_the_signer_and_the_seal_maker(ofd):
    _, data = ofd
    parts = _signed_parts(data)

    def verify(items: list[dict[str, str]]) -> list[bool]:
        result = subprocess.run(
            [NODE, "-e", VERIFY_JS],
            input=json.dumps(items).encode(),
            capture_output=True,
            check=True,
            env={"NODE_PATH": str(NODE_MODULES), "PATH": "/usr/bin:/bin"},
        )
        return json.loads(result.stdout)

    assert verify(parts) == [True, True]
    tampered = dict(parts[0], message=parts[0]["message"][:-2] + "00")
    assert verify([tampered]) == [False]


def test_the_ofd_drawn_to_png_shows_a_qr_code_that_scans_to_the_licence(ofd, tmp_path):
    licence, data = ofd
    image = render_page(data, dpi=150)
    assert image.size == (1240, 1754)  # A4 at 150 dpi
    red_band, green_band, blue_band = (band.tobytes() for band in image.split())
    red = sum(
        1
        for r, g, b in zip(red_band, green_band, blue_band, strict=True)
        if r > 140 and g < 90 and b < 90
    )
    assert red > 10_000  # the frame, the title and the seal are red
    if ZBARIMG is None:
        pytest.skip("zbarimg (zbar-tools) is not installed here")
    path = tmp_path / "page.png"
    image.save(path)
    scanned = subprocess.run(
        [ZBARIMG, "--quiet", "--raw", str(path)], capture_output=True, text=True, check=False
    )
    assert scanned.stdout.strip() == verification_url(licence)
