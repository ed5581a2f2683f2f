"""The appointments resources: what their operations take and answer."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from app.models.appointment import PURPOSES
from app.schemas.common import LocalDateTime, Pattern
from app.schemas.openapi import Resource

MAX_CAPACITY = 200  # places of one slot
PURPOSE_DOC = (
    "用途：video_consultation 视频咨询、onsite_inspection 现场核查、document_collection 材料收取"
)
Purpose = validate.OneOf(tuple(PURPOSES))


class SlotQuerySchema(Schema):
    day = fields.Date(data_key="date", metadata={"description": "某一天的时段；缺省为今后所有时段"})
    purpose = fields.String(validate=Purpose, metadata={"description": PURPOSE_DOC})
    region = fields.String(
        validate=Pattern(r"^\d{6}$"), metadata={"description": "办理机关的行政区划代码"}
    )


class SlotCreateSchema(Schema):
    starts_at = fields.AwareDateTime(required=True, metadata={"description": "开始时间（带时区）"})
    ends_at = fields.AwareDateTime(required=True, metadata={"description": "结束时间（带时区）"})
    purpose = fields.String(required=True, validate=Purpose, metadata={"description": PURPOSE_DOC})
    capacity = fields.Integer(
        required=True,
        validate=validate.Range(min=1, max=MAX_CAPACITY),
        metadata={"description": "可预约人数"},
    )


class SlotSchema(Resource):
    id = fields.Integer()
    purpose = fields.String()
    purpose_label = fields.String()
    region_code = fields.String()
    starts_at = LocalDateTime()
    ends_at = LocalDateTime()
    capacity = fields.Integer()
    booked = fields.Integer(metadata={"description": "已预约人数"})
    available = fields.Integer(metadata={"description": "剩余名额"})


class SlotListSchema(Resource):
    items = fields.List(fields.Nested(SlotSchema))


class BookingSchema(Schema):
    slot_id = fields.Integer(required=True)
    purpose = fields.String(required=True, validate=Purpose, metadata={"description": PURPOSE_DOC})
    application_id = fields.Integer(
        allow_none=True, metadata={"description": "关联的本人申请（可选）"}
    )


class AppointmentQuerySchema(Schema):
    include_cancelled = fields.Boolean(load_default=False)


class AppointmentSchema(Resource):
    id = fields.Integer()
    slot = fields.Nested(SlotSchema)
    purpose = fields.String()
    application_id = fields.Integer(allow_none=True)
    status = fields.String(metadata={"description": "booked 已预约 / cancelled 已取消"})
    status_label = fields.String()
    created_at = LocalDateTime()


class AppointmentListSchema(Resource):
    items = fields.List(fields.Nested(AppointmentSchema))
