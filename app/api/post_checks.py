"""Post-check (事后核查) queue and results, and the approvers' revocation queue."""

from __future__ import annotations

from flask.views import MethodView

from app.api.docs import JSON_BODY, Blueprint
from app.errors import field_error
from app.schemas.common import PageArgs, page_of
from app.schemas.modes import PostCheckPageSchema, PostCheckResultSchema, PostCheckSchema
from app.services.modes import post_checks as service
from app.web.auth import current_user, staff_required

blp = Blueprint("post_checks", __name__, url_prefix="", description="事后核查")


@blp.route("/review/post-checks")
class PostCheckQueue(MethodView):
    @staff_required("reviewer")
    @blp.arguments(PageArgs, location="query")
    @blp.response(200, PostCheckPageSchema)
    @blp.operation(
        "listPostChecks", "事后核查队列", "所辖区域待事后核查的许可证，按核查期限先后（审查人员）。"
    )
    @blp.problems(401, (403, "仅审查人员"), 422)
    def get(self, args: dict):
        """Licences of the caller's region waiting for their post-check, earliest due first."""
        items, total = service.pending(current_user(), args["page"], args["page_size"])
        return page_of(items, args["page"], args["page_size"], total)


@blp.route("/review/revocations")
class RevocationQueue(MethodView):
    @staff_required("approver")
    @blp.arguments(PageArgs, location="query")
    @blp.response(200, PostCheckPageSchema)
    @blp.operation(
        "listRevocations", "待撤销许可证", "事后核查不通过且仍有效的许可证及核查理由（审批人员）。"
    )
    @blp.problems(401, (403, "仅审批人员"), 422)
    def get(self, args: dict):
        """Licences whose post-check failed and that still stand, with the reviewer's reason."""
        items, total = service.revocations(current_user(), args["page"], args["page_size"])
        return page_of(items, args["page"], args["page_size"], total)


@blp.route("/licences/<int:licence_id>/post-check")
class PostCheckResult(MethodView):
    @staff_required("reviewer")
    @blp.arguments(PostCheckResultSchema)
    @blp.response(200, PostCheckSchema)
    @blp.operation(
        "recordPostCheck",
        "录入事后核查结果",
        "审查人员录入核查结果 pass/fail；fail 须说明理由，许可证进入待撤销队列。",
    )
    @blp.problems(
        401,
        (403, "仅审查人员"),
        (404, "POST_CHECK_NOT_FOUND"),
        (409, "POST_CHECK_DONE"),
        *JSON_BODY,
    )
    def post(self, body: dict, licence_id: int):
        """Record the post-check; ``fail`` (with a reason) puts it on the revocation queue."""
        comment = body["comment"].strip()
        if body["result"] == "fail" and not comment:
            message = "核查不通过须说明理由"
            raise field_error("comment", message)
        return service.record(current_user(), licence_id, body["result"], comment)
