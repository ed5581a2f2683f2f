"""差评整改: the region's follow-up of bad ratings (section chiefs; appeals decided by admins)."""

from __future__ import annotations

from flask.views import MethodView

from app.api.docs import JSON_BODY, Blueprint
from app.schemas.rating_case import (
    RatingCaseActionSchema,
    RatingCaseListSchema,
    RatingCaseQuerySchema,
    RatingCaseSchema,
)
from app.services import rating_cases as service
from app.web.auth import current_user, staff_required

blp = Blueprint("rating_cases", __name__, url_prefix="/rating-cases", description="差评整改")


@blp.route("")
class RatingCases(MethodView):
    @staff_required("chief", "admin")
    @blp.arguments(RatingCaseQuerySchema, location="query")
    @blp.response(200, RatingCaseListSchema)
    @blp.operation(
        "listRatingCases",
        "差评整改事项",
        "所辖区域的差评整改事项，按整改期限先后；可按 status 筛选（科室负责人、管理员）。",
    )
    @blp.problems(
        401, (403, "仅科室负责人、管理员"), (422, "VALIDATION_FAILED、RATING_CASE_STATUS_UNKNOWN")
    )
    def get(self, args: dict):
        """The caller's region's rectification cases, the earliest due first."""
        user = current_user()
        items = service.list_cases(user, args.get("status"))
        return {"items": [service.shown(item, user) for item in items]}


@blp.route("/<int:case_id>/actions")
class RatingCaseActions(MethodView):
    @staff_required("chief", "admin")
    @blp.arguments(RatingCaseActionSchema)
    @blp.response(200, RatingCaseSchema)
    @blp.operation(
        "actOnRatingCase",
        "办理差评整改",
        "回访 contact；整改 rectify 或说明 explain（须填写 comment）；"
        "申诉 appeal（须填写 comment）；"
        "管理员裁定 uphold_appeal / reject_appeal。整改、说明或申诉成立后以站内消息告知申请人。",
    )
    @blp.problems(
        401,
        403,
        (403, "RATING_CASE_FORBIDDEN"),
        (404, "RATING_CASE_NOT_FOUND"),
        (409, "RATING_CASE_STATE"),
        (422, "VALIDATION_FAILED、COMMENT_REQUIRED"),
        *JSON_BODY,
    )
    def post(self, body: dict, case_id: int):
        """One step of the follow-up by the role it needs."""
        user = current_user()
        case = service.take_action(user, case_id, body["action"], body["comment"])
        return service.shown(case, user)
