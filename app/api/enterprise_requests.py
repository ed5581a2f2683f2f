"""The request desk (诉求响应): topics, filing, the queue, actions, attachments and rating."""

from __future__ import annotations

from functools import partial

from flask import request, send_file
from flask.views import MethodView

from app.api.docs import JSON_BODY, Blueprint
from app.api.xlsx import XLSX_ALTERNATIVE, send_export, wants_xlsx
from app.file_types import ALLOWED_TYPES
from app.models import EnterpriseRequest
from app.schemas.common import page_of
from app.schemas.enterprise_request import (
    AttachmentFileSchema,
    AttachmentSchema,
    RequestActionSchema,
    RequestCreateSchema,
    RequestPageSchema,
    RequestQuerySchema,
    RequestRatingSchema,
    RequestSchema,
    TopicListSchema,
)
from app.services import enterprise_requests as service
from app.services import exports
from app.services.documents import storage
from app.web.auth import current_user, login_required
from app.web.idempotency import idempotent
from app.web.request_guards import accepts

blp = Blueprint(
    "enterprise_requests", __name__, url_prefix="", description="诉求响应（企业诉求受理与答复）"
)


def _detail(item: EnterpriseRequest) -> service.ShownRequest:
    return service.ShownRequest(item, current_user())


@blp.route("/request-topics")
class RequestTopics(MethodView):
    @blp.response(200, TopicListSchema)
    @blp.operation(
        "listRequestTopics", "诉求类别", "诉求类别及其承办单位、答复时限（公开）。", auth=False
    )
    def get(self):
        """The request desk's topics, each with its handling unit and response limit."""
        return {"items": service.all_topics()}


@blp.route("/enterprise-requests")
class EnterpriseRequests(MethodView):
    @login_required
    @blp.arguments(RequestQuerySchema, location="query")
    @blp.response(200, RequestPageSchema)
    @blp.operation(
        "listEnterpriseRequests",
        "诉求列表",
        "申请人：其企业的诉求；工作人员：所辖区域的诉求，按答复期限先后。",
    )
    @blp.doc(responses={200: XLSX_ALTERNATIVE})
    @blp.problems(401, (403, "EXPORT_FORBIDDEN：仅工作人员可以导出"), 422)
    def get(self, args: dict):
        """Applicants: their enterprises' requests; staff: their region's queue, due first."""
        user = current_user()
        filters = service.RequestFilter(args.get("topic"), args.get("state"), args.get("overdue"))
        if wants_xlsx(user, args):
            shown = {"topic": filters.topic, "state": filters.state, "overdue": filters.overdue}
            fetch = partial(service.list_requests, user, filters)
            return send_export(exports.export_requests(user, shown, fetch))
        items, total = service.list_requests(user, filters, args["page"], args["page_size"])
        shown_items = [service.ShownRequest(item, user) for item in items]
        return page_of(shown_items, args["page"], args["page_size"], total)

    @idempotent
    @login_required
    @blp.arguments(RequestCreateSchema)
    @blp.response(201, RequestSchema)
    @blp.operation("fileEnterpriseRequest", "提交诉求", "为调用者管理的企业提交一项诉求。")
    @blp.headers("IdempotencyKey")
    @blp.problems(
        401,
        (404, "ENTERPRISE_NOT_FOUND"),
        *JSON_BODY,
        (422, "VALIDATION_FAILED、REQUEST_TOPIC_UNKNOWN"),
    )
    def post(self, body: dict):
        """File a request for one of the caller's enterprises."""
        return _detail(service.file_request(current_user(), body))


@blp.route("/enterprise-requests/<int:request_id>")
class EnterpriseRequestItem(MethodView):
    @login_required
    @blp.response(200, RequestSchema)
    @blp.operation("getEnterpriseRequest", "诉求详情", "一项诉求及其附件和处理记录。")
    @blp.problems(401, (404, "REQUEST_NOT_FOUND"))
    def get(self, request_id: int):
        """One request with its attachments and history."""
        return _detail(service.get_request(current_user(), request_id))


@blp.route("/enterprise-requests/<int:request_id>/actions")
class EnterpriseRequestActions(MethodView):
    @idempotent
    @login_required
    @blp.arguments(RequestActionSchema)
    @blp.response(200, RequestSchema)
    @blp.operation(
        "takeEnterpriseRequestAction",
        "处理诉求",
        "claim 认领、reply 答复（工作人员）；close 办结、reopen 重新办理（申请人）；须带 version。",
    )
    @blp.headers("IdempotencyKey")
    @blp.problems(
        401,
        403,
        (404, "REQUEST_NOT_FOUND"),
        (409, "TRANSITION_NOT_ALLOWED、VERSION_CONFLICT、REQUEST_CLOSED"),
        *JSON_BODY,
    )
    def post(self, body: dict, request_id: int):
        """Claim, reply, close or reopen a request (409 VERSION_CONFLICT when stale)."""
        return _detail(service.take_action(current_user(), request_id, body))


@blp.route("/enterprise-requests/<int:request_id>/rating")
class EnterpriseRequestRating(MethodView):
    @login_required
    @blp.arguments(RequestRatingSchema)
    @blp.response(200, RequestSchema)
    @blp.operation(
        "rateEnterpriseRequest", "评价诉求答复", "申请人对办结的诉求评价一次（1–5 分）。"
    )
    @blp.problems(
        401,
        (403, "RATING_APPLICANT_ONLY"),
        (404, "REQUEST_NOT_FOUND"),
        (409, "REQUEST_NOT_CLOSED、ALREADY_RATED"),
        *JSON_BODY,
    )
    def post(self, body: dict, request_id: int):
        """Rate the answer of a closed request, once."""
        item = service.rate(current_user(), request_id, body["score"], body.get("comment"))
        return _detail(item)


@blp.route("/enterprise-requests/<int:request_id>/attachments")
class EnterpriseRequestAttachments(MethodView):
    @accepts("multipart/form-data")
    @idempotent
    @login_required
    @blp.arguments(AttachmentFileSchema, location="files")
    @blp.response(201, AttachmentSchema)
    @blp.operation(
        "addEnterpriseRequestAttachment",
        "上传诉求附件",
        "以 multipart/form-data 为本人的诉求上传一个附件（PDF、JPEG、PNG、OFD，按内容判定）。",
    )
    @blp.headers("IdempotencyKey")
    @blp.problems(
        401,
        (404, "REQUEST_NOT_FOUND"),
        (409, "TOO_MANY_ATTACHMENTS、REQUEST_CLOSED"),
        (413, "FILE_TOO_LARGE、PAYLOAD_TOO_LARGE"),
        (415, "FILE_TYPE_NOT_ALLOWED、UNSUPPORTED_MEDIA_TYPE"),
        422,
        (503, "STORAGE_UNAVAILABLE"),
    )
    def post(self, files: dict, request_id: int):
        """Attach a file (PDF, JPEG, PNG or OFD, judged by content) to the caller's request."""
        attachment = service.add_attachment(current_user(), request_id, request.files.get("file"))
        return attachment


@blp.route("/enterprise-requests/<int:request_id>/attachments/<int:attachment_id>/content")
class EnterpriseRequestAttachmentContent(MethodView):
    @login_required
    @blp.operation("getEnterpriseRequestAttachment", "下载诉求附件", "附件原文件，以附件形式返回。")
    @blp.binary("附件文件", *ALLOWED_TYPES)
    @blp.problems(401, (404, "ATTACHMENT_NOT_FOUND"), (503, "STORAGE_UNAVAILABLE"))
    def get(self, request_id: int, attachment_id: int):
        """The attachment's bytes, as a download."""
        attachment = service.get_attachment(current_user(), request_id, attachment_id)
        return send_file(
            storage().open(attachment.sha256),
            mimetype=attachment.content_type,
            as_attachment=True,
            download_name=attachment.filename,
            max_age=0,
        )
