"""Schemas of the service modes' routes (post-checks, commitments, consents)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from app.schemas.common import LocalDateTime, PageSchema, timestamp
from app.schemas.openapi import Resource


class CheckedEnterpriseSchema(Resource):
    id = fields.Integer()
    name = fields.String()


class PostCheckSchema(Resource):
    id = fields.Integer()
    licence_id = fields.Integer()
    licence_number = fields.String(attribute="licence.number")
    permit_type = fields.String(attribute="licence.permit_type")
    enterprise = fields.Nested(CheckedEnterpriseSchema, attribute="licence.enterprise")
    application_id = fields.Integer()
    reason = fields.String(
        validate=validate.OneOf(["instant", "commitment"]), metadata={"description": "检查原因"}
    )
    reason_label = fields.String()
    due_on = fields.Date()
    status = fields.String(
        validate=validate.OneOf(["pending", "passed", "failed"]), metadata={"description": "状态"}
    )
    comment = fields.String()
    checked_at = LocalDateTime(allow_none=True)


class PostCheckPageSchema(PageSchema):
    items = fields.List(fields.Nested(PostCheckSchema))


class PostCheckResultSchema(Schema):
    result = fields.String(required=True, validate=validate.OneOf(["pass", "fail"]))
    comment = fields.String(load_default="", validate=validate.Length(max=2000))


class CommitmentCreateSchema(Schema):
    material = fields.String(required=True, validate=validate.Length(min=1, max=64))
    signer_name = fields.String(required=True, validate=validate.Length(min=1, max=50))


class CommitmentSchema(Resource):
    id = fields.Integer()
    material = fields.String(attribute="material_code")
    material_name = fields.String()
    text = fields.String()
    signer_name = fields.String()
    signed_at = LocalDateTime()


class FilingConsentCreateSchema(Schema):
    scope = fields.String(required=True, validate=validate.OneOf(["prepare", "submit"]))
    expires_on = fields.Date(required=True)


class FilingConsentSchema(Resource):
    id = fields.Integer()
    enterprise_id = fields.Integer()
    scope = fields.String(metadata={"description": "prepare|submit"})
    expires_on = fields.Date()
    granted_at = LocalDateTime()
    revoked_at = LocalDateTime(allow_none=True)
    active = fields.Boolean()


class FilingConsentListSchema(Resource):
    items = fields.List(fields.Nested(FilingConsentSchema))


class UnmetConditionSchema(Resource):
    """An instant-approval condition the case did not meet when it was submitted."""

    code = fields.String(metadata={"description": "条件代码"})
    label = fields.String(metadata={"description": "条件说明"})


class PreReviewSchema(Resource):
    """The latest pre-review round: the clerk's comments, overall and per material."""

    comment = fields.String()
    material_comments = fields.Dict(
        keys=fields.String(), values=fields.String(), metadata={"description": "材料代码 → 意见"}
    )
    returned_at = timestamp("退回时间")
    rounds = fields.Integer(metadata={"description": "预审轮次"})


class OpinionSchema(Resource):
    opinion = fields.String(validate=validate.OneOf(["agree", "disagree"]))
    opinion_label = fields.String()
    comment = fields.String()
    reviewer = fields.String()
    at = timestamp()


class JointReviewSchema(Resource):
    """The joint review: the units asked and the opinions given so far."""

    units = fields.List(fields.String(), metadata={"description": "联合审查单位（行政区划代码）"})
    unit_names = fields.Dict(keys=fields.String(), values=fields.String())
    opinions = fields.Dict(
        keys=fields.String(),
        values=fields.Nested(OpinionSchema),
        metadata={"description": "单位代码 → 意见（已出具的）"},
    )
    opened_at = timestamp()
    comment = fields.String()
