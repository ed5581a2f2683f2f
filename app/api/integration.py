"""The integration API for other government systems: client tokens and the event feed.

Only machine clients use it (``app.web.client_auth``); people's tokens get 403 here. What a
client sees follows its scopes: licence events need ``licences:read``, and data keys a
scope gates are left out (``app.schemas.event_types``).
"""

from __future__ import annotations

from flask import current_app
from flask.views import MethodView

from app import throttle
from app.api.docs import JSON_BODY, Blueprint
from app.domain import events
from app.errors import AppError, Forbidden, TooManyRequests, field_error
from app.extensions import client_address
from app.schemas.event_types import EVENT_TYPES, readable_types
from app.schemas.integration import (
    ClientLoginSchema,
    ClientTokenSchema,
    EventPageSchema,
    EventQuerySchema,
)
from app.services import api_clients
from app.web.client_auth import client_required, current_client, issue_client_token

blp = Blueprint("integration", __name__, url_prefix="", description="对接系统：事件订阅")


@blp.route("/auth/client")
class ClientLogin(MethodView):
    @blp.arguments(ClientLoginSchema)
    @blp.response(200, ClientTokenSchema)
    @blp.operation(
        "loginClient",
        "对接系统获取令牌",
        "以管理员发放的 client_id 和 client_secret 换取 Bearer 令牌（默认 1 小时有效）。"
        "权限范围：events:read 读取事件、licences:read 证照事件、cases:read 办件中的企业信息。",
        auth=False,
    )
    @blp.problems(
        (401, "CLIENT_CREDENTIALS_INVALID、CLIENT_REVOKED"), (429, "失败次数过多"), *JSON_BODY
    )
    def post(self, body: dict):
        """Exchange a client's id and secret for a bearer token."""
        limit = current_app.config["CLIENT_LOGIN_LIMIT"]
        if not throttle.allowed(limit, "client-login", client_address()):
            raise TooManyRequests(
                "获取令牌失败次数过多，请稍后再试",
                headers={
                    "Retry-After": str(
                        throttle.retry_after(limit, "client-login", client_address())
                    )
                },
            )
        try:
            client = api_clients.authenticate(body["client_id"], body["client_secret"])
        except AppError:
            throttle.hit(limit, "client-login", client_address())
            raise
        token, ttl = issue_client_token(client)
        return {"token": token, "expires_in": ttl, "client": client}


def _types(requested: str, scopes: list[str]) -> list[str]:
    allowed = readable_types(scopes)
    if not requested.strip():
        return allowed
    names = [name.strip() for name in requested.split(",") if name.strip()]
    unknown = [name for name in names if name not in EVENT_TYPES]
    if unknown:
        raise field_error("types", f"未知的事件类型：{'、'.join(unknown)}", "EVENT_TYPE_UNKNOWN")
    refused = [name for name in names if name not in allowed]
    if refused:
        scope = EVENT_TYPES[refused[0]].scope
        raise Forbidden(f"该客户端没有 {scope} 权限，不能读取 {refused[0]}", code="SCOPE_MISSING")
    return names


@blp.route("/events")
class Events(MethodView):
    @client_required("events:read")
    @blp.arguments(EventQuerySchema, location="query")
    @blp.response(200, EventPageSchema)
    @blp.operation(
        "listEvents",
        "事件订阅（拉取）",
        "按游标顺序返回 CloudEvents 1.0 格式的事件："
        "办件（提交、受理、不予受理、补正、决定、送达）、证照（签发、撤销、被替代）和好差评。"
        "以上次响应的 next 作为 after 继续读取，不会遗漏或重复；"
        "事件与其所报告的变更在同一事务中写入。data 的结构见 EventDataCase、"
        "EventDataLicence、EventDataRating；超出客户端权限的字段不返回。仅限对接系统的客户端令牌。",
    )
    @blp.problems(
        (401, "AUTH_REQUIRED、TOKEN_INVALID、TOKEN_EXPIRED、CLIENT_REVOKED"),
        (403, "SCOPE_MISSING、CLIENT_TOKEN_REQUIRED（申请人或工作人员令牌）"),
        (422, "VALIDATION_FAILED（limit 超出 1–500）、CURSOR_INVALID、EVENT_TYPE_UNKNOWN"),
        (429, "超出客户端的请求频率限制"),
    )
    def get(self, args: dict):
        """Events after the cursor, in cursor order, cut to the client's scopes."""
        scopes = current_client().scopes
        after = events.Cursor.parse(args["after"])
        items = events.read(after, _types(args["types"], scopes), args["limit"])
        following = events.Cursor.of(items[-1]) if items else after
        return {
            "items": [events.cloud_event(event, scopes) for event in items],
            "next": str(following),
        }
