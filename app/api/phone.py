"""Binding the applicant's phone number through WeChat's phone button."""

from __future__ import annotations

from flask.views import MethodView
from marshmallow import Schema, fields, validate

from app.api.docs import JSON_BODY, Blueprint
from app.services import phone as service
from app.web.auth import current_user, login_required
from permits.identifiers import mask_phone

blp = Blueprint("phone", __name__, url_prefix="/auth/wechat", description="微信手机号")


class PhoneCodeSchema(Schema):
    code = fields.String(
        required=True,
        validate=validate.Length(min=1, max=256),
        metadata={"description": "小程序 getPhoneNumber 按钮返回的动态令牌 code"},
    )


class PhoneBoundSchema(Schema):
    phone_masked = fields.String(metadata={"description": "已验证的手机号（脱敏，仅显示后4位）"})


@blp.route("/phone")
class WechatPhone(MethodView):
    @login_required
    @blp.arguments(PhoneCodeSchema)
    @blp.response(200, PhoneBoundSchema)
    @blp.operation(
        "bindWechatPhone",
        "绑定微信手机号",
        "用小程序手机号按钮返回的 code 向微信验证手机号，保存为默认收件电话，返回脱敏号码。",
    )
    @blp.problems(401, (429, "微信接口限流"), (502, "WECHAT_UNAVAILABLE 等"), *JSON_BODY)
    def post(self, body: dict):
        """Verify the applicant's phone number with WeChat and keep it for delivery contacts."""
        row = service.bind_phone(current_user(), body["code"])
        return {"phone_masked": mask_phone(row.phone)}
