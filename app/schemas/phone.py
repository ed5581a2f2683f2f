"""The phone resources: what their operations take and answer."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from app.schemas.openapi import Resource
from permits.identifiers import mask_phone


class PhoneCodeSchema(Schema):
    code = fields.String(
        required=True,
        validate=validate.Length(min=1, max=256),
        metadata={"description": "小程序 getPhoneNumber 按钮返回的动态令牌 code"},
    )


class PhoneBoundSchema(Resource):
    """A ``VerifiedPhone``, shown masked."""

    phone_masked = fields.Function(
        lambda row: mask_phone(row.phone),
        metadata={"type": "string", "description": "已验证的手机号（脱敏，仅显示后4位）"},
    )
