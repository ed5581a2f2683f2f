"""The stats resources: what their operations take and answer."""

from __future__ import annotations

from marshmallow import Schema, fields

from app.schemas.common import day
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
    ratings = fields.Dict(
        metadata={
            "description": '好差评（GB/T 39734）：by_score 按评分（"5"…"1"）、bad 差评数、'
            "contacted_rate 回访率、rectified_rate 整改（说明）率、overdue 超期未办结数；"
            "申诉成立的评价不计入"
        }
    )
    requests = fields.Dict(
        metadata={
            "description": "诉求响应：received 受理数、handled 办结数、handling_rate 办结率、"
            "avg_working_days_to_reply 平均答复工作日、by_topic 按类别"
        }
    )


class StaffFiguresSchema(Resource):
    id = fields.Integer()
    name = fields.String()
    roles = fields.List(fields.String())
    region_code = fields.String()
    open_cases = fields.Integer(metadata={"description": "经手且未办结的申请"})
    overdue = fields.Integer(metadata={"description": "其中已超期的"})
    decided = fields.Integer(metadata={"description": "经手且在期间内作出决定的申请"})
    on_time_rate = fields.Float(allow_none=True, metadata={"description": "按时办结率"})
    steps = fields.Integer(metadata={"description": "期间内办理的环节数"})
    avg_working_days_per_step = fields.Float(
        allow_none=True, metadata={"description": "每个环节平均用时（工作日，自上一环节起）"}
    )


class StaffStatsSchema(Resource):
    first = day(data_key="from")
    last = day(data_key="to")
    items = fields.List(fields.Nested(StaffFiguresSchema))
