"""差评整改: what the rectification cases' operations take and answer."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from app.models.rating_case import RATING_CASE_ACTIONS, RATING_CASE_STATUSES
from app.schemas.common import LocalDateTime, day
from app.schemas.openapi import Resource


class RatingCaseQuerySchema(Schema):
    status = fields.String(
        metadata={"description": "open、contacted、rectified、explained、appealed、appeal_upheld"}
    )


class RatingCaseActionSchema(Schema):
    action = fields.String(
        required=True,
        validate=validate.OneOf(RATING_CASE_ACTIONS),
        metadata={
            "description": "contact、rectify、explain、appeal（科室负责人）；"
            "uphold_appeal、reject_appeal（管理员）"
        },
    )
    comment = fields.String(load_default="", validate=validate.Length(max=2000))


class RatingCaseSchema(Resource):
    """A case as ``rating_cases.ShownCase`` shows it to the caller today."""

    id = fields.Integer()
    application_id = fields.Integer()
    application_number = fields.String(attribute="application.number")
    rating_id = fields.Integer()
    score = fields.Integer()
    rating_comment = fields.String(attribute="rating.comment")
    status = fields.String(validate=validate.OneOf(RATING_CASE_STATUSES))
    status_label = fields.String()
    contact_due = day("回访期限（工作日计）")
    rectify_due = day("整改或说明期限（工作日计）")
    overdue = fields.Boolean()
    contacted_at = LocalDateTime(allow_none=True)
    resolved_at = LocalDateTime(allow_none=True)
    resolution = fields.String()
    history = fields.List(fields.Dict())
    actions = fields.List(
        fields.String(validate=validate.OneOf(RATING_CASE_ACTIONS)),
        metadata={"description": "调用者当前可执行的操作"},
    )
    created_at = LocalDateTime()


class RatingCaseListSchema(Resource):
    items = fields.List(fields.Nested(RatingCaseSchema))
