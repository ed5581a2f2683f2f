"""The stats resources: what their operations take and answer."""

from __future__ import annotations

from marshmallow import Schema, fields

from app.schemas.openapi import Resource


class StatsQuerySchema(Schema):
    first = fields.Date(data_key="from")
    last = fields.Date(data_key="to")


class LicenceCountsSchema(Resource):
    active = fields.Integer()
    expiring = fields.Integer()
    expired = fields.Integer()


class StatsSchema(Resource):
    applications = fields.Dict(keys=fields.String(), values=fields.Integer())
    decided = fields.Integer()
    on_time_rate = fields.Float(allow_none=True)
    avg_working_days_to_decision = fields.Float(allow_none=True)
    zero_visit_rate = fields.Float(allow_none=True)
    satisfaction_rate = fields.Float(allow_none=True)
    licences = fields.Nested(LicenceCountsSchema)
    requests = fields.Dict(
        metadata={
            "description": "诉求响应：received 受理数、handled 办结数、handling_rate 办结率、"
            "avg_working_days_to_reply 平均答复工作日、by_topic 按类别"
        }
    )
