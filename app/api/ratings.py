"""好差评: the applicant's rating of a closed case."""

from __future__ import annotations

from flask.views import MethodView
from marshmallow import Schema, fields, validate

from app.api.docs import JSON_BODY, Blueprint
from app.schemas.common import timestamp
from app.services import ratings as service
from app.web.auth import current_user, login_required

blp = Blueprint("ratings", __name__, url_prefix="/applications", description="好差评")


class RatingCreateSchema(Schema):
    score = fields.Integer(required=True, validate=validate.Range(min=1, max=5))
    comment = fields.String(load_default="", validate=validate.Length(max=500))


class RatingSchema(Schema):
    id = fields.Integer()
    application_id = fields.Integer()
    score = fields.Integer()
    comment = fields.String()
    created_at = timestamp()


@blp.route("/<int:application_id>/rating")
class ApplicationRating(MethodView):
    @login_required
    @blp.arguments(RatingCreateSchema)
    @blp.response(201, RatingSchema)
    @blp.operation(
        "rateApplication",
        "评价办件服务（好差评）",
        "申请人对办结的申请评价一次：1–5 分，1、2 分须说明理由。",
    )
    @blp.problems(
        401,
        (403, "RATING_APPLICANT_ONLY"),
        404,
        (409, "ALREADY_RATED、CASE_NOT_CLOSED"),
        *JSON_BODY,
    )
    def post(self, body: dict, application_id: int):
        """Rate a closed case once (1–5; a rating of 1 or 2 needs a reason)."""
        rating = service.rate_application(
            current_user(), application_id, body["score"], body["comment"]
        )
        return service.rating_view(rating)
