"""The signed licence PDF, the sealed licence OFD and the mailing label.

A licence's PDF (PAdES) and OFD (GB/T 33190 with a GB/T 38540 SM2 seal) are rendered
and signed when the licence comes into being — in the issuing
transaction for an issued licence (signing time = issue time), right after the import for a
register's licences — and kept in the document store under its hash. Reading it never
writes. The file is stored (fsynced) before the transaction that records its hash commits,
so a committed hash always names a complete file; a crash before the commit leaves at most
an unreferenced file. Licences still without a PDF or an OFD (an import interrupted before
rendering, or licences from before the OFD) are found and rendered by
:func:`render_missing_pdfs` (``flask licences render-pdfs``).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable
from datetime import datetime
from functools import cache
from pathlib import Path
from urllib.parse import quote

from flask import current_app
from sqlalchemy import or_, select

from app import timekeeping
from app.domain.carriers import carrier_name
from app.domain.permit_types import require_permit_type
from app.errors import Conflict
from app.extensions import db
from app.integrations.ofd_signing import seal_package
from app.integrations.seal_pki import SealPaths, SealSigner, ensure_dev_seal_pki, load_seal_signer
from app.integrations.signer import LicenceSigner, PkiPaths, ensure_dev_pki
from app.integrations.storage import DocumentStore, storage_for
from app.licences.holder import name_on_licence
from app.models import Application, Licence, Shipment
from pdf_templates.ofd import DocInfo, render_licence_ofd
from pdf_templates.render import (
    LabelDocument,
    LicenceDocument,
    Typeface,
    render_label,
    render_labels,
    render_licence,
    select_typeface,
)
from pdf_templates.render.fonts import find_cjk_font
from permits.identifiers import mask_phone, verification_code

RENDER_BATCH = 50
DEV_AUTHORITY = "天津市应急管理局"
HOLDER_CODE_TYPES = {"credit_code": "001", "id_number": "111"}  # GB/T 36903 主体代码类型


def check_code(licence: Licence) -> str:
    """The code printed beside the QR code, keyed by the office's secret."""
    return verification_code(current_app.config["LICENCE_CHECK_SECRET"].encode(), licence.number)


def verification_url(licence: Licence) -> str:
    """The public verification address the licence's QR code holds."""
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    return f"{base}/api/v1/verify/{quote(licence.number, safe='')}?code={check_code(licence)}"


def ofd_url(licence: Licence) -> str:
    """Where the licence's sealed OFD is downloaded (login required, like the PDF)."""
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    return f"{base}/api/v1/licences/{licence.id}/ofd"


def _storage() -> DocumentStore:
    return storage_for("licences")


def pki_paths() -> PkiPaths:
    config = current_app.config
    if config["SIGNING_KEY_PATH"]:
        return PkiPaths(
            root_cert=Path(config["SIGNING_CA_PATH"]),
            signing_cert=Path(config["SIGNING_CERT_PATH"]),
            signing_key=Path(config["SIGNING_KEY_PATH"]),
        )
    return ensure_dev_pki(Path(config["DATA_DIR"]) / "pki")


def typeface() -> Typeface:
    return select_typeface(current_app.config["PDF_FONT_PATH"])


def signer() -> LicenceSigner:
    """The process's signer for the configured key (reloaded only if a file changes)."""
    paths = pki_paths()
    files = (paths.signing_key, paths.signing_cert, paths.root_cert)
    stamps = tuple(os.stat(path).st_mtime_ns for path in files)
    passphrase = current_app.config["SIGNING_KEY_PASSPHRASE"].encode() or None
    return _cached_signer(paths, stamps, passphrase)


@cache
def _cached_signer(
    paths: PkiPaths, stamps: tuple[int, ...], passphrase: bytes | None
) -> LicenceSigner:
    return LicenceSigner(
        paths.signing_key, paths.signing_cert, paths.root_cert, key_passphrase=passphrase
    )


def seal_paths() -> SealPaths:
    """The SM2 files of the electronic seal: configured, or the development PKI's."""
    config = current_app.config
    if config["SM2_SIGNING_KEY_PATH"]:
        return SealPaths(
            signing_key=Path(config["SM2_SIGNING_KEY_PATH"]),
            signing_cert=Path(config["SM2_SIGNING_CERT_PATH"]),
            seal=Path(config["SM2_SEAL_PATH"]),
            ca=Path(config["SM2_CA_PATH"]),
        )
    return ensure_dev_seal_pki(
        Path(config["DATA_DIR"]) / "pki" / "sm2",
        DEV_AUTHORITY,
        find_cjk_font(config["PDF_FONT_PATH"]),
    )


def seal_signer() -> SealSigner:
    """The process's seal signer (files checked together; reloaded only if a file changes)."""
    paths = seal_paths()
    stamps = tuple(os.stat(path).st_mtime_ns for _, path in paths.named())
    return _cached_seal_signer(paths, stamps)


@cache
def _cached_seal_signer(paths: SealPaths, stamps: tuple[int, ...]) -> SealSigner:
    return load_seal_signer(paths)


def _fields(licence: Licence) -> list[tuple[str, str]]:
    permit_type = require_permit_type(licence.permit_type)
    holder = licence.holder
    rows: list[tuple[str, str]] = []
    if permit_type.holder == "person":
        rows.append(("身份证号码", holder.get("id_number", "")))
        rows.append(("用人单位", holder.get("name", "")))
    else:
        rows.append(("统一社会信用代码", holder.get("credit_code", "")))
        rows.append(("法定代表人（主要负责人）", holder.get("legal_representative", "")))
        rows.append(("注册地址", holder.get("address", "")))
    form = holder.get("form", {})
    for key, label in permit_type.licence_fields.items():
        value = form.get(key)
        if value in (None, "", []):
            continue
        if isinstance(value, bool):
            value = "是" if value else "否"
        elif isinstance(value, list):
            value = "、".join(str(v) for v in value)
        rows.append((label, str(value)))
    return rows


def licence_document(licence: Licence) -> LicenceDocument:
    permit_type = require_permit_type(licence.permit_type)
    return LicenceDocument(
        template=permit_type.licence_template,
        title=permit_type.name,
        number=licence.number,
        identifier=licence.identifier,
        holder_label=permit_type.holder_label,
        holder_name=name_on_licence(licence.holder),
        fields=_fields(licence),
        valid_from=licence.valid_from,
        valid_until=licence.valid_until,
        issued_on=licence.issued_on,
        issuer_name=licence.issuer_name,
        verification_url=verification_url(licence),
        check_code=check_code(licence),
        change_note=licence.change_note,
    )


def signed_pdf(licence: Licence, signing_time: datetime) -> bytes:
    """``licence``'s PDF, rendered and signed (PAdES)."""
    unsigned = render_licence(licence_document(licence), typeface=typeface())
    return signer().sign(
        unsigned,
        reason=f"{licence.issuer_name}签发电子证照",
        location=licence.issuer_name,
        signing_time=signing_time,
    )


def store_licence_pdf(licence: Licence, signing_time: datetime) -> str:
    """Render, sign and store ``licence``'s PDF; record its hash in the caller's transaction."""
    licence.pdf_sha256 = _storage().put_bytes(signed_pdf(licence, signing_time))
    return licence.pdf_sha256


def store_licence_documents(licence: Licence, signing_time: datetime) -> None:
    """Both documents of a licence being issued, stored, their hashes recorded in the
    caller's transaction. The signed PDF is written in a second thread while the OFD is laid
    out, sealed and written here, so issuing waits for one file's fsyncs, not two in a row."""
    store = _storage()
    licence.pdf_sha256, licence.ofd_sha256 = store.put_bytes_beside(
        signed_pdf(licence, signing_time),
        lambda: store.put_bytes(sealed_ofd(licence, signing_time)),
    )


def licence_metadata(licence: Licence) -> list[tuple[str, str]]:
    """The GB/T 36903 metadata of ``licence`` (``DocInfo/CustomDatas`` of its OFD)."""
    permit_type = require_permit_type(licence.permit_type)
    holder = licence.holder
    code_key = "id_number" if permit_type.holder == "person" else "credit_code"
    rows = [
        ("证照名称", permit_type.name),
        ("证照类型代码", permit_type.type_code),
        ("证照编号", licence.number),
        ("证照标识", licence.identifier),
        ("发证机构", licence.issuer_name),
        ("发证机构代码", current_app.config["ISSUER_CREDIT_CODE"]),
        ("发证日期", licence.issued_on.isoformat()),
        ("持证主体", name_on_licence(holder)),
    ]
    if holder.get(code_key):
        rows += [
            ("持证主体代码", holder[code_key]),
            ("持证主体代码类型", HOLDER_CODE_TYPES[code_key]),
        ]
    rows += [
        ("有效期起始日期", licence.valid_from.isoformat()),
        ("有效期截止日期", licence.valid_until.isoformat()),
    ]
    return rows


def sealed_ofd(licence: Licence, signing_time: datetime) -> bytes:
    """``licence``'s OFD, rendered and sealed (GB/T 38540 SM2 signature)."""
    signer = seal_signer()
    document = licence_document(licence)
    package = render_licence_ofd(
        document,
        info=DocInfo(
            doc_id=uuid.uuid5(uuid.NAMESPACE_URL, licence.identifier or licence.number).hex,
            title=f"{document.title} {licence.number}",
            author=licence.issuer_name,
            created=licence.issued_on,
            custom=licence_metadata(licence),
        ),
        seal_png=signer.seal.picture.png,
        typeface=typeface(),
    )
    return seal_package(package, signer, signing_time)


def store_licence_ofd(licence: Licence, signing_time: datetime) -> str:
    """Render, seal and store ``licence``'s OFD; record its hash in the caller's transaction."""
    licence.ofd_sha256 = _storage().put_bytes(sealed_ofd(licence, signing_time))
    return licence.ofd_sha256


def licence_ofd(licence: Licence) -> bytes:
    """The stored sealed OFD of ``licence`` (read only)."""
    store = _storage()
    if not licence.ofd_sha256 or not store.exists(licence.ofd_sha256):
        raise Conflict("电子证照文件正在生成，请稍后再试", code="LICENCE_PDF_PENDING")
    return store.read_bytes(licence.ofd_sha256)


def licence_pdf(licence: Licence) -> bytes:
    """The stored signed PDF of ``licence`` (read only)."""
    store = _storage()
    if not licence.pdf_sha256 or not store.exists(licence.pdf_sha256):
        raise Conflict("电子证照文件正在生成，请稍后再试", code="LICENCE_PDF_PENDING")
    return store.read_bytes(licence.pdf_sha256)


def render_missing_pdfs(progress: Callable[[str, int, int], None] | None = None) -> int:
    """Render the PDF and the OFD of every licence that lacks one, ``RENDER_BATCH`` per transaction.

    For licences loaded from a register (signed now: the signature says when the office
    signed, not when the paper licence was issued) and for recovering from a crash between
    import and rendering. Safe to run again or beside itself: a licence that got its PDF
    meanwhile is skipped.
    """
    missing = or_(Licence.pdf_sha256.is_(None), Licence.ofd_sha256.is_(None))
    pending = db.session.scalars(select(Licence.id).where(missing).order_by(Licence.id)).all()
    done = 0
    for start in range(0, len(pending), RENDER_BATCH):
        batch = pending[start : start + RENDER_BATCH]
        licences = db.session.scalars(
            select(Licence).where(Licence.id.in_(batch), missing).with_for_update(skip_locked=True)
        ).all()
        for licence in licences:
            if licence.pdf_sha256 is None:
                store_licence_pdf(licence, timekeeping.now())
            if licence.ofd_sha256 is None:
                store_licence_ofd(licence, timekeeping.now())
        db.session.commit()
        done += len(batch)
        if progress is not None:
            progress("生成电子证照", done, len(pending))
    return len(pending)


def label_pdf(application: Application, shipment: Shipment) -> bytes:
    return render_label(_label_document(application, shipment), typeface=typeface())


def labels_pdf(cases: list[tuple[Application, Shipment]]) -> bytes:
    """The mailing labels of several shipped cases, one page each, in one PDF."""
    return render_labels([_label_document(a, s) for a, s in cases], typeface=typeface())


def _label_document(application: Application, shipment: Shipment) -> LabelDocument:
    delivery = application.delivery or {}
    return LabelDocument(
        sender_name=application_issuer(application),
        sender_address="政务服务中心应急管理窗口",
        sender_phone="12350",
        recipient=delivery.get("recipient", ""),
        phone_masked=mask_phone(delivery.get("phone", "")),
        address=delivery.get("address", ""),
        carrier=carrier_name(shipment.carrier),
        tracking_no=shipment.tracking_no,
        reference=application.number,
    )


def application_issuer(application: Application) -> str:
    if application.issued_licence_id:
        licence = db.session.get(Licence, application.issued_licence_id)
        if licence:
            return licence.issuer_name
    return "应急管理局"
