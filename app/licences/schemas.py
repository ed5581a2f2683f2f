"""The licence resource: one schema that documents it and dumps ``Licence`` objects.

The API returns licences and lets this schema dump them (once); the console shows the same
dump (``licence_view``). What is not a column — status, days to expiry, the particulars the
licence lacks, the verification URL — is derived by ``LicenceOut``, the licence as shown.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

from marshmallow import Schema, fields, pre_dump, validate

from app.domain.permit_types import require_permit_type
from app.licences.documents import ofd_url, verification_url
from app.licences.holder import name_on_licence
from app.licences.lifecycle import STATUS_LABELS, days_to_expiry, licence_status
from app.models import Licence
from app.schemas.common import PageSchema, day
from app.schemas.enterprise import EnterpriseRefSchema
from app.schemas.licence import STATUSES


class LicenceOut:
    """A licence as the API shows it: its columns, and what is derived from them."""

    def __init__(self, licence: Licence) -> None:
        self.licence = licence

    def __getattr__(self, name: str) -> Any:
        return getattr(self.licence, name)

    @cached_property
    def status(self) -> str:
        return licence_status(self.licence)

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def holder_name(self) -> str | None:
        return name_on_licence(self.licence.holder) or None

    @property
    def missing_particulars(self) -> list[dict[str, str]]:
        permit_type = require_permit_type(self.licence.permit_type)
        missing = permit_type.missing_particulars(self.licence.holder.get("form") or {})
        return [{"field": name, "label": permit_type.licence_fields[name]} for name in missing]

    @property
    def days_to_expiry(self) -> int:
        return days_to_expiry(self.licence)

    @property
    def verification_url(self) -> str:
        return verification_url(self.licence)

    @property
    def ofd_url(self) -> str:
        return ofd_url(self.licence)


class ParticularSchema(Schema):
    field = fields.String(metadata={"description": "证面事项代码，如 business_premises"})
    label = fields.String(metadata={"description": "证面事项中文名"})


class LicenceSchema(Schema):
    id = fields.Integer()
    number = fields.String()
    identifier = fields.String()
    permit_type = fields.String()
    enterprise = fields.Nested(EnterpriseRefSchema)
    holder_name = fields.String(metadata={"description": "持证人：企业名称或个人姓名"})
    status = fields.String(validate=validate.OneOf(STATUSES))
    status_label = fields.String(metadata={"description": "状态中文名"})
    missing_particulars = fields.List(
        fields.Nested(ParticularSchema),
        metadata={"description": "证面尚缺的事项（历史导入的许可证可能缺少）"},
    )
    issued_on = day()
    valid_from = day()
    valid_until = day()
    days_to_expiry = fields.Integer()
    issuer_name = fields.String()
    supersedes_id = fields.Integer(allow_none=True)
    change_note = fields.String(allow_none=True)
    source = fields.String(metadata={"description": "issued 本系统签发、imported 历史导入"})
    verification_url = fields.String(metadata={"format": "uri", "description": "二维码核验地址"})
    ofd_url = fields.String(
        metadata={
            "format": "uri",
            "description": "国家标准电子证照（OFD，GB/T 38540 SM2 电子签章）的下载地址",
        }
    )
    version = fields.Integer()

    @pre_dump
    def _shown(self, licence: Licence | LicenceOut, **kwargs: Any) -> LicenceOut:
        return licence if isinstance(licence, LicenceOut) else LicenceOut(licence)


class LicencePageSchema(PageSchema):
    items = fields.List(fields.Nested(LicenceSchema))


_LICENCE = LicenceSchema()


def licence_view(licence: Licence) -> dict[str, Any]:
    """The licence resource as a dict (the console's pages show the API's fields)."""
    return _LICENCE.dump(licence)
