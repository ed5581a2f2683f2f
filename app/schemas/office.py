"""Office operations (承办): internal notes, what changed, deputies, bulk hand-overs, mailing
labels and how each region assigns its cases."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from app import timekeeping
from app.models import StaffDeputy
from app.schemas.application import StaffRefSchema
from app.schemas.common import LocalDateTime, Pattern, day
from app.schemas.openapi import Resource

MAX_BULK_IDS = 200  # cases one bulk hand-over takes


class NoteBodySchema(Schema):
    body = fields.String(required=True, validate=validate.Length(min=1, max=2000))


class NoteSchema(Resource):
    id = fields.Integer()
    body = fields.String()
    author = fields.Nested(StaffRefSchema, allow_none=True)
    created_at = LocalDateTime()


class NoteListSchema(Resource):
    items = fields.List(fields.Nested(NoteSchema))


class UrgeBodySchema(Schema):
    comment = fields.String(load_default="", validate=validate.Length(max=2000))


class FormChangeSchema(Resource):
    path = fields.String()
    before = fields.Raw(allow_none=True)
    after = fields.Raw(allow_none=True)


class MaterialChangeSchema(Resource):
    code = fields.String()
    name = fields.String()
    replaced_document_ids = fields.List(fields.Integer())
    new_document_ids = fields.List(fields.Integer())


class ChangesSchema(Resource):
    since = LocalDateTime(allow_none=True)
    form = fields.List(fields.Nested(FormChangeSchema))
    materials = fields.List(fields.Nested(MaterialChangeSchema))


class DeputyBodySchema(Schema):
    deputy_id = fields.Integer(required=True)
    starts_on = fields.Date(required=True)
    ends_on = fields.Date(required=True)


class DeputySchema(Resource):
    id = fields.Integer()
    staff_id = fields.Integer()
    deputy = fields.Nested(StaffRefSchema)
    starts_on = day()
    ends_on = day()
    active = fields.Method("_active", metadata={"type": "boolean", "description": "今日在代理期内"})
    created_at = LocalDateTime()

    def _active(self, row: StaffDeputy) -> bool:
        return row.starts_on <= timekeeping.today() <= row.ends_on


class DeputyListSchema(Resource):
    items = fields.List(fields.Nested(DeputySchema))


class BulkBodySchema(Schema):
    action = fields.String(required=True, validate=validate.OneOf(("assign", "transfer")))
    ids = fields.List(
        fields.Integer(), required=True, validate=validate.Length(min=1, max=MAX_BULK_IDS)
    )
    assignee_id = fields.Integer(required=True)
    comment = fields.String(load_default="", validate=validate.Length(max=2000))


class BulkErrorSchema(Resource):
    code = fields.String(metadata={"description": "错误码，与单件操作相同"})
    detail = fields.String(metadata={"description": "中文说明"})


class BulkResultSchema(Resource):
    id = fields.Integer()
    ok = fields.Boolean()
    assignee = fields.Nested(StaffRefSchema, allow_none=True)
    version = fields.Integer(allow_none=True)
    error = fields.Nested(BulkErrorSchema, allow_none=True)


class BulkResponseSchema(Resource):
    results = fields.List(fields.Nested(BulkResultSchema))
    succeeded = fields.Integer()
    failed = fields.Integer()


class LabelsQuerySchema(Schema):
    ids = fields.String(
        required=True,
        validate=Pattern(r"^\d{1,12}(,\d{1,12}){0,199}$", error="须为逗号分隔的申请编号"),
        metadata={"description": "逗号分隔的申请 id（至多 200 个）"},
    )


class AssignmentBodySchema(Schema):
    region = fields.String(required=True, validate=validate.Length(equal=6))
    mode = fields.String(required=True, validate=validate.OneOf(("manual", "least_loaded")))


class AssignmentSchema(Resource):
    region = fields.String(attribute="region_code")
    mode = fields.String()
    updated_at = LocalDateTime()


class AssignmentListSchema(Resource):
    items = fields.List(fields.Nested(AssignmentSchema))
