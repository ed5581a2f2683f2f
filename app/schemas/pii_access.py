"""查询留痕 shapes: the unmasked personal data of a case and the access records."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from app.schemas.common import LocalDateTime, PageArgs, PageSchema
from app.schemas.openapi import Resource


class PersonalFormSchema(Schema):
    worker_id_number = fields.String(metadata={"description": "作业人员居民身份证号码（完整）"})
    worker_phone = fields.String(metadata={"description": "作业人员手机号（完整）"})
    principal_phone = fields.String(metadata={"description": "主要负责人联系电话（完整）"})


class PersonalDeliverySchema(Schema):
    recipient = fields.String()
    phone = fields.String(metadata={"description": "收件电话（完整）"})
    address = fields.String()


class PersonalDataSchema(Schema):
    form = fields.Nested(PersonalFormSchema)
    delivery = fields.Nested(PersonalDeliverySchema)


class PiiAccessQuerySchema(PageArgs):
    subject = fields.String(
        validate=validate.Length(max=64), metadata={"description": "申请编号（个人信息所属的案件）"}
    )
    staff_id = fields.Integer(metadata={"description": "查看人（工作人员 ID）"})
    start = fields.AwareDateTime(
        data_key="from", metadata={"description": "起（含），ISO 8601 带时区"}
    )
    end = fields.AwareDateTime(
        data_key="to", metadata={"description": "止（不含），ISO 8601 带时区"}
    )
    format = fields.String(
        validate=validate.OneOf(("json", "xlsx")),
        load_default="json",
        metadata={"description": "xlsx：导出全部符合条件的记录为 Excel"},
    )


class PiiAccessSchema(Resource):
    id = fields.Integer()
    at = LocalDateTime(metadata={"description": "查看时间"})
    staff_id = fields.Integer()
    staff_name = fields.String()
    subject = fields.String(metadata={"description": "申请编号"})
    application_id = fields.Integer(allow_none=True)
    fields_ = fields.List(
        fields.String(),
        data_key="fields",
        attribute="field_names",
        metadata={"description": "查看的字段；下载材料为 document"},
    )
    document_id = fields.Integer(allow_none=True)
    route = fields.String(metadata={"description": "访问地址"})
    request_id = fields.String(metadata={"description": "请求 ID（X-Request-ID）"})


class PiiAccessPageSchema(PageSchema):
    items = fields.List(fields.Nested(PiiAccessSchema))
