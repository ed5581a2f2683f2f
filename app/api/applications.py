"""Applications: drafts, edits, the workflow actions and the timeline."""

from __future__ import annotations

from flask import request
from flask.views import MethodView
from flask_smorest import Blueprint

from app.auth import current_user, login_required
from app.errors import ValidationFailed
from app.idempotency import idempotent
from app.schemas.application import (
    ActionSchema,
    ApplicationCreateSchema,
    ApplicationPageSchema,
    ApplicationPatchSchema,
    ApplicationQuerySchema,
    ApplicationSchema,
    TimelineSchema,
)
from app.schemas.common import page_of
from app.services import access, cases
from app.services import applications as service

blp = Blueprint("applications", __name__, url_prefix="/applications", description="申请")
SECURITY = [{"bearerAuth": []}]


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
    @blp.doc(security=SECURITY)
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
    @blp.doc(security=SECURITY)
    def post(self, body: dict):
        """Start a draft application for one of the caller's enterprises."""
        user = current_user()
        return service.application_view(user, service.create_application(user, body))


@blp.route("/<int:application_id>")
class ApplicationItem(MethodView):
    @login_required
    @blp.response(200, ApplicationSchema)
    @blp.doc(security=SECURITY)
    def get(self, application_id: int):
        """One application, with what is missing and what the caller may do now."""
        user = current_user()
        return service.application_view(user, access.get_application(user, application_id))

    @login_required
    @blp.arguments(ApplicationPatchSchema)
    @blp.response(200, ApplicationSchema)
    @blp.doc(security=SECURITY)
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
    @blp.doc(security=SECURITY)
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
    @blp.doc(security=SECURITY)
    def get(self, application_id: int):
        """Everything that happened to the case, in order."""
        return {"items": service.timeline_view(current_user(), application_id)}
