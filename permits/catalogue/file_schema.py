"""The shape of a catalogue file, as a JSON Schema: every key, its type and its range."""

from __future__ import annotations

from typing import Any

from permits.catalogue.model import EXTENSION_CONDITIONS, KINDS, LIMITS, PAUSE_STAGES
from permits.form_validation import validation_errors

_DAYS = {"type": "integer", "minimum": 1, "maximum": 366}
_KIND_MAP = {
    "type": "object",
    "additionalProperties": False,
    "properties": {kind: {"title": f"{kind} 申请类型", "type": "object"} for kind in KINDS},
}
_CODE = {"type": "string", "pattern": "^[a-z][a-z0-9_-]*$"}

MATERIAL_SCHEMA: dict[str, Any] = {
    "title": "材料",
    "type": "object",
    "additionalProperties": False,
    "required": ["code", "name", "required", "deferrable", "kinds"],
    "properties": {
        "code": {**_CODE, "title": "材料编码"},
        "name": {"title": "材料名称", "type": "string", "minLength": 1},
        "required": {"title": "是否必需", "type": "boolean"},
        "deferrable": {"title": "是否可容缺", "type": "boolean"},
        "kinds": {
            "title": "适用的申请类型",
            "type": "array",
            "minItems": 1,
            "uniqueItems": True,
            "items": {"enum": list(KINDS)},
        },
        "when": {
            "title": "适用条件",
            "type": "object",
            "additionalProperties": False,
            "required": ["field"],
            "minProperties": 2,
            "maxProperties": 2,
            "properties": {
                "field": {"title": "条件字段", "type": "string", "minLength": 1},
                "equals": {"title": "等于"},
                "contains": {"title": "包含"},
            },
        },
        "commitment_allowed": {"title": "可以告知承诺代替", "type": "boolean"},
        "commitment_text": {"title": "告知承诺书内容", "type": "string", "minLength": 20},
    },
    "dependentRequired": {"commitment_allowed": ["commitment_text"]},
}

_FILE_PROPERTIES: dict[str, Any] = {
    "code": {**_CODE, "title": "事项编码"},
    "name": {"title": "事项名称", "type": "string", "minLength": 1},
    "authority_level": {"title": "审批层级", "enum": ["province", "city", "county"]},
    "authority_note": {"title": "审批层级说明", "type": "string", "minLength": 1},
    "legal_basis": {
        "title": "设定依据",
        "type": "array",
        "minItems": 1,
        "items": {"type": "string", "minLength": 1},
    },
    "type_code": {"title": "电子证照类型代码", "type": "string", "pattern": "^[0-9A-Z]{1,20}$"},
    "acceptance_limit_days": {**_DAYS, "title": "受理时限（日）"},
    "decision_limit_days": {**_DAYS, "title": "决定时限（日）"},
    "change_decision_limit_days": {
        "title": "变更决定时限（日）",
        "type": ["integer", "null"],
        "minimum": 1,
        "maximum": 366,
    },
    "delivery_limit_days": {**_DAYS, "title": "送达时限（日）"},
    "working_days": {
        "title": "是否按工作日计算",
        "type": "object",
        "additionalProperties": False,
        "properties": {
            limit: {"title": f"{limit} 是否按工作日计算", "type": "boolean"} for limit in LIMITS
        },
    },
    "validity_years": {"title": "有效期（年）", "type": "integer", "minimum": 1, "maximum": 20},
    "renewal_window_days": {**_DAYS, "title": "延续申请期（日）"},
    "reminder_days": {
        "title": "到期提醒天数",
        "type": "array",
        "minItems": 1,
        "uniqueItems": True,
        "items": {"type": "integer", "minimum": 0, "maximum": 3660},
    },
    "inspection_required": {"title": "是否需要现场核查", "type": "boolean"},
    "direct_extension": {
        "title": "直接延期",
        "type": "object",
        "additionalProperties": False,
        "required": ["allowed", "conditions"],
        "properties": {
            "allowed": {"title": "是否允许直接延期", "type": "boolean"},
            "conditions": {
                "title": "直接延期条件",
                "type": "array",
                "uniqueItems": True,
                "items": {"enum": list(EXTENSION_CONDITIONS)},
            },
        },
    },
    "number_template": {"title": "证书编号模板", "type": "string", "minLength": 1},
    "licence_template": {**_CODE, "title": "证照版式"},
    "holder_label": {"title": "证照上持证主体一栏的标签", "type": "string", "minLength": 1},
    "holder": {"title": "持证主体", "enum": ["enterprise", "person"]},
    "guide": {"title": "办事指南", "type": "string", "minLength": 20},
    "materials": {
        "title": "申请材料",
        "type": "array",
        "minItems": 1,
        "items": MATERIAL_SCHEMA,
    },
    "form_schema": {**_KIND_MAP, "title": "表单结构", "required": ["new"]},
    "licence_fields": {
        "title": "证书打印字段",
        "type": "object",
        "minProperties": 1,
        "additionalProperties": {"type": "string", "minLength": 1},
    },
    "example_forms": {**_KIND_MAP, "title": "示例表单"},
}
# Optional settings (contract v1.1): instant approval (none unless listed), and the
# statutory-procedure ones with a legal default: Art. 42's 10 days,
# Art. 45's pauses, no exemption.
_OPTIONAL_PROPERTIES: dict[str, Any] = {
    "instant": {
        "title": "秒批（即时办理）",
        "type": "object",
        "additionalProperties": False,
        "required": ["post_check_rate", "kinds"],
        "properties": {
            "post_check_rate": {
                "title": "抽取事后核查的比例",
                "type": "number",
                "minimum": 0,
                "maximum": 1,
            },
            "kinds": {
                **_KIND_MAP,
                "title": "各申请类型的秒批条件",
                "minProperties": 1,
                "additionalProperties": False,
                "properties": {
                    kind: {
                        "title": f"{kind} 秒批条件",
                        "type": "array",
                        "minItems": 1,
                        "uniqueItems": True,
                        "items": {"type": "string", "minLength": 1},
                    }
                    for kind in KINDS
                },
            },
        },
    },
    "extension_days": {**_DAYS, "title": "延长审批期限（日）"},
    "clock_pauses": {
        "title": "不计入审批时限的环节",
        "type": "array",
        "uniqueItems": True,
        "items": {
            "type": "object",
            "additionalProperties": False,
            "required": ["stage", "basis"],
            "properties": {
                "stage": {"title": "环节", "enum": list(PAUSE_STAGES)},
                "basis": {"title": "依据", "type": "string", "minLength": 1},
            },
        },
    },
    "review_levels": {"title": "审批层级（2：审查、审批；3：审查、审核、审批）", "enum": [2, 3]},
    "inspection_exemptions": {
        "title": "免于现场核查的条件",
        "type": "array",
        "items": {
            "type": "object",
            "additionalProperties": False,
            "required": ["kind", "field", "values", "label", "practice"],
            "properties": {
                "kind": {"title": "申请类型", "enum": list(KINDS)},
                "field": {"title": "表单字段", "type": "string", "minLength": 1},
                "values": {
                    "title": "满足条件的取值",
                    "type": "array",
                    "minItems": 1,
                    "items": {"type": "string"},
                },
                "label": {"title": "条件说明", "type": "string", "minLength": 1},
                "practice": {"title": "出处", "type": "string", "minLength": 1},
                "provinces": {
                    "title": "适用省份（代码前两位）",
                    "type": "array",
                    "items": {"type": "string", "pattern": "^[0-9]{2}$"},
                },
            },
        },
    },
}
# Every other key is required, so a forgotten one is an error rather than a silent default; a
# value that does not apply is written as null (change_decision_limit_days without a change).
FILE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": list(_FILE_PROPERTIES),
    "properties": {**_FILE_PROPERTIES, **_OPTIONAL_PROPERTIES},
}


def shape_problems(data: dict[str, Any]) -> list[str]:
    errors = validation_errors(FILE_SCHEMA, data, root="")
    return [f"{path}：{message}" for path, messages in errors.items() for message in messages]
