"""The caller's in-app inbox: list (with the unread count) and mark read."""

from __future__ import annotations

from flask.views import MethodView
from marshmallow import Schema, fields

from app.api.docs import Blueprint
from app.schemas.common import PageArgs, PageSchema, page_of, timestamp
from app.services import notifications as service
from app.web.auth import current_user, login_required

blp = Blueprint("notifications", __name__, url_prefix="/notifications", description="消息")


class NotificationQuerySchema(PageArgs):
    unread = fields.Boolean(load_default=False)


class NotificationSchema(Schema):
    id = fields.Integer()
    topic = fields.String(metadata={"description": "case、delivery、licence、reminder 等"})
    title = fields.String()
    body = fields.String()
    payload = fields.Dict(metadata={"description": "相关对象，如 application_id、licence_id"})
    read = fields.Boolean()
    read_at = timestamp(allow_none=True)
    created_at = timestamp()


class NotificationPageSchema(PageSchema):
    items = fields.List(fields.Nested(NotificationSchema))
    unread = fields.Integer(metadata={"description": "未读消息数"})


@blp.route("")
class Notifications(MethodView):
    @login_required
    @blp.arguments(NotificationQuerySchema, location="query")
    @blp.response(200, NotificationPageSchema)
    @blp.operation("listNotifications", "我的消息", "调用者的站内消息，按时间倒序，附未读数。")
    @blp.problems(401, 422)
    def get(self, args: dict):
        """The caller's inbox, newest first, with how many are unread."""
        items, total, unread = service.list_notifications(
            current_user(),
            unread_only=args["unread"],
            page=args["page"],
            page_size=args["page_size"],
        )
        page = page_of(
            [service.notification_view(n) for n in items], args["page"], args["page_size"], total
        )
        return {**page, "unread": unread}


@blp.route("/<int:notification_id>/read")
class NotificationRead(MethodView):
    @login_required
    @blp.response(200, NotificationSchema)
    @blp.operation("markNotificationRead", "标记已读", "将调用者的一条消息标记为已读。")
    @blp.problems(401, 404)
    def post(self, notification_id: int):
        """Mark one of the caller's notifications read."""
        return service.notification_view(service.mark_read(current_user(), notification_id))
