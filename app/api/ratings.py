"""好差评: the applicant's rating of a closed case."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from app.auth import current_user, login_required
from app.services import ratings as service

blp = Blueprint("ratings", __name__, url_prefix="/applications", description="好差评")
SECURITY = [{"bearerAuth": []}]


class RatingCreateSchema(Schema):
    score = fields.Integer(required=True, validate=validate.Range(min=1, max=5))
    comment = fields.String(load_default="", validate=validate.Length(max=500))


class RatingSchema(Schema):
    id = fields.Integer()
    application_id = fields.Integer()
    score = fields.Integer()
    comment = fields.String()
    created_at = fields.String()


@blp.route("/<int:application_id>/rating")
class ApplicationRating(MethodView):
    @login_required
    @blp.arguments(RatingCreateSchema)
    @blp.response(201, RatingSchema)
    @blp.doc(security=SECURITY)
    def post(self, body: dict, application_id: int):
        """Rate a closed case once (1–5; a rating of 1 or 2 needs a reason)."""
        rating = service.rate_application(
            current_user(), application_id, body["score"], body["comment"]
        )
        return service.rating_view(rating)
