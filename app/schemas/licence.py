"""Licences, verification, shipments and courier reports."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from app.schemas.common import LocalDateTime, PageArgs, PageSchema, day, export_format
from app.schemas.enterprise import EnterpriseRefSchema
from app.schemas.openapi import Resource

STATUSES = ("pending", "active", "expiring", "expired", "superseded", "revoked")


class LicenceQuerySchema(PageArgs):
    enterprise_id = fields.Integer()
    status = fields.String(validate=validate.OneOf(STATUSES))
    expiring_within_days = fields.Integer(validate=validate.Range(min=0, max=3650))
    format = export_format()


class RevokeSchema(Schema):
    comment = fields.String(required=True, validate=validate.Length(min=1, max=2000))
    version = fields.Integer()


class VerifyQuerySchema(Schema):
    code = fields.String(load_default="")


class VerificationSchema(Resource):
    valid = fields.Boolean(required=True)
    status = fields.String(allow_none=True, validate=validate.OneOf(STATUSES))
    status_label = fields.String(allow_none=True)
    permit_type = fields.String(allow_none=True, metadata={"description": "事项名称"})
    enterprise_name = fields.String(
        allow_none=True, metadata={"description": "持证人（个人仅显示姓）"}
    )
    valid_from = day(allow_none=True)
    valid_until = day(allow_none=True)
    issuer_name = fields.String(allow_none=True)
    number = fields.String(required=True)


SHIPMENT_STATUSES = ("in_transit", "delivered", "failed")


class CourierReportSchema(Schema):
    tracking_no = fields.String(required=True, validate=validate.Length(min=1, max=64))
    status = fields.String(required=True, validate=validate.OneOf(SHIPMENT_STATUSES))
    at = fields.AwareDateTime(
        required=True, default_timezone=None, metadata={"description": "事件时间（须带时区）"}
    )


class CourierResultSchema(Resource):
    result = fields.String(
        required=True, metadata={"description": "处理结果，如 applied（已处理）、duplicate（重复）"}
    )


class ShipmentEventSchema(Resource):
    status = fields.String()
    at = LocalDateTime()


class CarrierSchema(Resource):
    code = fields.String(metadata={"description": "快递公司代码，dispatch 与回调路径使用"})
    name = fields.String(metadata={"description": "快递公司名称"})


class CarrierListSchema(Resource):
    items = fields.List(fields.Nested(CarrierSchema))


class ShipmentSchema(Resource):
    id = fields.Integer()
    application_id = fields.Integer()
    carrier = fields.String()
    carrier_name = fields.String()
    tracking_no = fields.String()
    status = fields.String()
    events = fields.List(fields.Nested(ShipmentEventSchema))
    created_at = LocalDateTime()


class ParticularSchema(Resource):
    field = fields.String(metadata={"description": "证面事项代码，如 business_premises"})
    label = fields.String(metadata={"description": "证面事项中文名"})


class LicenceSchema(Resource):
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


class LicencePageSchema(PageSchema):
    items = fields.List(fields.Nested(LicenceSchema))
