"""Logging in (WeChat for applicants, password for staff) and the current user."""

from __future__ import annotations

from flask.views import MethodView

from app.api.docs import JSON_BODY, Blueprint
from app.extensions import client_address
from app.schemas.auth import LoginResponseSchema, MeSchema, StaffLoginSchema, WechatLoginSchema
from app.services import identity
from app.services.user_shown import ShownUser
from app.web.auth import current_user, issue_token, login_required

blp = Blueprint("auth", __name__, url_prefix="", description="登录与当前用户")


@blp.route("/auth/wechat")
class WechatLogin(MethodView):
    @blp.arguments(WechatLoginSchema)
    @blp.response(200, LoginResponseSchema)
    @blp.operation(
        "loginWechat",
        "申请人微信登录",
        "用小程序 wx.login 取得的 code 登录，返回 Bearer 令牌。",
        auth=False,
    )
    @blp.problems(
        (401, "WECHAT_CODE_INVALID：登录凭证无效；WECHAT_USER_BLOCKED：微信用户受限"),
        (429, "WECHAT_RATE_LIMITED：微信接口限流"),
        (502, "WECHAT_UNAVAILABLE、WECHAT_CONFIG_INVALID"),
        *JSON_BODY,
    )
    def post(self, body: dict):
        """Log an applicant in with a mini-program login code."""
        user = identity.login_with_wechat(body["code"])
        token, ttl = issue_token(user)
        return {"token": token, "expires_in": ttl, "user": ShownUser(user)}


@blp.route("/auth/staff")
class StaffLogin(MethodView):
    @blp.arguments(StaffLoginSchema)
    @blp.response(200, LoginResponseSchema)
    @blp.operation(
        "loginStaff",
        "工作人员登录",
        "用户名和密码（已启用双因素认证的账号加动态验证码）登录，"
        "返回 Bearer 令牌及角色、所辖区域；连续失败会被限制。",
        auth=False,
    )
    @blp.problems(
        (
            401,
            "INVALID_CREDENTIALS、ACCOUNT_DISABLED；TOTP_REQUIRED（缺少或错误的动态验证码）；"
            "TOTP_ENROLMENT_REQUIRED（生产环境的管理员、审批人员未绑定动态验证码）",
        ),
        (429, "LOGIN_THROTTLED：登录失败次数过多，稍后再试"),
        *JSON_BODY,
    )
    def post(self, body: dict):
        """Log a staff member in with username and password."""
        user = identity.login_staff(
            body["username"], body["password"], client_address(), body.get("totp")
        )
        token, ttl = issue_token(user)
        return {"token": token, "expires_in": ttl, "user": ShownUser(user)}


@blp.route("/me")
class Me(MethodView):
    @login_required
    @blp.response(200, MeSchema)
    @blp.operation("getMe", "当前用户", "申请人：其管理的企业；工作人员：角色和所辖区域。")
    @blp.problems(401)
    def get(self):
        """The current user: an applicant's enterprises, or a staff member's roles and region."""
        return ShownUser(current_user())
