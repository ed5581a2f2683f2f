"""The health resources: what their operations take and answer."""

from __future__ import annotations

from marshmallow import fields

from app.schemas.openapi import Resource


class HealthSchema(Resource):
    status = fields.String(required=True, metadata={"description": "ok"})
    database = fields.String(required=True, metadata={"description": "ok"})
