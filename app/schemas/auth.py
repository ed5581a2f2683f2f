"""Login and current-user shapes."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from app.schemas.enterprise import EnterpriseRefSchema
from app.schemas.openapi import Resource


class WechatLoginSchema(Schema):
    code = fields.String(required=True, validate=validate.Length(min=1, max=256))


class StaffLoginSchema(Schema):
    username = fields.String(required=True, validate=validate.Length(min=1, max=64))
    password = fields.String(
        required=True, load_only=True, validate=validate.Length(min=1, max=256)
    )
    totp = fields.String(
        load_only=True,
        validate=validate.Length(max=16),
        metadata={"description": "动态验证码（RFC 6238，6位）：账号已启用双因素认证时必填"},
    )


class LoginUserSchema(Resource):
    """The user who logged in: an applicant's masked openid, or a staff member's roles."""

    OPTIONAL: tuple[str, ...] = ("openid_masked", "username", "roles", "region_code")

    id = fields.Integer()
    openid_masked = fields.String(metadata={"description": "申请人：脱敏的微信 openid"})
    username = fields.String(metadata={"description": "工作人员：用户名"})
    roles = fields.List(fields.String(), metadata={"description": "工作人员：角色"})
    region_code = fields.String(metadata={"description": "工作人员：所辖行政区划"})


class LoginResponseSchema(Resource):
    token = fields.String(metadata={"description": "Bearer 令牌"})
    expires_in = fields.Integer(metadata={"description": "有效期（秒）"})
    user = fields.Nested(LoginUserSchema)


class MeSchema(LoginUserSchema):
    OPTIONAL = (*LoginUserSchema.OPTIONAL, "phone_masked", "enterprises")

    kind = fields.String(validate=validate.OneOf(("applicant", "staff")))
    phone_masked = fields.String(
        allow_none=True, metadata={"description": "微信验证的手机号（脱敏），可作为默认收件电话"}
    )
    enterprises = fields.List(
        fields.Nested(EnterpriseRefSchema), metadata={"description": "申请人：其管理的企业"}
    )
