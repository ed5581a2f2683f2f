"""The staff review queue: cases the caller can act on now, earliest deadline first."""

from __future__ import annotations

from flask.views import MethodView

from app.api.docs import Blueprint
from app.schemas.application import ReviewPageSchema, ReviewQuerySchema
from app.schemas.common import page_of
from app.services import applications as application_service
from app.services import review as service
from app.web.auth import current_user, staff_required

blp = Blueprint("review", __name__, url_prefix="/review", description="审查工作台")


@blp.route("/queue")
class ReviewQueue(MethodView):
    @staff_required()
    @blp.arguments(ReviewQuerySchema, location="query")
    @blp.response(200, ReviewPageSchema)
    @blp.operation(
        "getReviewQueue",
        "审查工作台",
        "调用者所辖区域内、其角色当前可办理的申请，按法定期限先后；超期的标记 overdue。",
    )
    @blp.problems(401, (403, "仅工作人员"), 422)
    def get(self, args: dict):
        """Cases in the caller's region they may act on now; overdue ones are flagged."""
        user = current_user()
        items, total = service.queue(
            user,
            state=args.get("state"),
            overdue_only=bool(args.get("overdue")),
            page=args["page"],
            page_size=args["page_size"],
        )
        shown = [application_service.shown(user, application) for application in items]
        return page_of(shown, args["page"], args["page_size"], total)
