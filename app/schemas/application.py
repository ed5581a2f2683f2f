"""Applications, their documents, actions and timeline."""

from __future__ import annotations

from typing import Any

from flask_smorest.fields import Upload
from marshmallow import Schema, ValidationError, fields, pre_dump, validate
from werkzeug.datastructures import FileStorage

from app.models.office import OFFICE_ACTIONS
from app.models.user import User
from app.schemas.common import (
    LocalDateTime,
    PageArgs,
    PageSchema,
    Pattern,
    day,
    export_format,
)
from app.schemas.enterprise import EnterpriseRefSchema
from app.schemas.modes import (
    CommitmentSchema,
    JointReviewSchema,
    PreReviewSchema,
    UnmetConditionSchema,
)
from app.schemas.openapi import Resource
from app.schemas.permit_type import KINDS
from workflows.definitions import WORKFLOWS

# Every state of every workflow kind, for the enum of ``state``.
STATES = tuple(dict.fromkeys(state for w in WORKFLOWS.values() for state in w.states))
# Every action of every workflow kind and the office's hand-overs (承办), for ``actions``.
ACTIONS = (
    *dict.fromkeys(t.action for w in WORKFLOWS.values() for t in w.transitions),
    *OFFICE_ACTIONS,
)
# A form is an object of the permit type's fields (``form_schema`` of GET /permit-types/{code}).
FORM = {"type": "object", "additionalProperties": True}
MATERIAL_STATUSES = ("missing", "deferred", "committed", "uploaded", "verified", "rejected")


class DeliverySchema(Resource):
    recipient = fields.String(metadata={"description": "收件人"})
    phone = fields.String(metadata={"description": "收件电话（非送达人员看到的是脱敏号码）"})
    address = fields.String(metadata={"description": "邮寄地址"})


class DeliveryInputSchema(Schema):
    """The delivery address as sent: a draft may leave any part out (checked at submit)."""

    recipient = fields.Raw(metadata={"type": "string", "description": "收件人"})
    phone = fields.Raw(metadata={"type": "string", "description": "收件电话"})
    address = fields.Raw(metadata={"type": "string", "description": "邮寄地址"})


class ApplicationCreateSchema(Schema):
    enterprise_id = fields.Integer(required=True)
    permit_type = fields.String(required=True, validate=validate.Length(min=1, max=64))
    kind = fields.String(required=True, validate=validate.OneOf(KINDS))
    form = fields.Raw(
        load_default=dict,
        metadata={**FORM, "description": "按事项 form_schema[kind] 填写的表单"},
    )
    delivery = fields.Nested(
        DeliveryInputSchema, required=True, metadata={"description": "邮寄信息"}
    )
    licence_id = fields.Integer(
        allow_none=True, metadata={"description": "延续、变更所针对的许可证"}
    )


class ApplicationPatchSchema(Schema):
    form = fields.Raw(metadata={**FORM, "description": "整张表单（替换原表单）"})
    delivery = fields.Nested(DeliveryInputSchema, metadata={"description": "邮寄信息（整体替换）"})
    version = fields.Integer(metadata={"description": "读取时的数据版本号（也可用 If-Match）"})


class ApplicationQuerySchema(PageArgs):
    state = fields.String()
    permit_type = fields.String()
    format = export_format()


class DocumentSchema(Resource):
    id = fields.Integer()
    material = fields.String(attribute="material_code", metadata={"description": "材料代码"})
    filename = fields.String()
    size = fields.Integer(metadata={"description": "字节数"})
    sha256 = fields.String()
    content_type = fields.String(metadata={"description": "按内容判定的类型"})
    uploaded_at = LocalDateTime(attribute="created_at")


class UploadedDocumentSchema(DocumentSchema):
    application_version = fields.Integer(
        attribute="application.version", metadata={"description": "上传后申请的数据版本号"}
    )


class DeadlineSchema(Resource):
    kind = fields.String(metadata={"description": "acceptance 受理、decision 审批、delivery 送达"})
    due = day("法定期限届满日")
    working_days_left = fields.Integer()
    paused = fields.Boolean(metadata={"description": "计时暂停（补正、专家评审等）"})
    overdue = fields.Boolean()


class MaterialStatusSchema(Resource):
    code = fields.String()
    name = fields.String()
    required = fields.Boolean()
    deferrable = fields.Boolean()
    status = fields.String(validate=validate.OneOf(MATERIAL_STATUSES))
    documents = fields.List(fields.Nested(DocumentSchema))
    pre_review_comment = fields.String(allow_none=True)
    commitment_allowed = fields.Boolean()


class MissingMaterialSchema(Resource):
    code = fields.String()
    name = fields.String()
    deferrable = fields.Boolean()
    reason = fields.String(
        validate=validate.OneOf(("missing", "supplement", "rejected")),
        metadata={"description": "missing 未上传、supplement 需补正、rejected 核验未通过"},
    )


class SupplementRequestSchema(Resource):
    materials = fields.List(fields.String(), metadata={"description": "需补正的材料代码"})
    comment = fields.String(metadata={"description": "补正说明"})
    after_document_id = fields.Integer(allow_none=True)
    requested_at = fields.String(metadata={"format": "date-time"})


class StaffRefSchema(Resource):
    """A staff member: a ``User``, or the ``{"id", "name"}`` a timeline entry keeps
    (``assignment.staff_ref``)."""

    id = fields.Integer()
    name = fields.String()

    @pre_dump
    def _from_user(self, staff: User | dict, **kwargs: Any) -> dict:
        return {"id": staff.id, "name": staff.staff_name} if isinstance(staff, User) else staff


class ApplicationSchema(Resource):
    OPTIONAL = ("assignee",)  # staff only: the applicant does not see who handles the case

    id = fields.Integer()
    number = fields.String(metadata={"description": "申请编号"})
    state = fields.String(validate=validate.OneOf(STATES), metadata={"description": "状态代码"})
    state_label = fields.String(metadata={"description": "状态中文名"})
    kind = fields.String(validate=validate.OneOf(KINDS))
    permit_type = fields.String()
    enterprise = fields.Nested(EnterpriseRefSchema)
    form = fields.Raw(metadata={**FORM, "description": "表单（个人信息已脱敏）"})
    delivery = fields.Nested(DeliverySchema)
    materials = fields.List(fields.Nested(MaterialStatusSchema))
    missing_materials = fields.List(fields.Nested(MissingMaterialSchema))
    form_errors = fields.Dict(
        keys=fields.String(),
        values=fields.List(fields.String()),
        metadata={"description": "表单尚缺或有误之处（字段路径 → 中文信息），完整时为空"},
    )
    supplement_request = fields.Nested(SupplementRequestSchema, allow_none=True)
    actions = fields.List(
        fields.String(validate=validate.OneOf(ACTIONS)),
        metadata={"description": "调用者当前可执行的动作（见 ActionRequest）"},
    )
    deadline = fields.Nested(DeadlineSchema, allow_none=True)
    licence_id = fields.Integer(allow_none=True)
    issued_licence_id = fields.Integer(allow_none=True)
    version = fields.Integer(metadata={"description": "数据版本号，写操作时带上（或 If-Match）"})
    created_at = LocalDateTime()
    updated_at = LocalDateTime()
    submitted_at = LocalDateTime(allow_none=True)
    accepted_at = LocalDateTime(allow_none=True)
    decided_at = LocalDateTime(allow_none=True)
    # Service modes (contract v1.1): unmet instant-approval conditions at submit, the
    # pre-review round, the joint review, the commitments standing in for materials.
    instant_unmet = fields.List(fields.Nested(UnmetConditionSchema), allow_none=True)
    pre_review = fields.Nested(PreReviewSchema, allow_none=True)
    joint_review = fields.Nested(JointReviewSchema, allow_none=True)
    commitments = fields.List(fields.Nested(CommitmentSchema))
    assignee = fields.Nested(
        StaffRefSchema,
        allow_none=True,
        metadata={"description": "承办人（仅工作人员可见）"},
    )


class ApplicationPageSchema(PageSchema):
    items = fields.List(fields.Nested(ApplicationSchema))


class ReviewItemSchema(ApplicationSchema):
    overdue = fields.Boolean()


class ReviewPageSchema(PageSchema):
    items = fields.List(fields.Nested(ReviewItemSchema))


class NoticeRefSchema(Resource):
    id = fields.Integer()
    number = fields.String(allow_none=True, metadata={"description": "文书编号"})


class TimelineEntrySchema(Resource):
    OPTIONAL = ("on_behalf_of",)  # staff only: who a deputy acted for
    seq = fields.Integer()
    at = LocalDateTime()
    actor = fields.String(metadata={"description": "操作人（已脱敏）或 system"})
    role = fields.String()
    action = fields.String()
    from_state = fields.String(allow_none=True)
    to_state = fields.String()
    comment = fields.String()
    notice = fields.Nested(
        NoticeRefSchema, allow_none=True, metadata={"description": "该步骤出具的文书"}
    )
    on_behalf_of = fields.Nested(
        StaffRefSchema,
        allow_none=True,
        metadata={"description": "代理人办理时被代理的承办人（仅工作人员可见）"},
    )


class TimelineSchema(Resource):
    items = fields.List(fields.Nested(TimelineEntrySchema))


class FileUpload(Upload):
    """An uploaded file (documented as binary); anything else reads as missing."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, FileStorage):
            raise ValidationError(self.error_messages["required"])
        return value


class UploadSchema(Schema):
    material = fields.String(
        required=True, metadata={"description": "材料代码，见事项的 materials"}
    )
    file = FileUpload(
        required=True, metadata={"description": "PDF、JPEG、PNG 或 OFD 文件（按内容判定）"}
    )


class ReviewQuerySchema(PageArgs):
    state = fields.String()
    overdue = fields.Boolean()
    assignee = fields.String(
        validate=Pattern(r"^(me|none|all|\d{1,12})$", error="须为 me、none、all 或工作人员编号"),
        metadata={
            "description": "me 本人承办（含代理的）、none 未分配、all 全部、或承办人编号；"
            "不填时审查员看到本人承办、代理的和未分配的案件，科室负责人和管理员看到全部"
        },
    )
    format = export_format()
