"""The caller's in-app inbox: list (with the unread count) and mark read."""

from __future__ import annotations

from flask.views import MethodView

from app.api.docs import Blueprint
from app.schemas.common import page_of
from app.schemas.notification import (
    NotificationPageSchema,
    NotificationQuerySchema,
    NotificationSchema,
)
from app.services import notifications as service
from app.web.auth import current_user, login_required

blp = Blueprint("notifications", __name__, url_prefix="/notifications", description="消息")


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
        page = page_of(items, args["page"], args["page_size"], total)
        return {**page, "unread": unread}


@blp.route("/<int:notification_id>/read")
class NotificationRead(MethodView):
    @login_required
    @blp.response(200, NotificationSchema)
    @blp.operation("markNotificationRead", "标记已读", "将调用者的一条消息标记为已读。")
    @blp.problems(401, 404)
    def post(self, notification_id: int):
        """Mark one of the caller's notifications read."""
        return service.mark_read(current_user(), notification_id)
