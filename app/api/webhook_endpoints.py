"""Webhook endpoints (admin): register where events are pushed, and read the delivery log."""

from __future__ import annotations

from flask.views import MethodView

from app.api.docs import JSON_BODY, Blueprint
from app.schemas.common import PageArgs, page_of
from app.schemas.integration import (
    WebhookDeliveryPageSchema,
    WebhookEndpointCreatedSchema,
    WebhookEndpointInSchema,
    WebhookEndpointListSchema,
    WebhookEndpointSchema,
)
from app.services import webhook_endpoints as service
from app.web.auth import current_user, staff_required

blp = Blueprint(
    "webhook_endpoints", __name__, url_prefix="/webhook-endpoints", description="对接系统：事件推送"
)


@blp.route("")
class WebhookEndpoints(MethodView):
    @staff_required("admin")
    @blp.arguments(WebhookEndpointInSchema)
    @blp.response(201, WebhookEndpointCreatedSchema)
    @blp.operation(
        "createWebhookEndpoint",
        "登记推送地址",
        "管理员登记对接系统的接收地址和订阅的事件类型。推送遵循 Standard Webhooks 规范"
        "（webhook-id、webhook-timestamp、webhook-signature: v1,<base64 HMAC-SHA256>），"
        "请求体为 CloudEvents 1.0 JSON；失败按指数退避重试，webhook-id 不变。"
        "返回的 secret 仅显示一次。",
    )
    @blp.problems(401, 403, (422, "WEBHOOK_URL_INVALID、EVENT_TYPE_UNKNOWN"), *JSON_BODY)
    def post(self, body: dict):
        """Register an endpoint; its signing secret is shown only in this response."""
        endpoint = service.create_endpoint(
            current_user(), body["url"], body["types"], body["description"]
        )
        return endpoint

    @staff_required("admin")
    @blp.response(200, WebhookEndpointListSchema)
    @blp.operation("listWebhookEndpoints", "推送地址列表", "已登记的推送地址（不含密钥）。")
    @blp.problems(401, 403)
    def get(self):
        """Every registered endpoint, without secrets."""
        return {"items": service.list_endpoints()}


@blp.route("/<int:endpoint_id>")
class WebhookEndpointItem(MethodView):
    @staff_required("admin")
    @blp.response(200, WebhookEndpointSchema)
    @blp.operation("getWebhookEndpoint", "推送地址详情", "一个推送地址（不含密钥）。")
    @blp.problems(401, 403, (404, "WEBHOOK_ENDPOINT_NOT_FOUND"))
    def get(self, endpoint_id: int):
        """One endpoint, without its secret."""
        return service.get_endpoint(endpoint_id)

    @staff_required("admin")
    @blp.response(204)
    @blp.operation(
        "deleteWebhookEndpoint", "删除推送地址", "删除后不再推送，待重试的推送一并取消。"
    )
    @blp.problems(401, 403, (404, "WEBHOOK_ENDPOINT_NOT_FOUND"))
    def delete(self, endpoint_id: int):
        """Delete an endpoint; nothing is sent to it any more."""
        service.delete_endpoint(endpoint_id)
        return ""


@blp.route("/<int:endpoint_id>/deliveries")
class WebhookDeliveries(MethodView):
    @staff_required("admin")
    @blp.arguments(PageArgs, location="query")
    @blp.response(200, WebhookDeliveryPageSchema)
    @blp.operation(
        "listWebhookDeliveries", "推送记录", "该地址的每次推送及其各次尝试，最新的在前。"
    )
    @blp.problems(401, 403, (404, "WEBHOOK_ENDPOINT_NOT_FOUND"), 422)
    def get(self, args: dict, endpoint_id: int):
        """The endpoint's deliveries, newest first, each with every attempt."""
        items, total = service.deliveries(endpoint_id, args["page"], args["page_size"])
        return page_of(items, args["page"], args["page_size"], total)
