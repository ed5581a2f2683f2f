"""A GB/T 38540 seal on an OFD package (GB/T 33190 §18 signatures).

``Signatures.xml`` (named by ``OFD.xml``) lists ``Signature.xml``; that lists every file of
the package — pages, resources, fonts, ``OFD.xml``, the seal file — with its SM3 digest
(``CheckMethod`` 1.2.156.10197.1.401, base64 ``CheckValue``), where the stamp sits on the
page (``StampAnnot``), the seal file and ``SignedValue.dat``: the ``SES_Signature`` whose
``dataHash`` is the SM3 digest of ``Signature.xml`` itself. Changing any protected file breaks
its digest; changing ``Signature.xml`` breaks ``dataHash``; changing ``SignedValue.dat``
breaks the signer's SM2 signature.
"""

from __future__ import annotations

import base64
from datetime import UTC, datetime

from app.integrations.seal_pki import SealSigner
from app.integrations.sm2 import SM2_WITH_SM3, SM3_OID
from pdf_templates.ofd.canvas import number
from pdf_templates.ofd.package import NAMESPACE, SIGNATURES_PATH, OfdPackage

SIGN_DIR = "Doc_0/Signs/Sign_0"
SIGNATURE_PATH = f"{SIGN_DIR}/Signature.xml"
SIGNED_VALUE_PATH = f"{SIGN_DIR}/SignedValue.dat"
SEAL_PATH = f"{SIGN_DIR}/Seal.esl"


def seal_package(package: OfdPackage, signer: SealSigner, when: datetime) -> bytes:
    """``package`` sealed by ``signer`` at ``when``, as the bytes of an ``.ofd`` file."""
    files = dict(package.files)
    files[SEAL_PATH] = signer.seal.der
    references = "".join(
        f'<ofd:Reference FileRef="/{path}"><ofd:CheckValue>'
        f"{_check_value(signer, data)}</ofd:CheckValue></ofd:Reference>"
        for path, data in sorted(files.items())
    )
    stamp = ""
    if package.stamp_box is not None:
        box = " ".join(number(value) for value in package.stamp_box)
        stamp = f'<ofd:StampAnnot ID="1" PageRef="{package.page_id}" Boundary="{box}"/>'
    signature_xml = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<ofd:Signature xmlns:ofd="{NAMESPACE}"><ofd:SignedInfo>'
        '<ofd:Provider ProviderName="Zerovisit" Version="1.2" Company="Zerovisit"/>'
        f"<ofd:SignatureMethod>{SM2_WITH_SM3}</ofd:SignatureMethod>"
        f"<ofd:SignatureDateTime>{when.astimezone(UTC).strftime('%Y%m%d%H%M%SZ')}</ofd:SignatureDateTime>"
        f'<ofd:References CheckMethod="{SM3_OID}">{references}</ofd:References>{stamp}'
        f"<ofd:Seal><ofd:BaseLoc>/{SEAL_PATH}</ofd:BaseLoc></ofd:Seal>"
        f"</ofd:SignedInfo><ofd:SignedValue>/{SIGNED_VALUE_PATH}</ofd:SignedValue></ofd:Signature>"
    ).encode()
    files[SIGNATURE_PATH] = signature_xml
    files[SIGNED_VALUE_PATH] = signer.sign(signature_xml, when, f"/{SIGNATURE_PATH}")
    files[SIGNATURES_PATH] = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<ofd:Signatures xmlns:ofd="{NAMESPACE}"><ofd:MaxSignId>1</ofd:MaxSignId>'
        f'<ofd:Signature ID="1" Type="Seal" BaseLoc="/{SIGNATURE_PATH}"/></ofd:Signatures>'
    ).encode()
    return OfdPackage(files, package.page_id, package.max_id, package.stamp_box).zip()


def _check_value(signer: SealSigner, data: bytes) -> str:
    """A file's ``CheckValue``: its SM3 digest in base64."""
    return base64.b64encode(signer.file_digest(data)).decode("ascii")
