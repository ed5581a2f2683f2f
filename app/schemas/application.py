"""Applications, their documents, actions and timeline."""

from __future__ import annotations

from marshmallow import INCLUDE, Schema, fields, validate

from app.schemas.common import PageArgs, PageSchema

KINDS = ("new", "renewal", "change")


class DeliverySchema(Schema):
    recipient = fields.String()
    phone = fields.String()
    address = fields.String()


class ApplicationCreateSchema(Schema):
    enterprise_id = fields.Integer(required=True)
    permit_type = fields.String(required=True, validate=validate.Length(min=1, max=64))
    kind = fields.String(required=True, validate=validate.OneOf(KINDS))
    form = fields.Raw(load_default=dict, metadata={"description": "按事项 form_schema 填写"})
    delivery = fields.Dict(required=True, keys=fields.String(), values=fields.Raw())
    licence_id = fields.Integer(allow_none=True, load_default=None)


class ApplicationPatchSchema(Schema):
    form = fields.Raw()
    delivery = fields.Dict(keys=fields.String(), values=fields.Raw())
    version = fields.Integer()


class ApplicationQuerySchema(PageArgs):
    state = fields.String()
    permit_type = fields.String()


class ActionSchema(Schema):
    """The action name, the version read, and the action's own fields (kept as given)."""

    class Meta:
        unknown = INCLUDE

    action = fields.String(required=True, validate=validate.Length(min=1, max=64))
    version = fields.Integer()
    comment = fields.String(validate=validate.Length(max=2000))


class DocumentSchema(Schema):
    id = fields.Integer()
    material = fields.String()
    filename = fields.String()
    size = fields.Integer()
    sha256 = fields.String()
    content_type = fields.String()
    uploaded_at = fields.String()


class UploadedDocumentSchema(DocumentSchema):
    application_version = fields.Integer(metadata={"description": "上传后申请的数据版本号"})


class DeadlineSchema(Schema):
    kind = fields.String()
    due = fields.String()
    working_days_left = fields.Integer()
    paused = fields.Boolean()
    overdue = fields.Boolean()


class MaterialStatusSchema(Schema):
    code = fields.String()
    name = fields.String()
    required = fields.Boolean()
    deferrable = fields.Boolean()
    status = fields.String(
        metadata={"description": "missing|deferred|committed|uploaded|verified|rejected"}
    )
    documents = fields.List(fields.Nested(DocumentSchema))
    pre_review_comment = fields.String(allow_none=True)
    commitment_allowed = fields.Boolean()


class ApplicationSchema(Schema):
    id = fields.Integer()
    number = fields.String()
    state = fields.String()
    state_label = fields.String()
    kind = fields.String()
    permit_type = fields.String()
    enterprise = fields.Dict()
    form = fields.Dict()
    delivery = fields.Nested(DeliverySchema)
    materials = fields.List(fields.Nested(MaterialStatusSchema))
    missing_materials = fields.List(fields.Dict())
    form_errors = fields.Dict(keys=fields.String(), values=fields.List(fields.String()))
    supplement_request = fields.Dict(allow_none=True)
    actions = fields.List(fields.String())
    deadline = fields.Nested(DeadlineSchema, allow_none=True)
    licence_id = fields.Integer(allow_none=True)
    issued_licence_id = fields.Integer(allow_none=True)
    version = fields.Integer()
    created_at = fields.String()
    updated_at = fields.String()
    submitted_at = fields.String(allow_none=True)
    accepted_at = fields.String(allow_none=True)
    decided_at = fields.String(allow_none=True)
    # Service modes (contract v1.1): unmet instant-approval conditions at submit, the
    # pre-review round, the joint review, the commitments standing in for materials.
    instant_unmet = fields.List(fields.Dict(), allow_none=True)
    pre_review = fields.Dict(allow_none=True)
    joint_review = fields.Dict(allow_none=True)
    commitments = fields.List(fields.Dict())


class ApplicationPageSchema(PageSchema):
    items = fields.List(fields.Nested(ApplicationSchema))


class ReviewItemSchema(ApplicationSchema):
    overdue = fields.Boolean()


class ReviewPageSchema(PageSchema):
    items = fields.List(fields.Nested(ReviewItemSchema))


class TimelineEntrySchema(Schema):
    seq = fields.Integer()
    at = fields.String()
    actor = fields.String()
    role = fields.String()
    action = fields.String()
    from_state = fields.String(allow_none=True)
    to_state = fields.String()
    comment = fields.String()
    notice = fields.Dict(allow_none=True, metadata={"description": "该步骤出具的文书 {id, number}"})


class TimelineSchema(Schema):
    items = fields.List(fields.Nested(TimelineEntrySchema))


class UploadFormSchema(Schema):
    material = fields.String(required=True)


class UploadFileSchema(Schema):
    file = fields.Raw(required=True, metadata={"type": "string", "format": "binary"})


class ReviewQuerySchema(PageArgs):
    state = fields.String()
    overdue = fields.Boolean()
