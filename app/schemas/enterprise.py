"""Enterprise registration and representation."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from app.schemas.common import LocalDateTime, Pattern
from app.schemas.openapi import Resource

PHONE = r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$"


class EnterpriseClaimSchema(Schema):
    """Proof of holding an imported enterprise: one of its licences and that licence's code."""

    licence_number = fields.String(required=True, validate=validate.Length(min=1, max=64))
    code = fields.String(required=True, validate=validate.Length(min=1, max=32))


class EnterpriseCreateSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=2, max=200))
    credit_code = fields.String(required=True, validate=validate.Length(min=1, max=32))
    legal_representative = fields.String(required=True, validate=validate.Length(min=1, max=64))
    address = fields.String(required=True, validate=validate.Length(min=2, max=300))
    region_code = fields.String(
        required=True, validate=Pattern(r"^\d{6}$", error="须为6位数字的行政区划代码")
    )
    contact_phone = fields.String(
        required=True, validate=Pattern(PHONE, error="联系电话格式不正确")
    )
    claim = fields.Nested(EnterpriseClaimSchema, required=False)


class EnterpriseSchema(Resource):
    """Dumps an ``Enterprise`` model as the API shows it."""

    id = fields.Integer()
    name = fields.String()
    credit_code = fields.String()
    legal_representative = fields.String()
    address = fields.String()
    region_code = fields.String()
    contact_phone = fields.String()
    created_at = LocalDateTime()


class EnterpriseListSchema(Resource):
    items = fields.List(fields.Nested(EnterpriseSchema))


class EnterpriseRefSchema(Resource):
    """An enterprise as other resources name it."""

    id = fields.Integer()
    name = fields.String()
    credit_code = fields.String()
