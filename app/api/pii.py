"""Personal data shown in full, and the record of who saw it (查询留痕)."""

from __future__ import annotations

from flask import Response
from flask.views import MethodView

from app.api.docs import Blueprint
from app.schemas.common import page_of
from app.schemas.pii_access import (
    PersonalDataSchema,
    PiiAccessPageSchema,
    PiiAccessQuerySchema,
)
from app.services import pii_access as service
from app.web.auth import current_user, login_required, staff_required
from app.web.observability import request_origin

blp = Blueprint("pii", __name__, url_prefix="", description="个人信息与查询留痕")

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@blp.route("/applications/<int:application_id>/personal-data")
class PersonalData(MethodView):
    @login_required
    @blp.response(200, PersonalDataSchema)
    @blp.operation(
        "getPersonalData",
        "查看完整个人信息",
        "办理人员查看案件中作业人员的身份证号码、手机号和收件人信息（不脱敏）；每次查看均留痕。",
    )
    @blp.problems(401, (403, "FORBIDDEN：申请人、仅代办角色"), 404)
    def get(self, application_id: int):
        """The case's personal data unmasked (staff); every call writes an access record."""
        origin = service.Origin(*request_origin())
        return service.personal_data(current_user(), application_id, origin)


@blp.route("/audit/pii-access")
class PiiAccessRecords(MethodView):
    @staff_required("admin")
    @blp.arguments(PiiAccessQuerySchema, location="query")
    @blp.response(200, PiiAccessPageSchema)
    @blp.binary("format=xlsx 时：Excel 工作簿", XLSX)
    @blp.operation(
        "listPiiAccess",
        "查询留痕记录",
        "系统管理员：谁在何时查看了哪件案件的完整个人信息或下载了材料；可按申请编号、"
        "工作人员、时间筛选，分页；format=xlsx 导出。",
    )
    @blp.problems(401, (403, "FORBIDDEN：非系统管理员"), 422)
    def get(self, args: dict):
        """Access records, newest first (admin); ``format=xlsx`` exports them."""
        filters = service.Filters(
            subject=args.get("subject"),
            staff_id=args.get("staff_id"),
            start=args.get("start"),
            end=args.get("end"),
        )
        if args["format"] == "xlsx":
            return Response(
                service.export_xlsx(current_user(), filters),
                mimetype=XLSX,
                headers={"Content-Disposition": 'attachment; filename="pii-access.xlsx"'},
            )
        items, total = service.list_records(
            current_user(), filters, args["page"], args["page_size"]
        )
        return page_of(items, args["page"], args["page_size"], total)
