"""The permit catalogue (事项清单, "清单之外无审批"): what the office may license, as data.

Each permit type is one YAML file in ``permits/catalogue/``: its legal basis, issuing level,
statutory time limits, validity and renewal window, materials, form schemas (JSON Schema
2020-12, drawn by the phone and enforced by the server), licence layout, numbering template
and example forms. This module reads those files, checks them strictly — a typo in a
catalogue file must stop the app rather than silently drop a material or a required field —
and turns them into frozen ``PermitType`` objects.
"""

from __future__ import annotations

import copy
import re
import string
from collections.abc import Hashable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError

from permits.form_validation import validation_errors
from permits.instant import MATERIAL_PREFIX, RULES, InstantCondition, condition
from permits.numbering import TEMPLATE_FIELDS

DEFAULT_DIRECTORY = Path(__file__).parent / "catalogue"
KINDS = ("new", "renewal", "change")
LIMITS = ("acceptance", "decision", "change_decision", "delivery")
EXTENSION_CONDITIONS = ("no_revocation_in_period", "no_fatal_accident_declared")
PAUSE_STAGES = ("expert_review", "inspection", "hearing")
DEFAULT_EXTENSION_DAYS = 10  # 《行政许可法》Art. 42: 20 days, extendable by 10
# Art. 45: hearings, testing, expert review … do not count toward the limit.
DEFAULT_CLOCK_PAUSES = (
    {"stage": "expert_review", "basis": "《中华人民共和国行政许可法》第四十五条"},
    {"stage": "hearing", "basis": "《中华人民共和国行政许可法》第四十五条"},
)
PERSON_FIELDS = ("worker_name", "worker_id_number")
CJK = re.compile(r"[\u4e00-\u9fff]")

JSON_SCHEMA_KEYWORDS = frozenset(
    {
        # core
        "$schema", "$id", "$ref", "$anchor", "$dynamicRef", "$dynamicAnchor", "$vocabulary",
        "$comment", "$defs",
        # applicator and unevaluated
        "prefixItems", "items", "contains", "additionalProperties", "properties",
        "patternProperties", "dependentSchemas", "propertyNames", "if", "then", "else",
        "allOf", "anyOf", "oneOf", "not", "unevaluatedItems", "unevaluatedProperties",
        # validation
        "type", "const", "enum", "multipleOf", "maximum", "exclusiveMaximum", "minimum",
        "exclusiveMinimum", "maxLength", "minLength", "pattern", "maxItems", "minItems",
        "uniqueItems", "maxContains", "minContains", "maxProperties", "minProperties",
        "required", "dependentRequired",
        # meta-data, format, content
        "title", "description", "default", "deprecated", "readOnly", "writeOnly", "examples",
        "format", "contentEncoding", "contentMediaType", "contentSchema",
    }
)  # fmt: skip
SCHEMA_MAPS = ("properties", "patternProperties", "$defs", "dependentSchemas")
SCHEMA_LISTS = ("prefixItems", "allOf", "anyOf", "oneOf")
SCHEMA_SINGLES = (
    "items", "contains", "additionalProperties", "propertyNames", "if", "then", "else", "not",
    "unevaluatedItems", "unevaluatedProperties", "contentSchema",
)  # fmt: skip


class CatalogueError(Exception):
    """A catalogue file that cannot be used; names the file and every problem found in it."""

    def __init__(self, file: str, problems: Sequence[str]) -> None:
        self.file = file
        self.problems = list(problems)
        super().__init__(f"许可事项清单文件 {file} 有误：" + "；".join(self.problems))


@dataclass(frozen=True)
class Condition:
    """When a material applies, judged on the form: ``field`` equals or contains ``value``."""

    field: str
    operator: str  # "equals" | "contains"
    value: Any

    def holds(self, form: Mapping[str, Any]) -> bool:
        answer = form.get(self.field)
        if self.operator == "contains":
            return isinstance(answer, list) and self.value in answer
        return bool(answer == self.value)

    def as_dict(self) -> dict[str, Any]:
        return {"field": self.field, self.operator: self.value}


@dataclass(frozen=True)
class Material:
    """One document an applicant uploads; ``deferrable`` ones may follow later (容缺受理)."""

    code: str
    name: str
    required: bool
    deferrable: bool
    kinds: tuple[str, ...]
    when: Condition | None = None
    commitment_text: str | None = None  # 告知承诺制: the text signed instead of the document

    @property
    def commitment_allowed(self) -> bool:
        return self.commitment_text is not None

    def applies(self, kind: str, form: Mapping[str, Any]) -> bool:
        return kind in self.kinds and (self.when is None or self.when.holds(form))

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "required": self.required,
            "deferrable": self.deferrable,
            "kinds": list(self.kinds),
            "when": self.when.as_dict() if self.when else None,
            "commitment_allowed": self.commitment_allowed,
            "commitment_text": self.commitment_text,
        }


@dataclass(frozen=True)
class DirectExtension:
    """Whether a renewal may skip review (直接延期), and the condition keys the app evaluates."""

    allowed: bool
    conditions: tuple[str, ...]


@dataclass(frozen=True)
class ClockPause:
    """A stage whose time does not count toward the decision limit, and the rule saying so."""

    stage: str  # one of PAUSE_STAGES
    basis: str


@dataclass(frozen=True)
class InspectionExemption:
    """A condition under which a ``kind`` case needs no on-site inspection.

    ``provinces`` (2-digit prefixes) confines a provincial practice to its province; empty
    means everywhere. ``practice`` says where the rule comes from, shown to staff.
    """

    kind: str
    field: str
    values: tuple[str, ...]
    label: str
    practice: str
    provinces: tuple[str, ...] = ()

    def holds(self, kind: str, form: Mapping[str, Any], region_code: str) -> bool:
        if kind != self.kind or form.get(self.field) not in self.values:
            return False
        return not self.provinces or region_code[:2] in self.provinces


@dataclass(frozen=True)
class PermitType:
    """One permit type of the catalogue, as its file describes it."""

    code: str
    name: str
    authority_level: str  # "province" | "city" | "county"
    authority_note: str
    legal_basis: tuple[str, ...]
    type_code: str  # electronic-licence type code in 1.2.156.3005.2.{type_code}.…
    item_code: str  # 事项基本编码 of the national government-service item list
    implementation_code: str  # 实施编码: the item as this office implements it
    acceptance_limit_days: int
    decision_limit_days: int
    change_decision_limit_days: int | None
    delivery_limit_days: int
    working_days: dict[str, bool]  # limit name → counted in working days
    validity_years: int
    renewal_window_days: int
    reminder_days: tuple[int, ...]  # days before expiry, descending; 0 = the expiry day
    inspection_required: bool
    direct_extension: DirectExtension
    number_template: str
    licence_template: str
    holder: str  # "enterprise" | "person"
    guide: str
    materials: tuple[Material, ...]
    form_schema: dict[str, dict[str, Any]]
    licence_fields: dict[str, str]  # form field → label printed on the licence
    examples: dict[str, dict[str, Any]]  # read through ``example_forms``, which copies
    instant: dict[str, tuple[InstantCondition, ...]] = field(default_factory=dict)
    post_check_rate: float = 0.0  # share of instant approvals put on the post-check queue
    extension_days: int = DEFAULT_EXTENSION_DAYS  # Art. 42 extension of the decision limit
    clock_pauses: tuple[ClockPause, ...] = ()
    inspection_exemptions: tuple[InspectionExemption, ...] = ()

    @cached_property
    def _required_only_validator(self) -> Draft202012Validator:
        """A validator of the new-application form that only decides which top-level fields
        are required, built once per permit type.

        A licence list asks ``missing_particulars`` for every licence it shows; the full
        schema would also validate every property's value (patterns, list items), which
        cannot make a top-level field required and cost most of the list's time. The
        ``required``, ``if``/``then`` and ``allOf`` rules stay (a conditional rule reads the
        properties it tests in its own ``if``); the top-level property schemas go.
        """
        schema = {
            keyword: rule
            for keyword, rule in self.form_schema["new"].items()
            if keyword not in ("properties", "additionalProperties", "patternProperties")
        }
        return Draft202012Validator(schema)

    def missing_particulars(self, form: Mapping[str, Any]) -> list[str]:
        """Licence fields the new-application form would require for ``form`` but it lacks.

        A licence must print every particular its type requires (经营场所, 许可范围 …), so a
        missing or blank one blocks issue; a conditional one (储存场所 only with storage)
        counts when its condition holds.
        """
        filled = {key: value for key, value in form.items() if value not in ("", [], None)}
        validator = self._required_only_validator
        required = {
            name
            for error in validator.iter_errors(filled)
            if error.validator == "required" and not error.path
            for name in error.validator_value
            if name not in filled
        }
        return [name for name in self.licence_fields if name in required]

    def clock_pause(self, stage: str) -> ClockPause | None:
        """The rule under which time spent in ``stage`` does not count, if any."""
        return next((pause for pause in self.clock_pauses if pause.stage == stage), None)

    def inspection_exemption(
        self, kind: str, form: Mapping[str, Any], region_code: str
    ) -> InspectionExemption | None:
        """The exemption that spares this case the on-site inspection, if one holds."""
        return next(
            (rule for rule in self.inspection_exemptions if rule.holds(kind, form, region_code)),
            None,
        )

    @property
    def kinds(self) -> tuple[str, ...]:
        return tuple(kind for kind in KINDS if kind in self.form_schema)

    @property
    def example_forms(self) -> dict[str, dict[str, Any]]:
        """A filled, valid form per kind; a fresh copy, so callers may edit it freely."""
        return copy.deepcopy(self.examples)

    def materials_for(self, kind: str, form: Mapping[str, Any]) -> list[Material]:
        """The materials an application of ``kind`` with this ``form`` must list."""
        self._check_kind(kind)
        return [material for material in self.materials if material.applies(kind, form)]

    def decision_limit(self, kind: str) -> int:
        """Days from acceptance to the decision for ``kind`` (changes may have their own)."""
        self._check_kind(kind)
        if kind == "change" and self.change_decision_limit_days is not None:
            return self.change_decision_limit_days
        return self.decision_limit_days

    def summary(self) -> dict[str, Any]:
        """The catalogue list entry of the API contract."""
        return {
            "code": self.code,
            "name": self.name,
            "authority_level": self.authority_level,
            "validity_years": self.validity_years,
            "decision_limit_days": self.decision_limit_days,
            "kinds": list(self.kinds),
            "renewal_window_days": self.renewal_window_days,
            "holder": self.holder,
            "item_code": self.item_code,
            "implementation_code": self.implementation_code,
        }

    def detail(self) -> dict[str, Any]:
        """The catalogue item of the API contract: materials, form schemas and guide added."""
        return {
            **self.summary(),
            "authority_note": self.authority_note,
            "legal_basis": list(self.legal_basis),
            "acceptance_limit_days": self.acceptance_limit_days,
            "change_decision_limit_days": self.change_decision_limit_days,
            "delivery_limit_days": self.delivery_limit_days,
            "working_days": dict(self.working_days),
            "inspection_required": self.inspection_required,
            "direct_extension": {
                "allowed": self.direct_extension.allowed,
                "conditions": list(self.direct_extension.conditions),
            },
            "reminder_days": list(self.reminder_days),
            "extension_days": self.extension_days,
            "clock_pauses": [
                {"stage": pause.stage, "basis": pause.basis} for pause in self.clock_pauses
            ],
            "inspection_exemptions": [
                {
                    "kind": rule.kind,
                    "field": rule.field,
                    "values": list(rule.values),
                    "label": rule.label,
                    "practice": rule.practice,
                    "provinces": list(rule.provinces),
                }
                for rule in self.inspection_exemptions
            ],
            "materials": [material.as_dict() for material in self.materials],
            "form_schema": copy.deepcopy(self.form_schema),
            "guide": self.guide,
            "instant": {
                kind: {"conditions": [item.as_dict() for item in conditions]}
                for kind, conditions in self.instant.items()
            },
        }

    def _check_kind(self, kind: str) -> None:
        if kind not in self.form_schema:
            raise ValueError(f"permit type {self.code} has no kind {kind!r}")


@cache
def get_catalogue() -> dict[str, PermitType]:
    """The catalogue shipped with the app, read once per process."""
    return load_catalogue()


def get_permit_type(code: Any) -> PermitType | None:
    if not isinstance(code, str):
        return None
    return get_catalogue().get(code)


def load_catalogue(directory: Path | None = None) -> dict[str, PermitType]:
    """Every permit type in ``directory`` (one ``*.yaml`` each), keyed by code.

    Raises ``CatalogueError`` for the first file with problems, listing all of that file's.
    """
    directory = directory or DEFAULT_DIRECTORY
    files = sorted(directory.glob("*.yaml"))
    if not files:
        raise CatalogueError(str(directory), ["目录中没有任何许可事项文件（*.yaml）"])
    catalogue: dict[str, PermitType] = {}
    type_codes: dict[str, str] = {}
    for path in files:
        permit_type = load_permit_type(path)
        if permit_type.type_code in type_codes:
            clash = type_codes[permit_type.type_code]
            raise CatalogueError(
                path.name, [f"type_code：电子证照类型代码 {permit_type.type_code} 与 {clash} 重复"]
            )
        type_codes[permit_type.type_code] = path.name
        catalogue[permit_type.code] = permit_type
    return catalogue


def load_permit_type(path: Path) -> PermitType:
    """One catalogue file, checked for shape first and then for meaning."""
    data = _read_yaml(path)
    problems = _shape_problems(data)
    if not problems:
        problems = _meaning_problems(path.stem, data)
    if problems:
        raise CatalogueError(path.name, problems)
    return _build(data)


# --- reading -----------------------------------------------------------------------------


class _DuplicateKey(Exception):
    def __init__(self, key: Any, line: int) -> None:
        self.key = key
        self.line = line


class _StrictLoader(yaml.SafeLoader):
    """A safe loader that refuses a key repeated in one mapping (PyYAML keeps the last)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Hashable, Any]:
        seen: list[Any] = []  # a list: YAML allows unhashable keys, which the parent refuses
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":  # `<<: *anchor` may be overridden
                continue
            key = self.construct_object(key_node, deep=True)
            if key in seen:
                raise _DuplicateKey(key, key_node.start_mark.line + 1)
            seen.append(key)
        return super().construct_mapping(node, deep)


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
        data = yaml.load(text, Loader=_StrictLoader)  # noqa: S506 - a SafeLoader subclass
    except UnicodeDecodeError:
        raise CatalogueError(path.name, ["文件须为 UTF-8 编码"]) from None
    except _DuplicateKey as duplicate:
        problem = f"第{duplicate.line}行：键 {duplicate.key} 重复"
        raise CatalogueError(path.name, [problem]) from None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        where = f"（第{mark.line + 1}行第{mark.column + 1}列附近）" if mark else ""
        raise CatalogueError(path.name, [f"不是有效的 YAML{where}"]) from None
    except (yaml.YAMLError, ValueError):  # ValueError: an impossible date such as 2026-13-01
        raise CatalogueError(path.name, ["不是有效的 YAML"]) from None
    if not isinstance(data, dict):
        raise CatalogueError(path.name, ["文件内容须为键值映射"])
    return data


# --- checking the shape --------------------------------------------------------------------

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
    "item_code": {"title": "事项基本编码", "type": "string", "pattern": "^[0-9A-Z]{6,40}$"},
    "implementation_code": {"title": "实施编码", "type": "string", "pattern": "^[0-9A-Z]{6,60}$"},
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


def _shape_problems(data: dict[str, Any]) -> list[str]:
    errors = validation_errors(FILE_SCHEMA, data, root="")
    return [f"{path}：{message}" for path, messages in errors.items() for message in messages]


# --- checking the meaning -----------------------------------------------------------------


def _meaning_problems(stem: str, data: dict[str, Any]) -> list[str]:
    problems: list[str] = []
    if data["code"] != stem:
        problems.append(f"code：事项编码须与文件名一致（应为 {stem}）")
    problems += _limit_problems(data)
    problems += _reminder_problems(data["reminder_days"])
    problems += _number_template_problems(data["number_template"], data["authority_level"])
    schema_problems = [
        problem
        for kind, schema in data["form_schema"].items()
        for problem in _form_schema_problems(f"form_schema.{kind}", schema)
    ]
    if schema_problems:  # the checks below read the schemas, so they wait until these are fixed
        return problems + schema_problems
    forms = data["form_schema"]
    problems += _material_problems(data["materials"], forms)
    problems += _example_problems(data["example_forms"], forms)
    problems += _licence_field_problems(data["licence_fields"], forms)
    problems += _extension_problems(data["direct_extension"], forms)
    problems += _exemption_problems(data.get("inspection_exemptions", ()), forms)
    if data["holder"] == "person":
        problems += _person_problems(forms)
    if "instant" in data:
        problems += _instant_problems(data["instant"]["kinds"], data)
    return problems


def _instant_problems(kinds: dict[str, list[str]], data: dict[str, Any]) -> list[str]:
    problems = []
    for kind, codes in kinds.items():
        if kind not in data["form_schema"]:
            problems.append(f"instant.kinds.{kind}：没有 {kind} 申请类型的表单结构")
            continue
        names = {m["code"]: m["name"] for m in data["materials"] if kind in m["kinds"]}
        for code in codes:
            if condition(code, names) is None:
                known = "、".join([*RULES, f"{MATERIAL_PREFIX}<材料编码>"])
                problems.append(f"instant.kinds.{kind}：未知的秒批条件 {code}（可用：{known}）")
        if "direct_extension" in codes and not (
            kind == "renewal" and data["direct_extension"]["allowed"]
        ):
            problems.append(f"instant.kinds.{kind}：只有允许直接延期的延续申请才能以直接延期为条件")
    return problems


def _limit_problems(data: dict[str, Any]) -> list[str]:
    problems = []
    has_change = "change" in data["form_schema"]
    if has_change and data["change_decision_limit_days"] is None:
        problems.append("change_decision_limit_days：有变更（change）表单时须填写变更决定时限")
    if not has_change and data["change_decision_limit_days"] is not None:
        problems.append("change_decision_limit_days：没有变更（change）表单时应为 null")
    expected = {"acceptance", "decision", "delivery"} | (
        {"change_decision"} if has_change else set()
    )
    for limit in sorted(expected - set(data["working_days"])):
        problems.append(f"working_days.{limit}：请注明该时限是否按工作日计算")
    for limit in sorted(set(data["working_days"]) - expected):
        problems.append(f"working_days.{limit}：没有对应的时限")
    return problems


def _reminder_problems(days: list[int]) -> list[str]:
    if days != sorted(days, reverse=True):
        return ["reminder_days：到期提醒天数须从大到小排列"]
    return []


def _number_template_problems(template: str, authority_level: str) -> list[str]:
    """The checks ``permits.numbering`` would otherwise only make when a licence is issued."""
    try:
        fields = [(name, conv) for _, name, _, conv in string.Formatter().parse(template) if name]
    except ValueError:
        return ["number_template：证书编号模板的花括号不成对"]
    names = {name for name, _ in fields}
    problems = [
        f"number_template：不支持的占位符 {{{name}}}（可用：{'、'.join(TEMPLATE_FIELDS)}）"
        for name in sorted(names - set(TEMPLATE_FIELDS))
    ]
    problems += [
        f"number_template：占位符 {{{name}!{conv}}} 的写法不受支持" for name, conv in fields if conv
    ]
    if "seq" not in names:
        problems.append("number_template：证书编号模板须包含流水号 {seq}")
    if "city_abbr" in names and authority_level == "province":
        problems.append("number_template：省级发证的事项无法使用市级简称 {city_abbr}")
    return problems


def _form_schema_problems(location: str, schema: dict[str, Any]) -> list[str]:
    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as error:
        where = ".".join([location, *map(str, error.absolute_path)])
        return [f"{where}：不是有效的 JSON Schema 2020-12（关键字 {error.validator}）"]
    problems = []
    if schema.get("type") != "object":
        problems.append(f"{location}.type：表单结构的根须为 object")
    for where, subschema, is_field in _subschemas(location, schema, is_field=False):
        for keyword in sorted(set(subschema) - JSON_SCHEMA_KEYWORDS):
            problems.append(f"{where}：未知的 JSON Schema 关键字 {keyword}")
        title = subschema.get("title")
        if is_field and not (isinstance(title, str) and CJK.search(title)):
            problems.append(f"{where}：字段须有中文标题（title）")
    return problems


def _subschemas(
    location: str, schema: Any, *, is_field: bool, in_fields: bool = True
) -> Iterator[tuple[str, dict[str, Any], bool]]:
    """Every object subschema of ``schema`` with its location, flagging the form's fields.

    A field is a property reached from the root through ``properties`` and ``items`` only;
    properties named inside ``if``, ``allOf`` and the like are conditions, not fields.
    """
    if not isinstance(schema, dict):
        return
    yield location, schema, is_field
    for keyword in SCHEMA_MAPS:
        for name, child in _mapping(schema.get(keyword)).items():
            field = in_fields and keyword == "properties"
            yield from _subschemas(
                f"{location}.{keyword}.{name}", child, is_field=field, in_fields=field
            )
    for keyword in SCHEMA_LISTS:
        children = schema.get(keyword)
        keeps = in_fields and keyword == "prefixItems"
        for index, child in enumerate(children if isinstance(children, list) else []):
            yield from _subschemas(
                f"{location}.{keyword}.{index}", child, is_field=False, in_fields=keeps
            )
    for keyword in SCHEMA_SINGLES:
        keeps = in_fields and keyword == "items"
        yield from _subschemas(
            f"{location}.{keyword}", schema.get(keyword), is_field=False, in_fields=keeps
        )


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _properties(schema: dict[str, Any]) -> dict[str, Any]:
    return _mapping(schema.get("properties"))


def _material_problems(
    materials: list[dict[str, Any]], forms: dict[str, dict[str, Any]]
) -> list[str]:
    problems = []
    seen: set[str] = set()
    for index, material in enumerate(materials):
        where = f"materials.{index}"
        if material["code"] in seen:
            problems.append(f"{where}.code：材料编码 {material['code']} 重复")
        seen.add(material["code"])
        if material["deferrable"] and not material["required"]:
            problems.append(f"{where}.deferrable：可容缺的材料须为必需材料（required: true）")
        if "commitment_text" in material and not material.get("commitment_allowed"):
            problems.append(f"{where}.commitment_text：仅 commitment_allowed 的材料需要承诺书内容")
        for kind in material["kinds"]:
            if kind not in forms:
                problems.append(f"{where}.kinds：没有 {kind} 申请类型的表单结构")
            elif "when" in material and material["when"]["field"] not in _properties(forms[kind]):
                field_name = material["when"]["field"]
                problems.append(f"{where}.when.field：{kind} 表单中没有字段 {field_name}")
    return problems


def _example_problems(
    examples: dict[str, dict[str, Any]], forms: dict[str, dict[str, Any]]
) -> list[str]:
    problems = [
        f"example_forms.{kind}：请提供该申请类型的示例表单"
        for kind in forms
        if kind not in examples
    ]
    problems += [
        f"example_forms.{kind}：没有 {kind} 申请类型的表单结构"
        for kind in examples
        if kind not in forms
    ]
    for kind, example in examples.items():
        if kind in forms:
            errors = validation_errors(forms[kind], example, root=f"example_forms.{kind}")
            problems += [
                f"{path}：{message}" for path, messages in errors.items() for message in messages
            ]
    return problems


def _licence_field_problems(
    licence_fields: dict[str, str], forms: dict[str, dict[str, Any]]
) -> list[str]:
    known = _properties(forms["new"])
    return [
        f"licence_fields.{name}：新申请表单中没有该字段"
        for name in licence_fields
        if name not in known
    ]


def _exemption_problems(
    rules: Sequence[dict[str, Any]], forms: dict[str, dict[str, Any]]
) -> list[str]:
    problems = []
    for number, rule in enumerate(rules):
        properties = forms.get(rule["kind"], {}).get("properties", {})
        if rule["field"] not in properties:
            where = f"inspection_exemptions[{number}].field"
            problems.append(f"{where}：{rule['kind']} 表单没有字段 {rule['field']}")
    return problems


def _extension_problems(rule: dict[str, Any], forms: dict[str, dict[str, Any]]) -> list[str]:
    problems = []
    if rule["allowed"] and "renewal" not in forms:
        problems.append("direct_extension.allowed：没有延续（renewal）表单，不能直接延期")
    if "no_fatal_accident_declared" in rule["conditions"] and "renewal" in forms:
        declared = _properties(forms["renewal"]).get("no_fatal_accident", {})
        if declared.get("type") != "boolean":
            problems.append(
                "direct_extension.conditions：延续表单须有布尔字段 no_fatal_accident 供企业声明"
            )
    return problems


def _person_problems(forms: dict[str, dict[str, Any]]) -> list[str]:
    """A certificate held by a person names that person on every form."""
    return [
        f"form_schema.{kind}：个人持证的事项须有字段 {name}"
        for kind, schema in forms.items()
        for name in PERSON_FIELDS
        if name not in _properties(schema)
    ]


# --- building ----------------------------------------------------------------------------


def _condition(when: dict[str, Any] | None) -> Condition | None:
    if when is None:
        return None
    operator = "contains" if "contains" in when else "equals"
    return Condition(field=when["field"], operator=operator, value=when[operator])


def _material(data: dict[str, Any]) -> Material:
    return Material(
        code=data["code"],
        name=data["name"],
        required=data["required"],
        deferrable=data["deferrable"],
        kinds=tuple(kind for kind in KINDS if kind in data["kinds"]),
        when=_condition(data.get("when")),
        commitment_text=(
            data["commitment_text"].strip() if data.get("commitment_allowed") else None
        ),
    )


def _build(data: dict[str, Any]) -> PermitType:
    return PermitType(
        code=data["code"],
        name=data["name"],
        authority_level=data["authority_level"],
        authority_note=data["authority_note"],
        legal_basis=tuple(data["legal_basis"]),
        type_code=data["type_code"],
        item_code=data["item_code"],
        implementation_code=data["implementation_code"],
        acceptance_limit_days=data["acceptance_limit_days"],
        decision_limit_days=data["decision_limit_days"],
        change_decision_limit_days=data["change_decision_limit_days"],
        delivery_limit_days=data["delivery_limit_days"],
        working_days=data["working_days"],
        validity_years=data["validity_years"],
        renewal_window_days=data["renewal_window_days"],
        reminder_days=tuple(data["reminder_days"]),
        inspection_required=data["inspection_required"],
        direct_extension=DirectExtension(
            allowed=data["direct_extension"]["allowed"],
            conditions=tuple(data["direct_extension"]["conditions"]),
        ),
        number_template=data["number_template"],
        licence_template=data["licence_template"],
        holder=data["holder"],
        guide=data["guide"].strip(),
        materials=tuple(_material(material) for material in data["materials"]),
        form_schema={
            kind: data["form_schema"][kind] for kind in KINDS if kind in data["form_schema"]
        },
        licence_fields=data["licence_fields"],
        examples=data["example_forms"],
        extension_days=data.get("extension_days", DEFAULT_EXTENSION_DAYS),
        clock_pauses=tuple(
            ClockPause(item["stage"], item["basis"])
            for item in data.get("clock_pauses", DEFAULT_CLOCK_PAUSES)
        ),
        inspection_exemptions=tuple(
            InspectionExemption(
                kind=item["kind"],
                field=item["field"],
                values=tuple(item["values"]),
                label=item["label"],
                practice=item["practice"],
                provinces=tuple(item.get("provinces", ())),
            )
            for item in data.get("inspection_exemptions", ())
        ),
        **_instant(data),
    )


def _instant(data: dict[str, Any]) -> dict[str, Any]:
    if "instant" not in data:
        return {}
    rule = data["instant"]
    conditions = {}
    for kind in KINDS:
        if kind in rule["kinds"]:
            names = {m["code"]: m["name"] for m in data["materials"] if kind in m["kinds"]}
            conditions[kind] = tuple(condition(code, names) for code in rule["kinds"][kind])
    return {"instant": conditions, "post_check_rate": float(rule["post_check_rate"])}
