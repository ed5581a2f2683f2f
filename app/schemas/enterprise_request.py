"""The enterprise requests resources: what their operations take and answer."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from app.models.enterprise_request import STATE_LABELS
from app.schemas.common import LocalDateTime, PageArgs, PageSchema, day, export_format
from app.schemas.openapi import Resource

ACTIONS = ("claim", "reply", "close", "reopen")
STATES = tuple(STATE_LABELS)


class TopicSchema(Resource):
    code = fields.String(metadata={"description": "类别代码"})
    name = fields.String(metadata={"description": "类别名称，如 用工、融资、税务"})
    unit = fields.String(metadata={"description": "承办单位（按企业所在地区确定具体单位）"})
    level = fields.String(metadata={"description": "承办单位层级：district/city/province"})
    response_days = fields.Integer(metadata={"description": "答复时限（工作日）"})


class TopicListSchema(Resource):
    items = fields.List(fields.Nested(TopicSchema))


class RequestCreateSchema(Schema):
    enterprise_id = fields.Integer(required=True, metadata={"description": "本人管理的企业"})
    topic = fields.String(required=True, metadata={"description": "诉求类别代码"})
    title = fields.String(required=True, validate=validate.Length(min=1, max=100))
    description = fields.String(required=True, validate=validate.Length(min=1, max=5000))


class RequestQuerySchema(PageArgs):
    topic = fields.String(metadata={"description": "按类别筛选"})
    state = fields.String(validate=validate.OneOf(STATES))
    overdue = fields.Boolean(metadata={"description": "true 仅看超期未答复的诉求"})
    format = export_format()


class RequestActionSchema(Schema):
    action = fields.String(required=True, validate=validate.OneOf(ACTIONS))
    comment = fields.String(validate=validate.Length(max=5000))
    version = fields.Integer(required=True, metadata={"description": "读取时的版本号"})


class RequestRatingSchema(Schema):
    score = fields.Integer(required=True, validate=validate.Range(min=1, max=5))
    comment = fields.String(validate=validate.Length(max=1000))


class RequestDeadlineSchema(Resource):
    due = day("答复期限")
    working_days_left = fields.Integer(allow_none=True)
    overdue = fields.Boolean(metadata={"description": "是否超期（未按时答复）"})


class AttachmentSchema(Resource):
    id = fields.Integer()
    filename = fields.String()
    size = fields.Integer()
    sha256 = fields.String()
    content_type = fields.String()
    created_at = LocalDateTime()


class RequestEnterpriseSchema(Resource):
    id = fields.Integer()
    name = fields.String()


class RequestRatingGivenSchema(Resource):
    score = fields.Integer(attribute="rating_score")
    comment = fields.String(attribute="rating_comment", allow_none=True)


class RequestEventSchema(Resource):
    action = fields.String()
    role = fields.String(metadata={"description": "applicant 申请人、staff 工作人员"})
    comment = fields.String(allow_none=True)
    at = LocalDateTime()


class RequestSummarySchema(Resource):
    """A request as the queue lists it; ``Request`` (one request) adds its files and history.

    Both dump an ``enterprise_requests.ShownRequest``."""

    id = fields.Integer()
    enterprise = fields.Nested(RequestEnterpriseSchema)
    topic = fields.String()
    topic_name = fields.String()
    handling_unit = fields.String(metadata={"description": "承办单位"})
    region_code = fields.String()
    title = fields.String()
    description = fields.String()
    state = fields.String(
        validate=validate.OneOf(STATES), metadata={"description": "open/claimed/replied/closed"}
    )
    state_label = fields.String()
    reply = fields.String(allow_none=True)
    deadline = fields.Nested(RequestDeadlineSchema)
    rating = fields.Nested(RequestRatingGivenSchema, allow_none=True)
    actions = fields.List(
        fields.String(validate=validate.OneOf(ACTIONS)),
        metadata={"description": "调用者当前可执行的操作"},
    )
    version = fields.Integer()
    created_at = LocalDateTime()
    updated_at = LocalDateTime()


class RequestSchema(RequestSummarySchema):
    attachments = fields.List(fields.Nested(AttachmentSchema))
    history = fields.List(fields.Nested(RequestEventSchema))


class RequestPageSchema(PageSchema):
    items = fields.List(fields.Nested(RequestSummarySchema))


class AttachmentFileSchema(Schema):
    file = fields.Raw(metadata={"type": "string", "format": "binary"})
