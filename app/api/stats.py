"""Statistics for staff: the office's figures for their own region and a period."""

from __future__ import annotations

from flask.views import MethodView

from app.api.docs import Blueprint
from app.domain.access import staff_region
from app.jobs import staff_stats
from app.jobs import stats as service
from app.schemas.stats import StaffStatsSchema, StatsQuerySchema, StatsSchema
from app.web.auth import current_user, staff_required

blp = Blueprint("stats", __name__, url_prefix="/stats", description="统计")


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
    @blp.problems(401, (403, "仅工作人员"), (422, "VALIDATION_FAILED、PERIOD_INVALID"))
    def get(self, args: dict):
        """Figures for the caller's region from ``from`` to ``to`` (default: this year)."""
        user = current_user()
        region = staff_region(user)
        return service.region_figures(region, args.get("first"), args.get("last"))


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
    @blp.problems(401, (403, "仅科室负责人、管理员"), (422, "VALIDATION_FAILED、PERIOD_INVALID"))
    def get(self, args: dict):
        """Each staff member's workload in the caller's region (default: this year)."""
        region = staff_region(current_user())
        return staff_stats.staff_figures(region, args.get("first"), args.get("last"))
