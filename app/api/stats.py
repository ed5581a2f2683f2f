"""Statistics for staff: the office's figures for their own region and a period."""

from __future__ import annotations

from flask.views import MethodView
from marshmallow import Schema, fields

from app.api.docs import Blueprint
from app.domain.access import staff_region
from app.jobs import stats as service
from app.web.auth import current_user, staff_required

blp = Blueprint("stats", __name__, url_prefix="/stats", description="统计")


class StatsQuerySchema(Schema):
    first = fields.Date(data_key="from")
    last = fields.Date(data_key="to")


class LicenceCountsSchema(Schema):
    active = fields.Integer()
    expiring = fields.Integer()
    expired = fields.Integer()


class StatsSchema(Schema):
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


@blp.route("")
class Stats(MethodView):
    @staff_required()
    @blp.arguments(StatsQuerySchema, location="query")
    @blp.response(200, StatsSchema)
    @blp.operation(
        "getStats",
        "统计",
        "调用者所辖区域在 from 至 to 期间（默认本年）的办件量、按时办结率、平均用时、"
        "零跑腿率、满意率和许可证数量。",
    )
    @blp.problems(401, (403, "仅工作人员"), 422)
    def get(self, args: dict):
        """Figures for the caller's region from ``from`` to ``to`` (default: this year)."""
        user = current_user()
        region = staff_region(user)
        return service.region_figures(region, args.get("first"), args.get("last"))
