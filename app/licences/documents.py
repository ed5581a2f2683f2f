"""The signed licence PDF and the mailing label.

A licence's PDF is rendered and signed when the licence comes into being — in the issuing
transaction for an issued licence (signing time = issue time), right after the import for a
register's licences — and kept in the document store under its hash. Reading it never
writes. The file is stored (fsynced) before the transaction that records its hash commits,
so a committed hash always names a complete file; a crash before the commit leaves at most
an unreferenced file. Licences still without a PDF (an import interrupted before rendering)
are found and rendered by :func:`render_missing_pdfs` (``flask licences render-pdfs``).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import datetime
from functools import cache
from pathlib import Path
from urllib.parse import quote

from flask import current_app
from sqlalchemy import select

from app import timekeeping
from app.domain.carriers import carrier_name
from app.domain.permit_types import require_permit_type
from app.errors import Conflict
from app.extensions import db
from app.integrations.signer import LicenceSigner, PkiPaths, ensure_dev_pki
from app.integrations.storage import DocumentStore, storage_for
from app.licences.holder import name_on_licence
from app.models import Application, Licence, Shipment
from pdf_templates.render import (
    LabelDocument,
    LicenceDocument,
    Typeface,
    render_label,
    render_licence,
    select_typeface,
)
from permits.identifiers import mask_phone, verification_code

RENDER_BATCH = 50


def check_code(licence: Licence) -> str:
    """The code printed beside the QR code, keyed by the office's secret."""
    return verification_code(current_app.config["LICENCE_CHECK_SECRET"].encode(), licence.number)


def verification_url(licence: Licence) -> str:
    """The public verification address the licence's QR code holds."""
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    return f"{base}/api/v1/verify/{quote(licence.number, safe='')}?code={check_code(licence)}"


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


def store_licence_pdf(licence: Licence, signing_time: datetime) -> str:
    """Render, sign and store ``licence``'s PDF; record its hash in the caller's transaction."""
    unsigned = render_licence(licence_document(licence), typeface=typeface())
    signed = signer().sign(
        unsigned,
        reason=f"{licence.issuer_name}签发电子证照",
        location=licence.issuer_name,
        signing_time=signing_time,
    )
    licence.pdf_sha256 = _storage().put_bytes(signed)
    return licence.pdf_sha256


def licence_pdf(licence: Licence) -> bytes:
    """The stored signed PDF of ``licence`` (read only)."""
    store = _storage()
    if not licence.pdf_sha256 or not store.exists(licence.pdf_sha256):
        raise Conflict("电子证照文件正在生成，请稍后再试", code="LICENCE_PDF_PENDING")
    return store.read_bytes(licence.pdf_sha256)


def render_missing_pdfs(progress: Callable[[str, int, int], None] | None = None) -> int:
    """Render the PDF of every licence that has none, ``RENDER_BATCH`` per transaction.

    For licences loaded from a register (signed now: the signature says when the office
    signed, not when the paper licence was issued) and for recovering from a crash between
    import and rendering. Safe to run again or beside itself: a licence that got its PDF
    meanwhile is skipped.
    """
    pending = db.session.scalars(
        select(Licence.id).where(Licence.pdf_sha256.is_(None)).order_by(Licence.id)
    ).all()
    done = 0
    for start in range(0, len(pending), RENDER_BATCH):
        batch = pending[start : start + RENDER_BATCH]
        licences = db.session.scalars(
            select(Licence)
            .where(Licence.id.in_(batch), Licence.pdf_sha256.is_(None))
            .with_for_update(skip_locked=True)
        ).all()
        for licence in licences:
            store_licence_pdf(licence, timekeeping.now())
        db.session.commit()
        done += len(batch)
        if progress is not None:
            progress("生成电子证照", done, len(pending))
    return len(pending)


def label_pdf(application: Application, shipment: Shipment) -> bytes:
    delivery = application.delivery or {}
    return render_label(
        LabelDocument(
            sender_name=application_issuer(application),
            sender_address="政务服务中心应急管理窗口",
            sender_phone="12350",
            recipient=delivery.get("recipient", ""),
            phone_masked=mask_phone(delivery.get("phone", "")),
            address=delivery.get("address", ""),
            carrier=carrier_name(shipment.carrier),
            tracking_no=shipment.tracking_no,
            reference=application.number,
        ),
        typeface=typeface(),
    )


def application_issuer(application: Application) -> str:
    if application.issued_licence_id:
        licence = db.session.get(Licence, application.issued_licence_id)
        if licence:
            return licence.issuer_name
    return "应急管理局"
