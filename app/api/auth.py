"""Logging in (WeChat for applicants, password for staff) and the current user."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from app.auth import current_user, issue_token, login_required
from app.schemas.auth import LoginResponseSchema, MeSchema, StaffLoginSchema, WechatLoginSchema
from app.services import enterprises as enterprise_service
from app.services import identity, phone
from permits.identifiers import mask_openid

blp = Blueprint("auth", __name__, url_prefix="", description="登录与当前用户")


@blp.route("/auth/wechat")
class WechatLogin(MethodView):
    @blp.arguments(WechatLoginSchema)
    @blp.response(200, LoginResponseSchema)
    def post(self, body: dict):
        """Log an applicant in with a mini-program login code."""
        user = identity.login_with_wechat(body["code"])
        token, ttl = issue_token(user)
        return {
            "token": token,
            "expires_in": ttl,
            "user": {"id": user.id, "openid_masked": mask_openid(user.openid or "")},
        }


@blp.route("/auth/staff")
class StaffLogin(MethodView):
    @blp.arguments(StaffLoginSchema)
    @blp.response(200, LoginResponseSchema)
    def post(self, body: dict):
        """Log a staff member in with username and password."""
        user = identity.login_staff(body["username"], body["password"])
        token, ttl = issue_token(user)
        return {
            "token": token,
            "expires_in": ttl,
            "user": {
                "id": user.id,
                "username": user.username,
                "roles": user.roles,
                "region_code": user.region_code,
            },
        }


@blp.route("/me")
class Me(MethodView):
    @login_required
    @blp.response(200, MeSchema)
    @blp.doc(security=[{"bearerAuth": []}])
    def get(self):
        """The current user: an applicant's enterprises, or a staff member's roles and region."""
        user = current_user()
        if user.is_staff:
            return {
                "id": user.id,
                "kind": "staff",
                "username": user.username,
                "roles": user.roles,
                "region_code": user.region_code,
            }
        return {
            "id": user.id,
            "kind": "applicant",
            "openid_masked": mask_openid(user.openid or ""),
            "phone_masked": phone.masked_phone(user),
            "enterprises": [
                {"id": e.id, "name": e.name, "credit_code": e.credit_code}
                for e in enterprise_service.list_enterprises(user)
            ],
        }
