"""Binding the applicant's phone number through WeChat's phone button."""

from __future__ import annotations

from flask.views import MethodView

from app.api.docs import JSON_BODY, Blueprint
from app.schemas.phone import PhoneBoundSchema, PhoneCodeSchema
from app.services import phone as service
from app.web.auth import current_user, login_required

blp = Blueprint("phone", __name__, url_prefix="/auth/wechat", description="微信手机号")


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
    @blp.problems(
        401,
        (403, "仅申请人"),
        (429, "WECHAT_RATE_LIMITED：微信接口限流"),
        (502, "WECHAT_UNAVAILABLE、WECHAT_CONFIG_INVALID"),
        *JSON_BODY,
        (422, "WECHAT_PHONE_CODE_INVALID"),
    )
    def post(self, body: dict):
        """Verify the applicant's phone number with WeChat and keep it for delivery contacts."""
        return service.bind_phone(current_user(), body["code"])
