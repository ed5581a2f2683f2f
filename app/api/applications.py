"""Applications: drafts, edits, the workflow actions and the timeline."""

from __future__ import annotations

from flask import jsonify, request
from flask.views import MethodView

from app.api.docs import JSON_BODY, Blueprint
from app.domain import access
from app.errors import ValidationFailed
from app.schemas.actions import ActionSchema
from app.schemas.application import (
    ApplicationCreateSchema,
    ApplicationPageSchema,
    ApplicationPatchSchema,
    ApplicationQuerySchema,
    ApplicationSchema,
    TimelineSchema,
)
from app.schemas.common import page_of
from app.services import applications as service
from app.services import cases
from app.web.auth import current_user, login_required
from app.web.idempotency import idempotent

blp = Blueprint("applications", __name__, url_prefix="/applications", description="申请")

# The action body is documented as ``ActionRequest`` (one schema per action, see
# app/schemas/actions.py); ``ActionSchema`` only checks the envelope.
ACTION_BODY = {
    "required": True,
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ActionRequest"}}},
}
VERSION_CONFLICT = (409, "VERSION_CONFLICT：数据已被他人修改")


def requested_version(body: dict) -> int | None:
    """The version the caller read: the body's ``version`` or the ``If-Match`` header."""
    if body.get("version") is not None:
        return body["version"]
    header = request.headers.get("If-Match", "").strip().strip('"').removeprefix("W/").strip('"')
    if not header:
        return None
    if not header.isdigit():
        message = "If-Match 须为数据版本号"
        raise ValidationFailed(message, code="VERSION_INVALID", errors={"If-Match": [message]})
    return int(header)


@blp.route("")
class Applications(MethodView):
    @login_required
    @blp.arguments(ApplicationQuerySchema, location="query")
    @blp.response(200, ApplicationPageSchema)
    @blp.operation(
        "listApplications",
        "申请列表",
        "申请人：其企业的申请；工作人员：所辖区域的申请。按创建时间倒序、分页。",
    )
    @blp.problems(401, 422)
    def get(self, args: dict):
        """The caller's applications (staff: their region's), newest first."""
        user = current_user()
        items, total = service.list_applications(
            user,
            state=args.get("state"),
            permit_type=args.get("permit_type"),
            page=args["page"],
            page_size=args["page_size"],
        )
        return page_of(
            [service.application_view(user, a) for a in items],
            args["page"],
            args["page_size"],
            total,
        )

    @idempotent
    @login_required
    @blp.arguments(ApplicationCreateSchema)
    @blp.response(201, ApplicationSchema)
    @blp.operation(
        "createApplication",
        "新建申请（草稿）",
        "为调用者管理的企业新建一件草稿申请；form 按事项的 form_schema 校验。"
        "延续、变更须给出 licence_id。",
    )
    @blp.headers("IdempotencyKey")
    @blp.problems(
        401,
        (404, "企业、事项或许可证不存在"),
        (409, "LICENCE_NOT_ACTIVE、LICENCE_HAS_OPEN_APPLICATION 等"),
        *JSON_BODY,
    )
    def post(self, body: dict):
        """Start a draft application for one of the caller's enterprises."""
        user = current_user()
        return service.application_view(user, service.create_application(user, body))


@blp.route("/<int:application_id>")
class ApplicationItem(MethodView):
    @login_required
    @blp.response(200, ApplicationSchema)
    @blp.operation(
        "getApplication",
        "申请详情",
        "一件申请：材料情况、缺少的材料、调用者当前可执行的动作（actions）和法定期限。",
    )
    @blp.problems(401, 404)
    def get(self, application_id: int):
        """One application, with what is missing and what the caller may do now."""
        user = current_user()
        view = service.application_view(user, access.get_application(user, application_id))
        # The view is built in ApplicationSchema's form already (tests/api/
        # test_application_view_form.py holds it to that): sent as it is, not dumped again.
        return jsonify(view)

    @login_required
    @blp.arguments(ApplicationPatchSchema)
    @blp.response(200, ApplicationSchema)
    @blp.operation(
        "updateApplication",
        "修改申请",
        "修改草稿或待补正申请的表单、邮寄信息；须带读取时的 version（请求体或 If-Match）。",
    )
    @blp.headers("IfMatch")
    @blp.problems(401, 404, (409, "APPLICATION_NOT_EDITABLE、VERSION_CONFLICT"), *JSON_BODY)
    def patch(self, body: dict, application_id: int):
        """Edit the form or delivery address of a draft or a case returned for supplement."""
        user = current_user()
        application = service.update_application(
            user, application_id, body, requested_version(body)
        )
        return service.application_view(user, application)


@blp.route("/<int:application_id>/actions")
class ApplicationActions(MethodView):
    @idempotent
    @login_required
    @blp.arguments(ActionSchema)
    @blp.response(200, ApplicationSchema)
    @blp.operation(
        "takeAction",
        "执行工作流动作",
        "对申请执行一个动作（提交、受理、补正、审查、决定、寄送等），返回执行后的申请。"
        "请求体按 action 区分，各动作的字段、取值和可执行角色见 ActionRequest；"
        "当前可执行的动作见申请的 actions。",
    )
    @blp.doc(requestBody=ACTION_BODY)
    @blp.headers("IdempotencyKey", "IfMatch")
    @blp.problems(
        401,
        (403, "ACTION_FORBIDDEN：该角色不能执行此动作"),
        404,
        (
            409,
            "TRANSITION_NOT_ALLOWED、ACTION_ALREADY_TAKEN、VERSION_CONFLICT、"
            "MATERIALS_MISSING、FORM_INCOMPLETE 等",
        ),
        *JSON_BODY,
        (422, "VALIDATION_FAILED（errors 按字段列出）、ACTION_UNKNOWN"),
    )
    def post(self, body: dict, application_id: int):
        """Take one workflow action on the case (see ``actions`` for what is allowed now)."""
        user = current_user()
        data = {k: v for k, v in body.items() if k not in ("action", "version")}
        application = cases.take_action(
            user, application_id, body["action"], data, requested_version(body)
        )
        return service.application_view(user, application)


@blp.route("/<int:application_id>/timeline")
class ApplicationTimeline(MethodView):
    @login_required
    @blp.response(200, TimelineSchema)
    @blp.operation("getTimeline", "办理过程", "申请的全部办理记录，按发生顺序。")
    @blp.problems(401, 404)
    def get(self, application_id: int):
        """Everything that happened to the case, in order."""
        return {"items": service.timeline_view(current_user(), application_id)}
