"""The ratings resources: what their operations take and answer."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from app.models.application import SCORE_LABELS
from app.schemas.common import LocalDateTime
from app.schemas.openapi import Resource


class RatingCreateSchema(Schema):
    score = fields.Integer(required=True, validate=validate.Range(min=1, max=5))
    comment = fields.String(load_default="", validate=validate.Length(max=500))


class RatingSchema(Resource):
    id = fields.Integer()
    application_id = fields.Integer()
    score = fields.Integer()
    score_label = fields.Function(
        lambda rating: SCORE_LABELS[rating.score],
        metadata={"description": "GB/T 39734 等级：非常满意、满意、基本满意、不满意、非常不满意"},
    )
    first_score = fields.Integer(
        allow_none=True, metadata={"description": "重新评价前的评分（未重新评价为 null）"}
    )
    rerated = fields.Function(
        lambda rating: rating.rerated_at is not None,
        metadata={"description": "是否已重新评价（仅一次）"},
    )
    comment = fields.String()
    created_at = LocalDateTime()
