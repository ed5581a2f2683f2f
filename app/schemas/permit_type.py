"""The public permit catalogue (事项清单): list entries and the full item."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from app.schemas.openapi import Resource

KINDS = ("new", "renewal", "change")
KINDS_DESCRIPTION = "适用的申请类型：new 新办、renewal 延续、change 变更"


class PermitTypeSummarySchema(Resource):
    code = fields.String(metadata={"description": "事项代码，如 hazchem-trading"})
    name = fields.String(metadata={"description": "事项名称"})
    authority_level = fields.String(metadata={"description": "审批层级：province|city|county"})
    validity_years = fields.Integer(metadata={"description": "许可有效期（年）"})
    decision_limit_days = fields.Integer(metadata={"description": "审批时限（工作日）"})
    kinds = fields.List(
        fields.String(validate=validate.OneOf(KINDS)), metadata={"description": KINDS_DESCRIPTION}
    )
    renewal_window_days = fields.Integer(metadata={"description": "到期前可申请延续的天数"})
    holder = fields.String(metadata={"description": "持证主体：enterprise 企业，person 个人"})


class PermitTypeListSchema(Resource):
    items = fields.List(fields.Nested(PermitTypeSummarySchema))


class ConditionSchema(Schema):
    """A condition names its field and one of ``equals`` or ``contains``."""

    field = fields.String(required=True, metadata={"description": "表单字段"})
    equals = fields.Raw(metadata={"description": "字段等于该值时适用"})
    contains = fields.Raw(metadata={"description": "字段（列表）包含该值时适用"})


class CatalogueMaterialSchema(Resource):
    code = fields.String()
    name = fields.String()
    required = fields.Boolean()
    deferrable = fields.Boolean(metadata={"description": "可容缺受理，稍后补交"})
    kinds = fields.List(
        fields.String(validate=validate.OneOf(KINDS)), metadata={"description": KINDS_DESCRIPTION}
    )
    when = fields.Nested(
        ConditionSchema, allow_none=True, metadata={"description": "仅当表单满足此条件时需要"}
    )
    commitment_allowed = fields.Boolean(metadata={"description": "可用告知承诺代替"})
    commitment_text = fields.String(allow_none=True, metadata={"description": "承诺书内容"})


class DirectExtensionSchema(Resource):
    allowed = fields.Boolean()
    conditions = fields.List(fields.String())


class PermitTypeSchema(PermitTypeSummarySchema):
    authority_note = fields.String()
    legal_basis = fields.List(fields.String())
    acceptance_limit_days = fields.Integer(metadata={"description": "受理时限（工作日）"})
    change_decision_limit_days = fields.Integer(allow_none=True)
    delivery_limit_days = fields.Integer(metadata={"description": "送达时限（工作日）"})
    working_days = fields.Dict(
        keys=fields.String(),
        values=fields.Boolean(),
        metadata={"description": "各时限是否按工作日计算"},
    )
    inspection_required = fields.Boolean()
    review_levels = fields.Integer(
        metadata={"description": "审批层级：2 审查→审批；3 审查→科室审核→审批", "enum": [2, 3]}
    )
    direct_extension = fields.Nested(DirectExtensionSchema)
    reminder_days = fields.List(fields.Integer(), metadata={"description": "到期提醒（天）"})
    materials = fields.List(fields.Nested(CatalogueMaterialSchema))
    form_schema = fields.Dict(
        keys=fields.String(),
        values=fields.Dict(),
        metadata={
            "description": "按申请类型（new/renewal/change）给出描述 form 的 JSON Schema "
            "（2020-12），每个属性带中文 title；服务器以同一 schema 校验 form。",
            "additionalProperties": {
                "type": "object",
                "description": "JSON Schema (2020-12)",
                "additionalProperties": True,
            },
        },
    )
    guide = fields.String(metadata={"description": "办事指南"})
    extension_days = fields.Integer(
        allow_none=True, metadata={"description": "可延长的审批期限（工作日）"}
    )
    clock_pauses = fields.List(
        fields.Dict(), metadata={"description": "暂停计时的环节及法律依据：{stage, basis}"}
    )
    inspection_exemptions = fields.List(fields.Raw(), metadata={"description": "免现场核查的情形"})
    instant = fields.Dict(
        keys=fields.String(),
        values=fields.Dict(),
        metadata={"description": "即时办理：按申请类型列出条件 {conditions: [{code, label}]}"},
    )
