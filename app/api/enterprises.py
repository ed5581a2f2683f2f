"""Enterprises an applicant manages."""

from __future__ import annotations

from flask.views import MethodView

from app.api.docs import JSON_BODY, Blueprint
from app.domain import access
from app.errors import NotFound
from app.extensions import client_address
from app.schemas.enterprise import EnterpriseCreateSchema, EnterpriseListSchema, EnterpriseSchema
from app.services import enterprises as service
from app.web.auth import current_user, login_required

blp = Blueprint("enterprises", __name__, url_prefix="/enterprises", description="企业")


@blp.route("")
class Enterprises(MethodView):
    @login_required
    @blp.response(200, EnterpriseListSchema)
    @blp.operation("listEnterprises", "我的企业", "调用者管理的企业。")
    @blp.problems(401)
    def get(self):
        """The enterprises the caller manages."""
        return {"items": service.list_enterprises(current_user())}

    @login_required
    @blp.arguments(EnterpriseCreateSchema)
    @blp.response(201, EnterpriseSchema)
    @blp.operation(
        "registerEnterprise",
        "登记企业",
        "登记一家企业（校验统一社会信用代码），调用者成为其管理人；已由他人登记的信用代码不能认领。",
    )
    @blp.problems(
        401,
        (404, "工作人员不能登记企业"),
        (409, "ENTERPRISE_ALREADY_CLAIMED、ENTERPRISE_CLAIM_PROOF_REQUIRED"),
        *JSON_BODY,
        (422, "VALIDATION_FAILED、CREDIT_CODE_INVALID、REGION_NOT_SERVED、REGION_MISMATCH"),
        (429, "ENTERPRISE_CLAIM_THROTTLED：认领核验失败次数过多"),
    )
    def post(self, body: dict):
        """Register an enterprise (credit code checked); the caller becomes its manager."""
        user = current_user()
        if user.is_staff:
            raise NotFound("资源不存在")
        return service.register_enterprise(user, body, client_address())


@blp.route("/<int:enterprise_id>")
class EnterpriseItem(MethodView):
    @login_required
    @blp.response(200, EnterpriseSchema)
    @blp.operation(
        "getEnterprise", "企业详情", "调用者管理的一家企业（工作人员：所辖区域内的企业）。"
    )
    @blp.problems(401, 404)
    def get(self, enterprise_id: int):
        """One enterprise the caller manages (or, for staff, one in their region)."""
        return access.get_enterprise(current_user(), enterprise_id)
