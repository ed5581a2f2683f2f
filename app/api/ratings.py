"""好差评: the applicant's rating of a closed case."""

from __future__ import annotations

from flask.views import MethodView

from app.api.docs import JSON_BODY, Blueprint
from app.schemas.rating import RatingCreateSchema, RatingSchema
from app.services import ratings as service
from app.web.auth import current_user, login_required

blp = Blueprint("ratings", __name__, url_prefix="/applications", description="好差评")


@blp.route("/<int:application_id>/rating")
class ApplicationRating(MethodView):
    @login_required
    @blp.arguments(RatingCreateSchema)
    @blp.response(201, RatingSchema)
    @blp.operation(
        "rateApplication",
        "评价办件服务（好差评）",
        "申请人对办结的申请评价一次：5 非常满意…1 非常不满意，1、2 分须说明理由并进入差评整改；"
        "收到整改结果后可重新评价一次。",
    )
    @blp.problems(
        401,
        (403, "RATING_APPLICANT_ONLY"),
        404,
        (409, "ALREADY_RATED、CASE_NOT_CLOSED"),
        (422, "RATING_REASON_REQUIRED：1、2 分须说明理由"),
        *JSON_BODY,
    )
    def post(self, body: dict, application_id: int):
        """Rate a closed case once (1–5; a rating of 1 or 2 needs a reason)."""
        rating = service.rate_application(
            current_user(), application_id, body["score"], body["comment"]
        )
        return rating
