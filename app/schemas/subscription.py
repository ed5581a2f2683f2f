"""The subscriptions resources: what their operations take and answer."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from app.schemas.openapi import Resource

TemplateId = fields.String(validate=validate.Length(min=1, max=128))


class SubscriptionReportSchema(Schema):
    accepted = fields.List(
        TemplateId, load_default=list, metadata={"description": "用户同意的订阅消息模板ID"}
    )
    rejected = fields.List(
        TemplateId, load_default=list, metadata={"description": "用户拒绝的订阅消息模板ID"}
    )


class ConsentSchema(Resource):
    template_id = fields.String()
    status = fields.String(metadata={"description": "accepted 已同意 / rejected 已拒绝"})
    remaining = fields.Integer(metadata={"description": "尚可发送的次数（一次性订阅每次同意一条）"})


class ConsentListSchema(Resource):
    items = fields.List(fields.Nested(ConsentSchema))
