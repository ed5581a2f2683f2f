"""Binding the applicant's phone number through WeChat's phone button."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from app.auth import current_user, login_required
from app.services import phone as service
from permits.identifiers import mask_phone

blp = Blueprint("phone", __name__, url_prefix="/auth/wechat", description="微信手机号")
SECURITY = [{"bearerAuth": []}]


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
    @blp.doc(security=SECURITY)
    def post(self, body: dict):
        """Verify the applicant's phone number with WeChat and keep it for delivery contacts."""
        row = service.bind_phone(current_user(), body["code"])
        return {"phone_masked": mask_phone(row.phone)}
