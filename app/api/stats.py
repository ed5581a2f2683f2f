"""Statistics for staff: the office's figures for their own region and a period."""

from __future__ import annotations

from flask.views import MethodView
from marshmallow import Schema, fields

from app.api.docs import Blueprint
from app.domain.access import staff_region
from app.jobs import staff_stats
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


class StaffFiguresSchema(Schema):
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


class StaffStatsSchema(Schema):
    first = fields.String(data_key="from")
    last = fields.String(data_key="to")
    items = fields.List(fields.Nested(StaffFiguresSchema))


@blp.route("/staff")
class StaffStats(MethodView):
    @staff_required("chief", "admin")
    @blp.arguments(StatsQuerySchema, location="query")
    @blp.response(200, StaffStatsSchema)
    @blp.operation(
        "getStaffStats",
        "工作人员工作量",
        "调用者所辖区域每位工作人员在 from 至 to 期间的在办件、超期件、办结件、按时办结率、"
        "办理环节数与每环节平均用时（科室负责人、管理员）。",
    )
    @blp.problems(401, (403, "仅科室负责人、管理员"), 422)
    def get(self, args: dict):
        """Each staff member's workload in the caller's region (default: this year)."""
        region = staff_region(current_user())
        figures = staff_stats.staff_figures(region, args.get("first"), args.get("last"))
        return {"first": figures["from"], "last": figures["to"], "items": figures["items"]}
