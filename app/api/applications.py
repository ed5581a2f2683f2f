"""Applications: drafts, edits, the workflow actions and the timeline."""

from __future__ import annotations

import json
from typing import cast

from flask import Response, current_app, request
from flask.views import MethodView

from app.api import conditional
from app.api.docs import JSON_BODY, Blueprint
from app.api.status_reads import Kept, status_reads
from app.api.xlsx import XLSX_ALTERNATIVE, send_export, wants_xlsx
from app.domain import access
from app.errors import NotFound, ValidationFailed
from app.models import Application, User
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
from app.services import cases, exports
from app.web.auth import (
    current_user,
    login_required,
    remember_user,
    token_claims,
    token_user_valid,
)
from app.web.idempotency import idempotent
from app.web.observability import USER_ID_KEY
from permits.identifiers import is_ascii_digits

blp = Blueprint("applications", __name__, url_prefix="/applications", description="申请")
APPLICATION = ApplicationSchema()  # the status read dumps itself: its body may be kept

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
    header = header.partition("-")[0]  # an ETag of the read (``<version>-<date>``) works too
    if not is_ascii_digits(header):
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
    @blp.doc(responses={200: XLSX_ALTERNATIVE})
    @blp.problems(401, (403, "EXPORT_FORBIDDEN：仅工作人员可以导出"), 422)
    def get(self, args: dict):
        """The caller's applications (staff: their region's), newest first."""
        user = current_user()
        if wants_xlsx(user, args):
            state, permit_type = args.get("state"), args.get("permit_type")

            def fetch(page: int, page_size: int) -> tuple[list, int]:
                return service.list_applications(
                    user, state=state, permit_type=permit_type, page=page, page_size=page_size
                )

            shown = {"state": state, "permit_type": permit_type}
            return send_export(exports.export_cases(user, "cases", shown, fetch))
        items, total = service.list_applications(
            user,
            state=args.get("state"),
            permit_type=args.get("permit_type"),
            page=args["page"],
            page_size=args["page_size"],
        )
        return page_of(
            [service.shown(user, a) for a in items],
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
        (404, "企业或许可证不存在：ENTERPRISE_NOT_FOUND、LICENCE_NOT_FOUND"),
        (
            409,
            "LICENCE_NOT_ACTIVE、LICENCE_HAS_OPEN_APPLICATION、LICENCE_ALREADY_RENEWED、"
            "RENEWAL_WINDOW_NOT_OPEN",
        ),
        *JSON_BODY,
        (422, "PERMIT_TYPE_UNKNOWN、LICENCE_REQUIRED、LICENCE_MISMATCH"),
    )
    def post(self, body: dict):
        """Start a draft application for one of the caller's enterprises."""
        user = current_user()
        return service.shown(user, service.create_application(user, body))


def _caller_and_case(claims: dict, application_id: int) -> tuple[User, Application]:
    """The caller and the case for the status read: both rows in one query when the token
    settles it, else the ordinary way (which answers 401 and 404 as every route does)."""
    if isinstance(claims.get("uid"), int):
        found = access.user_and_application(claims["uid"], application_id)
        if found is not None:
            user, application = found
            if token_user_valid(user, claims) and access.can_see_application(user, application):
                remember_user(user)
                return user, application
    user = current_user()
    return user, access.get_application(user, application_id)


def _built_read(claims: dict, application_id: int) -> tuple[str, bytes]:
    """The status read built from the case: its ETag and its JSON body."""
    user, application = _caller_and_case(claims, application_id)
    etag = conditional.etag_of(application.version)
    dumped = APPLICATION.dump(service.shown(user, application))
    return etag, cast(Response, current_app.json.response(dumped)).get_data()


def _resent(claims: dict, application_id: int, kept: Kept) -> bytes:
    """A kept body, to send again (under ``STATUS_READ_CACHE_VERIFY``, rebuilt and compared:
    the test suite fails on a change that did not bump the case's version)."""
    if current_app.config["STATUS_READ_CACHE_VERIFY"]:
        etag, body = _built_read(claims, application_id)
        if (etag, body) != (kept.etag, kept.body):
            fresh, old = json.loads(body), json.loads(kept.body)
            fields = sorted(k for k in fresh.keys() | old.keys() if fresh.get(k) != old.get(k))
            message = f"a kept status read of case {application_id} is stale in {fields}"
            raise RuntimeError(message)
    return kept.body


def _json(body: bytes, etag: str) -> Response:
    response = current_app.response_class(body, mimetype="application/json")
    response.headers.update(conditional.cache_headers(etag))
    return response


@blp.route("/<int:application_id>")
class ApplicationItem(MethodView):
    @blp.response(200, ApplicationSchema)
    @blp.doc(responses={304: {"description": "未变化（If-None-Match 与当前 ETag 相同）"}})
    @blp.operation(
        "getApplication",
        "申请详情",
        "一件申请：材料情况、缺少的材料、调用者当前可执行的动作（actions）和法定期限。"
        "响应带 ETag（版本号与办公日期）；轮询时带 If-None-Match，未变化返回 304。",
    )
    @blp.headers("IfNoneMatch")
    @blp.problems(401, 404)
    def get(self, application_id: int):
        """One application, with what is missing and what the caller may do now.

        The phone's poll (``If-None-Match``) and a read of a case whose body this worker
        sent the applicant before both start with one small query for the current ETag;
        a match is a 304, or the kept body (app/api/status_reads.py)."""
        claims = token_claims()
        reads = status_reads()
        applicant = conditional.applicant_claims(claims)
        kept = reads.get(claims["uid"], application_id) if applicant else None
        polled = request.headers.get("If-None-Match")
        if polled or kept is not None:
            current = conditional.applicant_etag(claims, application_id)
            if current is not None:
                request.environ[USER_ID_KEY] = claims["uid"]  # for the access log
            elif polled:  # staff, or not settled: the caller loaded and checked as usual
                current = conditional.application_etag(current_user(), application_id)
                if current is None:
                    raise NotFound("申请不存在", code="APPLICATION_NOT_FOUND")
            if polled and current is not None and conditional.matches(polled, current):
                return conditional.not_modified(current)
            if kept is not None and current == kept.etag:
                return _json(_resent(claims, application_id, kept), current)
        etag, body = _built_read(claims, application_id)
        if applicant:  # only the case's manager gets here with an applicant's token
            reads.put(claims["uid"], application_id, etag, body)
        return _json(body, etag)

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
        return service.shown(user, application)


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
        (403, "ACTION_FORBIDDEN：该角色不能执行此动作；CONSENT_SCOPE_EXCEEDED：授权范围不含此动作"),
        404,
        (
            409,
            "TRANSITION_NOT_ALLOWED、ACTION_ALREADY_TAKEN、VERSION_CONFLICT、MATERIALS_MISSING、"
            "MATERIALS_REJECTED、MATERIALS_UNVERIFIED、DEFERRED_MATERIALS_OUTSTANDING、"
            "FORM_INCOMPLETE、INSPECTION_NOT_PASSED、SUPPLEMENT_ALREADY_REQUESTED、"
            "DEADLINE_ALREADY_EXTENDED、NOT_A_JOINT_REVIEW_UNIT、OPINION_ALREADY_GIVEN、"
            "LICENCE_PARTICULARS_MISSING、LICENCE_NUMBERING_UNAVAILABLE；承办：CASE_NOT_OPEN、"
            "CASE_ALREADY_ASSIGNED、CASE_NOT_ASSIGNED、CASE_ASSIGNED_TO_OTHER",
        ),
        *JSON_BODY,
        (
            422,
            "VALIDATION_FAILED（errors 按字段列出）、ACTION_UNKNOWN、MATERIAL_UNKNOWN、"
            "MATERIAL_NOT_UPLOADED、CARRIER_UNKNOWN、JOINT_REVIEW_UNIT_INVALID、ASSIGNEE_REQUIRED、"
            "ASSIGNEE_INVALID",
        ),
    )
    def post(self, body: dict, application_id: int):
        """Take one workflow action on the case (see ``actions`` for what is allowed now)."""
        user = current_user()
        data = {k: v for k, v in body.items() if k not in ("action", "version")}
        application = cases.take_action(
            user, application_id, body["action"], data, requested_version(body)
        )
        return service.shown(user, application)


@blp.route("/<int:application_id>/timeline")
class ApplicationTimeline(MethodView):
    @login_required
    @blp.response(200, TimelineSchema)
    @blp.operation("getTimeline", "办理过程", "申请的全部办理记录，按发生顺序。")
    @blp.problems(401, 404)
    def get(self, application_id: int):
        """Everything that happened to the case, in order."""
        return {"items": service.timeline_entries(current_user(), application_id)}
