"""Statistics for staff: the office's figures for their own region and a period."""

from __future__ import annotations

from flask.views import MethodView

from app.api.docs import Blueprint
from app.domain.access import staff_region
from app.jobs import stats as service
from app.schemas.stats import StatsQuerySchema, StatsSchema
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
