"""Licences, verification, shipments and courier reports."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from app.schemas.common import PageArgs, PageSchema

STATUSES = ("pending", "active", "expiring", "expired", "superseded", "revoked")


class LicenceQuerySchema(PageArgs):
    enterprise_id = fields.Integer()
    status = fields.String(validate=validate.OneOf(STATUSES))
    expiring_within_days = fields.Integer(validate=validate.Range(min=0, max=3650))


class LicenceSchema(Schema):
    id = fields.Integer()
    number = fields.String()
    identifier = fields.String()
    permit_type = fields.String()
    enterprise = fields.Dict()
    holder_name = fields.String()
    status = fields.String()
    status_label = fields.String()
    missing_particulars = fields.List(fields.Dict())
    issued_on = fields.String()
    valid_from = fields.String()
    valid_until = fields.String()
    days_to_expiry = fields.Integer()
    issuer_name = fields.String()
    supersedes_id = fields.Integer(allow_none=True)
    change_note = fields.String(allow_none=True)
    source = fields.String()
    verification_url = fields.String()
    version = fields.Integer()


class LicencePageSchema(PageSchema):
    items = fields.List(fields.Nested(LicenceSchema))


class RevokeSchema(Schema):
    comment = fields.String(required=True, validate=validate.Length(min=1, max=2000))
    version = fields.Integer()


class VerifyQuerySchema(Schema):
    code = fields.String(load_default="")


class VerificationSchema(Schema):
    valid = fields.Boolean()
    status = fields.String(allow_none=True)
    status_label = fields.String(allow_none=True)
    permit_type = fields.String(allow_none=True)
    enterprise_name = fields.String(allow_none=True)
    valid_from = fields.String(allow_none=True)
    valid_until = fields.String(allow_none=True)
    issuer_name = fields.String(allow_none=True)
    number = fields.String()


class CourierReportSchema(Schema):
    tracking_no = fields.String(required=True, validate=validate.Length(min=1, max=64))
    status = fields.String(
        required=True, validate=validate.OneOf(("in_transit", "delivered", "failed"))
    )
    at = fields.AwareDateTime(required=True, default_timezone=None)


class CarrierSchema(Schema):
    code = fields.String()
    name = fields.String()


class CarrierListSchema(Schema):
    items = fields.List(fields.Nested(CarrierSchema))


class ShipmentSchema(Schema):
    id = fields.Integer()
    application_id = fields.Integer()
    carrier = fields.String()
    carrier_name = fields.String()
    tracking_no = fields.String()
    status = fields.String()
    events = fields.List(fields.Dict())
    created_at = fields.String()
