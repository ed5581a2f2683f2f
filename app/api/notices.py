"""Written notices and decisions of a case (contract v1.1): the list and each signed PDF."""

from __future__ import annotations

from flask import Response
from flask.views import MethodView

from app.api.docs import Blueprint
from app.schemas.notice import NoticeListSchema
from app.services import notices as service
from app.web.auth import current_user, login_required

blp = Blueprint(
    "notices",
    __name__,
    url_prefix="/applications",
    description="行政许可文书（受理、补正、决定、送达）",
)


@blp.route("/<int:application_id>/notices")
class NoticeList(MethodView):
    @login_required
    @blp.response(200, NoticeListSchema)
    @blp.operation(
        "listNotices",
        "行政许可文书",
        "申请的受理通知书、补正通知书、决定书、送达回证等文书，按出具先后。",
    )
    @blp.problems(401, 404)
    def get(self, application_id: int):
        """The case's written notices and decisions, oldest first."""
        items = service.list_notices(current_user(), application_id)
        return {"items": items}


@blp.route("/<int:application_id>/notices/<int:notice_id>/pdf")
class NoticePdf(MethodView):
    @login_required
    @blp.operation("getNoticePdf", "文书（PDF）", "一份由发证机关数字签名的文书 PDF。")
    @blp.binary("签名的文书", "application/pdf")
    @blp.problems(401, (404, "NOTICE_NOT_FOUND"), (503, "STORAGE_UNAVAILABLE"))
    def get(self, application_id: int, notice_id: int):
        """One notice as a PDF signed by the issuing authority."""
        application, notice = service.get_notice(current_user(), application_id, notice_id)
        response = Response(service.notice_pdf(application, notice), mimetype="application/pdf")
        response.headers["Content-Disposition"] = f'inline; filename="notice-{notice.id}.pdf"'
        return response
