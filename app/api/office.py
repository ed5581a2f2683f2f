"""Office operations (承办): internal notes, urging, what changed, deputies, bulk hand-overs,
mailing labels, and how each region assigns its cases."""

from __future__ import annotations

from flask import Response
from flask.views import MethodView

from app.api.docs import JSON_BODY, Blueprint
from app.schemas.application import StaffRefSchema
from app.schemas.office import (
    AssignmentBodySchema,
    AssignmentListSchema,
    AssignmentSchema,
    BulkBodySchema,
    BulkResponseSchema,
    ChangesSchema,
    DeputyBodySchema,
    DeputyListSchema,
    DeputySchema,
    LabelsQuerySchema,
    NoteBodySchema,
    NoteListSchema,
    NoteSchema,
    UrgeBodySchema,
)
from app.services import deputies, handovers, notes, office, snapshots
from app.web.auth import current_user, login_required, staff_required

blp = Blueprint("office", __name__, url_prefix="", description="承办与内部协作")


@blp.route("/applications/<int:application_id>/notes")
class Notes(MethodView):
    @login_required
    @blp.response(200, NoteListSchema)
    @blp.operation("listNotes", "内部意见", "案件的内部意见（仅本辖区工作人员；申请人 404）。")
    @blp.problems(401, 404)
    def get(self, application_id: int):
        """The case's internal notes, oldest first (staff only)."""
        items = notes.list_notes(current_user(), application_id)
        return {"items": items}

    @login_required
    @blp.arguments(NoteBodySchema)
    @blp.response(201, NoteSchema)
    @blp.operation("addNote", "写内部意见", "工作人员对案件的内部意见，申请人在任何地方都看不到。")
    @blp.problems(401, 404, *JSON_BODY, (422, "NOTE_EMPTY、NOTE_TOO_LONG"))
    def post(self, body: dict, application_id: int):
        """Add an internal note to the case (never shown to the applicant)."""
        return notes.add_note(current_user(), application_id, body["body"])


@blp.route("/applications/<int:application_id>/urge")
class Urge(MethodView):
    @staff_required("chief", "approver", "admin")
    @blp.arguments(UrgeBodySchema)
    @blp.response(200, StaffRefSchema)
    @blp.operation("urgeCase", "催办", "科室负责人、审批人员或管理员催办案件，通知承办人。")
    @blp.problems(401, 403, 404, (409, "CASE_NOT_ASSIGNED、CASE_NOT_OPEN"), *JSON_BODY)
    def post(self, body: dict, application_id: int):
        """Urge the case's assignee; answers who was told."""
        application = office.urge(current_user(), application_id, body["comment"])
        return application.assignee


@blp.route("/applications/<int:application_id>/changes")
class Changes(MethodView):
    @login_required
    @blp.response(200, ChangesSchema)
    @blp.operation(
        "getChanges",
        "补正前后的变化",
        "自补正通知（无补正时自上次提交）以来表单字段的前后值和被替换、新上传的材料。",
    )
    @blp.problems(401, 404)
    def get(self, application_id: int):
        """What changed in the form and the materials since the supplement request."""
        return snapshots.changes(current_user(), application_id)


@blp.route("/staff/<int:staff_id>/deputies")
class Deputies(MethodView):
    @staff_required()
    @blp.response(200, DeputyListSchema)
    @blp.operation("listDeputies", "代理人", "工作人员的代理安排（本人或本辖区管理员）。")
    @blp.problems(401, 403, 404)
    def get(self, staff_id: int):
        """Who deputises for the staff member, and when."""
        items = deputies.list_deputies(current_user(), staff_id)
        return {"items": items}

    @staff_required()
    @blp.arguments(DeputyBodySchema)
    @blp.response(201, DeputySchema)
    @blp.operation("addDeputy", "设置代理人", "在起止日期内由代理人办理该工作人员承办的案件。")
    @blp.problems(401, 403, 404, *JSON_BODY, (422, "DEPUTY_INVALID、DATE_RANGE_INVALID"))
    def post(self, body: dict, staff_id: int):
        """Name a deputy for a date range."""
        return deputies.add_deputy(current_user(), staff_id, body)


@blp.route("/staff/<int:staff_id>/deputies/<int:row_id>")
class DeputyItem(MethodView):
    @staff_required()
    @blp.response(204)
    @blp.operation("removeDeputy", "取消代理", "删除一条代理安排。")
    @blp.problems(401, 403, (404, "STAFF_NOT_FOUND、DEPUTY_NOT_FOUND"))
    def delete(self, staff_id: int, row_id: int):
        """Remove a deputy arrangement."""
        deputies.remove_deputy(current_user(), staff_id, row_id)
        return Response(status=204)


@blp.route("/review/bulk")
class Bulk(MethodView):
    @staff_required("chief", "reviewer")
    @blp.arguments(BulkBodySchema)
    @blp.response(200, BulkResponseSchema)
    @blp.operation(
        "bulkAssign",
        "批量分配、转办",
        "对多件案件逐件执行 assign 或 transfer；各件结果分列，一件失败不影响其他。",
    )
    @blp.problems(401, 403, *JSON_BODY)
    def post(self, body: dict):
        """Assign or transfer many cases; one result per id."""
        return handovers.hand_over_many(current_user(), body)


@blp.route("/review/labels.pdf")
class Labels(MethodView):
    @staff_required("dispatcher")
    @blp.arguments(LabelsQuerySchema, location="query")
    @blp.operation("getLabels", "批量打印面单", "多件已寄出案件的邮寄面单，每页一张，一个 PDF。")
    @blp.binary("邮寄面单", "application/pdf")
    @blp.problems(401, 403, (404, "SHIPMENT_NOT_FOUND：某件案件不存在或尚未寄出"), 422)
    def get(self, args: dict):
        """One PDF of mailing labels for the given cases."""
        ids = [int(i) for i in args["ids"].split(",")]
        response = Response(handovers.labels(current_user(), ids), mimetype="application/pdf")
        response.headers["Content-Disposition"] = 'inline; filename="labels.pdf"'
        return response


@blp.route("/office/assignment")
class Assignment(MethodView):
    @staff_required("admin", "chief")
    @blp.response(200, AssignmentListSchema)
    @blp.operation("listAssignmentModes", "案件分配方式", "所辖各区域的分配方式。")
    @blp.problems(401, 403)
    def get(self):
        """How each region of the caller's jurisdiction assigns accepted cases."""
        rows = office.list_assignment_modes(current_user())
        return {"items": rows}

    @staff_required("admin")
    @blp.arguments(AssignmentBodySchema)
    @blp.response(200, AssignmentSchema)
    @blp.operation(
        "setAssignmentMode",
        "设置分配方式",
        "manual：由科室负责人指定或审查人员认领；least_loaded：受理时自动分配给在办案件最少的审查人员。",
    )
    @blp.problems(401, 403, *JSON_BODY, (422, "REGION_INVALID"))
    def put(self, body: dict):
        """Set a region's assignment mode (admin)."""
        return office.set_assignment(current_user(), body["region"], body["mode"])
