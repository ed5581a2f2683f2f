"""Shapes of the integration API: client tokens, the event feed, webhook endpoints."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from app.models import WebhookDelivery
from app.schemas.common import LocalDateTime, PageSchema
from app.schemas.event_types import EVENT_TYPES, SCOPES
from app.schemas.openapi import Resource
from app.timekeeping import local_iso

TYPE_LIST = "、".join(EVENT_TYPES)


class ClientLoginSchema(Schema):
    client_id = fields.String(required=True, validate=validate.Length(min=1, max=40))
    client_secret = fields.String(
        required=True, load_only=True, validate=validate.Length(min=1, max=200)
    )


class ClientTokenSchema(Resource):
    """A token issued to ``client`` (an ``ApiClient``)."""

    token = fields.String(metadata={"description": "Bearer 令牌：`Authorization: Bearer <token>`"})
    expires_in = fields.Integer(metadata={"description": "有效期（秒）"})
    client_id = fields.String(attribute="client.client_id")
    scopes = fields.List(fields.String(validate=validate.OneOf(SCOPES)), attribute="client.scopes")


class EventQuerySchema(Schema):
    after = fields.String(
        load_default="",
        validate=validate.Length(max=40),
        metadata={"description": "游标：上次响应的 next；省略则从头读取"},
    )
    types = fields.String(
        load_default="",
        validate=validate.Length(max=2000),
        metadata={
            "description": f"逗号分隔的事件类型；省略则为本客户端有权读取的全部类型：{TYPE_LIST}"
        },
    )
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=500))


class CloudEventSchema(Schema):
    """One event in the CloudEvents 1.0 JSON format."""

    specversion = fields.String(metadata={"description": "固定为 1.0"})
    id = fields.String(metadata={"description": "事件标识，在 source 内唯一"})
    source = fields.String(metadata={"description": "事件来源：urn:zerovisit:<发证机关信用代码>"})
    type = fields.String(validate=validate.OneOf(list(EVENT_TYPES)))
    time = fields.String(metadata={"description": "发生时间，ISO 8601（+08:00）"})
    subject = fields.String(metadata={"description": "办件编号或许可证编号"})
    datacontenttype = fields.String(metadata={"description": "固定为 application/json"})
    data = fields.Dict(
        metadata={
            "description": "事件数据：办件事件见 EventDataCase，证照事件见 EventDataLicence，"
            "好差评见 EventDataRating；超出客户端权限的字段不返回",
            "oneOf": [
                {"$ref": "#/components/schemas/EventDataCase"},
                {"$ref": "#/components/schemas/EventDataLicence"},
                {"$ref": "#/components/schemas/EventDataRating"},
            ],
        }
    )


class EventPageSchema(Schema):
    items = fields.List(fields.Nested(CloudEventSchema))
    next = fields.String(metadata={"description": "下次请求的 after；没有新事件时与本次相同"})


class WebhookEndpointInSchema(Schema):
    url = fields.String(required=True, validate=validate.Length(min=1, max=500))
    types = fields.List(
        fields.String(), required=True, metadata={"description": f"订阅的事件类型：{TYPE_LIST}"}
    )
    description = fields.String(load_default="", validate=validate.Length(max=200))


class WebhookEndpointSchema(Resource):
    id = fields.Integer()
    url = fields.String()
    types = fields.List(fields.String())
    description = fields.String()
    active = fields.Boolean(metadata={"description": "false：已因持续失败被停用"})
    failing_since = LocalDateTime(allow_none=True)
    disabled_at = LocalDateTime(allow_none=True)
    created_at = LocalDateTime()


class WebhookEndpointCreatedSchema(WebhookEndpointSchema):
    secret = fields.String(
        metadata={"description": "签名密钥 whsec_…，仅在创建时显示一次，请妥善保存"}
    )


class WebhookEndpointListSchema(Resource):
    items = fields.List(fields.Nested(WebhookEndpointSchema))


class WebhookAttemptSchema(Resource):
    attempted_at = LocalDateTime()
    status_code = fields.Integer(allow_none=True, metadata={"description": "对方的 HTTP 状态码"})
    succeeded = fields.Boolean()
    error = fields.String()
    duration_ms = fields.Integer()


class WebhookDeliverySchema(Resource):
    id = fields.Integer()
    webhook_id = fields.Function(
        lambda delivery: f"evt_{delivery.event_id}",
        metadata={"type": "string", "description": "webhook-id 请求头，重试时不变"},
    )
    event_id = fields.String()
    event_type = fields.String(attribute="event.type")
    status = fields.String(
        metadata={"description": "pending 待发送/重试、delivered 已送达、cancelled 已取消"}
    )
    attempts = fields.List(fields.Nested(WebhookAttemptSchema), attribute="log")
    next_attempt_at = fields.Method(
        "_next_attempt_at",
        allow_none=True,
        metadata={"type": "string", "format": "date-time", "description": "仅待发送时有值"},
    )

    def _next_attempt_at(self, delivery: WebhookDelivery) -> str | None:
        return local_iso(delivery.next_attempt_at) if delivery.status == "pending" else None


class WebhookDeliveryPageSchema(PageSchema):
    items = fields.List(fields.Nested(WebhookDeliverySchema))
