"""差评整改: what the rectification cases' operations take and answer."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from app.models.rating_case import RATING_CASE_ACTIONS


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


class RatingCaseSchema(Schema):
    id = fields.Integer()
    application_id = fields.Integer()
    application_number = fields.String()
    rating_id = fields.Integer()
    score = fields.Integer()
    rating_comment = fields.String()
    status = fields.String()
    status_label = fields.String()
    contact_due = fields.String(metadata={"format": "date", "description": "回访期限（工作日计）"})
    rectify_due = fields.String(
        metadata={"format": "date", "description": "整改或说明期限（工作日计）"}
    )
    overdue = fields.Boolean()
    contacted_at = fields.String(allow_none=True)
    resolved_at = fields.String(allow_none=True)
    resolution = fields.String()
    history = fields.List(fields.Dict())
    actions = fields.List(fields.String())
    created_at = fields.String()


class RatingCaseListSchema(Schema):
    items = fields.List(fields.Nested(RatingCaseSchema))
