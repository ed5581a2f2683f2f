"""The notifications resources: what their operations take and answer."""

from __future__ import annotations

from marshmallow import fields, validate

from app.schemas.common import LocalDateTime, PageArgs, PageSchema
from app.schemas.openapi import Resource

# What a notification is about, with the name people read; each topic may have its own
# WeChat template (WECHAT_TEMPLATE_<TOPIC>).
TOPIC_LABELS = {
    "case": "办件",
    "delivery": "送达",
    "licence": "许可证",
    "reminder": "到期提醒",
    "request": "诉求",
    "appointment": "预约",
    "deadline": "期限预警",
    "urge": "催办",
    "case_returned": "退回审查",
    "rating_outcome": "评价处理结果",
    "rating_overdue": "差评整改超期",
    "webhook": "事件推送",
}
TOPICS = tuple(TOPIC_LABELS)


class NotificationQuerySchema(PageArgs):
    unread = fields.Boolean(load_default=False)


class NotificationSchema(Resource):
    id = fields.Integer()
    topic = fields.String(
        validate=validate.OneOf(TOPICS),
        metadata={
            "description": "、".join(f"{code} {name}" for code, name in TOPIC_LABELS.items())
        },
    )
    title = fields.String()
    body = fields.String()
    payload = fields.Dict(metadata={"description": "相关对象，如 application_id、licence_id"})
    read = fields.Boolean()
    read_at = LocalDateTime(allow_none=True)
    created_at = LocalDateTime()


class NotificationPageSchema(PageSchema):
    items = fields.List(fields.Nested(NotificationSchema))
    unread = fields.Integer(metadata={"description": "未读消息数"})
