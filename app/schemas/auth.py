"""Login and current-user shapes."""

from __future__ import annotations

from marshmallow import Schema, fields, validate


class WechatLoginSchema(Schema):
    code = fields.String(required=True, validate=validate.Length(min=1, max=256))


class StaffLoginSchema(Schema):
    username = fields.String(required=True, validate=validate.Length(min=1, max=64))
    password = fields.String(
        required=True, load_only=True, validate=validate.Length(min=1, max=256)
    )


class LoginResponseSchema(Schema):
    token = fields.String()
    expires_in = fields.Integer()
    user = fields.Dict()


class MeSchema(Schema):
    id = fields.Integer()
    kind = fields.String()
    openid_masked = fields.String()
    phone_masked = fields.String(
        allow_none=True, metadata={"description": "微信验证的手机号（脱敏），可作为默认收件电话"}
    )
    username = fields.String()
    roles = fields.List(fields.String())
    region_code = fields.String()
    enterprises = fields.List(fields.Dict())
