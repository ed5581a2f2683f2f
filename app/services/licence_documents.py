"""The signed licence PDF and the mailing label.

A licence's PDF is rendered and signed on first request (imported licences have none
until then) and kept in the document store under its hash; later requests serve the
stored bytes. Two first requests racing both render, but only one hash is recorded.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from flask import current_app
from sqlalchemy import update

from app.extensions import db
from app.integrations.signer import LicenceSigner, PkiPaths, ensure_dev_pki
from app.integrations.storage import FileStorage
from app.models import Application, Licence, Shipment
from app.services.carriers import carrier_name
from app.services.licences import check_code, verification_url
from permits.catalogue import get_permit_type
from permits.identifiers import mask_phone
from permits.licence_pdf import (
    LabelDocument,
    LicenceDocument,
    find_cjk_font,
    render_label,
    render_licence,
)


def _storage() -> FileStorage:
    return FileStorage(Path(current_app.config["DATA_DIR"]) / "licences")


def pki_paths() -> PkiPaths:
    config = current_app.config
    if config["SIGNING_KEY_PATH"]:
        return PkiPaths(
            root_cert=Path(config["SIGNING_CA_PATH"]),
            signing_cert=Path(config["SIGNING_CERT_PATH"]),
            signing_key=Path(config["SIGNING_KEY_PATH"]),
        )
    return ensure_dev_pki(Path(config["DATA_DIR"]) / "pki")


@cache
def _font(configured: str) -> str | None:
    return find_cjk_font(configured or None)


def _signer() -> LicenceSigner:
    paths = pki_paths()
    passphrase = current_app.config["SIGNING_KEY_PASSPHRASE"].encode() or None
    return LicenceSigner(
        paths.signing_key, paths.signing_cert, paths.root_cert, key_passphrase=passphrase
    )


def _fields(licence: Licence) -> list[tuple[str, str]]:
    permit_type = get_permit_type(licence.permit_type)
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
    permit_type = get_permit_type(licence.permit_type)
    return LicenceDocument(
        template=permit_type.licence_template,
        title=permit_type.name,
        number=licence.number,
        identifier=licence.identifier,
        holder_name=licence.holder.get("person_name") or licence.holder.get("name", ""),
        fields=_fields(licence),
        valid_from=licence.valid_from,
        valid_until=licence.valid_until,
        issued_on=licence.issued_on,
        issuer_name=licence.issuer_name,
        verification_url=verification_url(licence),
        check_code=check_code(licence),
        change_note=licence.change_note,
    )


def licence_pdf(licence: Licence) -> bytes:
    """The signed PDF of ``licence``, rendered and stored on first use."""
    store = _storage()
    if licence.pdf_sha256 and store.exists(licence.pdf_sha256):
        return store.read_bytes(licence.pdf_sha256)
    unsigned = render_licence(
        licence_document(licence), font_path=_font(current_app.config["PDF_FONT_PATH"])
    )
    signed = _signer().sign(
        unsigned, reason=f"{licence.issuer_name}签发电子证照", location=licence.issuer_name
    )
    sha256 = store.put_bytes(signed)
    # Record the hash only if no concurrent request recorded one first (no version bump:
    # the licence itself did not change).
    db.session.execute(
        update(Licence)
        .where(Licence.id == licence.id, Licence.pdf_sha256.is_(None))
        .values(pdf_sha256=sha256)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    db.session.refresh(licence)
    return store.read_bytes(licence.pdf_sha256 or sha256)


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
        font_path=_font(current_app.config["PDF_FONT_PATH"]),
    )


def application_issuer(application: Application) -> str:
    if application.issued_licence_id:
        licence = db.session.get(Licence, application.issued_licence_id)
        if licence:
            return licence.issuer_name
    return "应急管理局"
