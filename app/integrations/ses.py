"""GB/T 38540-2020 electronic seal structures ("v4"): ``SESeal`` and ``SES_Signature``.

The seal maker (制章者) makes a ``SESeal`` once: the seal's picture, name, validity and the
certificates of those who may use it, signed with the seal maker's SM2 key over the DER of
``SES_SealInfo``. At each signature the signer builds a ``TBS_Sign`` (version 4, the seal,
the time, ``dataHash`` = SM3 of the signed data, here ``Signature.xml``) and signs its DER
with the signer's SM2 key; the signer's certificate travels in ``SES_Signature.cert``.
The field order follows the standard (and ofdrw's ``ofdrw-gm/ses/v4``).
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

from asn1crypto import core, x509

from app.integrations.sm2 import (
    SM2_WITH_SM3,
    Sm2Error,
    Sm2Key,
    certificate_public_key,
    load_certificate,
    sm3,
    verify,
)

SEAL_VERSION = 4
SEAL_VENDOR_ID = "ZEROVISIT"
SEAL_TYPE_OFFICIAL = 1  # 单位印章
CERT_LIST_CERTIFICATES = 1  # certList holds the certificates themselves, not their digests


class SesHeader(core.Sequence):
    _fields = [("id", core.IA5String), ("version", core.Integer), ("vid", core.IA5String)]


class CertList(core.SequenceOf):
    _child_spec = core.OctetString


class PropertyInfo(core.Sequence):
    _fields = [
        ("type", core.Integer),
        ("name", core.UTF8String),
        ("cert_list_type", core.Integer),
        ("cert_list", CertList),
        ("create_date", core.GeneralizedTime),
        ("valid_start", core.GeneralizedTime),
        ("valid_end", core.GeneralizedTime),
    ]


class PictureInfo(core.Sequence):
    _fields = [
        ("type", core.IA5String),
        ("data", core.OctetString),
        ("width", core.Integer),  # millimetres
        ("height", core.Integer),
    ]


class SealInfo(core.Sequence):
    _fields = [
        ("header", SesHeader),
        ("es_id", core.IA5String),
        ("property", PropertyInfo),
        ("picture", PictureInfo),
    ]


class SESeal(core.Sequence):
    _fields = [
        ("eseal_info", SealInfo),
        ("cert", core.OctetString),
        ("sign_alg_id", core.ObjectIdentifier),
        ("signed_value", core.OctetBitString),
    ]


class TbsSign(core.Sequence):
    _fields = [
        ("version", core.Integer),
        ("eseal", SESeal),
        ("time_info", core.GeneralizedTime),
        ("data_hash", core.OctetBitString),
        ("property_info", core.IA5String),
    ]


class SesSignature(core.Sequence):
    _fields = [
        ("to_sign", TbsSign),
        ("cert", core.OctetString),
        ("signature_alg_id", core.ObjectIdentifier),
        ("signature", core.OctetBitString),
        ("time_stamp", core.OctetBitString, {"implicit": 0, "optional": True}),
    ]


@dataclasses.dataclass(frozen=True)
class SealPicture:
    """The seal's image (PNG bytes) and its printed size in millimetres."""

    png: bytes
    width_mm: int
    height_mm: int


@dataclasses.dataclass(frozen=True)
class SealSpec:
    """What the seal maker puts into a seal."""

    es_id: str
    name: str
    picture: SealPicture
    valid_start: datetime
    valid_end: datetime
    created: datetime


def make_seal(
    spec: SealSpec, users: list[x509.Certificate], maker_key: Sm2Key, maker: x509.Certificate
) -> bytes:
    """The DER ``SESeal`` of ``spec``, usable by ``users``, signed by the seal maker."""
    info = SealInfo(
        {
            "header": {"id": "ES", "version": SEAL_VERSION, "vid": SEAL_VENDOR_ID},
            "es_id": spec.es_id,
            "property": {
                "type": SEAL_TYPE_OFFICIAL,
                "name": spec.name,
                "cert_list_type": CERT_LIST_CERTIFICATES,
                "cert_list": [user.dump() for user in users],
                "create_date": spec.created,
                "valid_start": spec.valid_start,
                "valid_end": spec.valid_end,
            },
            "picture": {
                "type": "PNG",
                "data": spec.picture.png,
                "width": spec.picture.width_mm,
                "height": spec.picture.height_mm,
            },
        }
    )
    return SESeal(
        {
            "eseal_info": info,
            "cert": maker.dump(),
            "sign_alg_id": SM2_WITH_SM3,
            "signed_value": maker_key.sign(info.dump()),
        }
    ).dump()


@dataclasses.dataclass(frozen=True)
class ParsedSeal:
    """A seal read back: its DER, the seal maker's certificate and what the seal says."""

    der: bytes
    maker: x509.Certificate
    name: str
    users: tuple[bytes, ...]
    picture: SealPicture
    valid_end: datetime


def parse_seal(der: bytes) -> ParsedSeal:
    """Read a ``SESeal``; :class:`Sm2Error` (Chinese message) for anything else."""
    try:
        seal = SESeal.load(der)
        info = seal["eseal_info"]
        header = info["header"]
        if header["id"].native != "ES" or header["version"].native != SEAL_VERSION:
            raise Sm2Error("印章文件不是 GB/T 38540（第 4 版）电子印章。")
        prop, picture = info["property"], info["picture"]
        parsed = ParsedSeal(
            der=der,
            maker=load_certificate(seal["cert"].native),
            name=prop["name"].native,
            users=tuple(item.native for item in prop["cert_list"]),
            picture=SealPicture(
                picture["data"].native, picture["width"].native, picture["height"].native
            ),
            valid_end=prop["valid_end"].native,
        )
    except (ValueError, TypeError, KeyError) as error:
        if isinstance(error, Sm2Error):
            raise
        raise Sm2Error("印章文件无法读取：应为 DER 编码的 SESeal 电子印章。") from error
    return parsed


def seal_maker_signature_valid(seal_der: bytes) -> bool:
    """Whether the seal maker's signature over ``SES_SealInfo`` verifies."""
    seal = SESeal.load(seal_der)
    maker = load_certificate(seal["cert"].native)
    return verify(
        certificate_public_key(maker), seal["eseal_info"].dump(), seal["signed_value"].native
    )


def sign(
    data: bytes,
    *,
    seal_der: bytes,
    signer_key: Sm2Key,
    signer: x509.Certificate,
    when: datetime,
    property_info: str,
) -> bytes:
    """The DER ``SES_Signature`` (v4) of ``data`` with the seal, by the signer."""
    tbs = TbsSign(
        {
            "version": SEAL_VERSION,
            "eseal": SESeal.load(seal_der),
            "time_info": when.astimezone(UTC).replace(microsecond=0),
            "data_hash": sm3(data),
            "property_info": property_info,
        }
    )
    return SesSignature(
        {
            "to_sign": tbs,
            "cert": signer.dump(),
            "signature_alg_id": SM2_WITH_SM3,
            "signature": signer_key.sign(tbs.dump()),
        }
    ).dump()
