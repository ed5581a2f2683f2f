"""The notices resources: what their operations take and answer."""

from __future__ import annotations

from marshmallow import fields

from app.schemas.common import LocalDateTime
from app.schemas.openapi import Resource


class NoticeSchema(Resource):
    id = fields.Integer()
    kind = fields.String()
    title = fields.String()
    number = fields.String()
    issued_at = LocalDateTime()


class NoticeListSchema(Resource):
    items = fields.List(fields.Nested(NoticeSchema))
