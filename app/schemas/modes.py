"""Schemas of the service modes' routes (post-checks, commitments, consents)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from app.schemas.common import PageSchema
from app.schemas.openapi import Resource


class PostCheckSchema(Resource):
    id = fields.Integer()
    licence_id = fields.Integer()
    licence_number = fields.String()
    permit_type = fields.String()
    enterprise = fields.Dict()
    application_id = fields.Integer()
    reason = fields.String(metadata={"description": "instant|commitment"})
    reason_label = fields.String()
    due_on = fields.String()
    status = fields.String(metadata={"description": "pending|passed|failed"})
    comment = fields.String()
    checked_at = fields.String(allow_none=True)


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
    material = fields.String()
    material_name = fields.String()
    text = fields.String()
    signer_name = fields.String()
    signed_at = fields.String()


class FilingConsentCreateSchema(Schema):
    scope = fields.String(required=True, validate=validate.OneOf(["prepare", "submit"]))
    expires_on = fields.Date(required=True)


class FilingConsentSchema(Resource):
    id = fields.Integer()
    enterprise_id = fields.Integer()
    scope = fields.String(metadata={"description": "prepare|submit"})
    expires_on = fields.String()
    granted_at = fields.String()
    revoked_at = fields.String(allow_none=True)
    active = fields.Boolean()


class FilingConsentListSchema(Resource):
    items = fields.List(fields.Nested(FilingConsentSchema))
