"""The ratings resources: what their operations take and answer."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from app.schemas.common import LocalDateTime
from app.schemas.openapi import Resource


class RatingCreateSchema(Schema):
    score = fields.Integer(required=True, validate=validate.Range(min=1, max=5))
    comment = fields.String(load_default="", validate=validate.Length(max=500))


class RatingSchema(Resource):
    id = fields.Integer()
    application_id = fields.Integer()
    score = fields.Integer()
    comment = fields.String()
    created_at = LocalDateTime()
