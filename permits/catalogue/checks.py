"""The meaning of a well-shaped catalogue file: what its parts say about each other.

Form schemas are valid JSON Schema with Chinese field titles; materials, examples, licence
fields and rules name fields the forms have; limits, reminders and the number template fit."""

from __future__ import annotations

import re
import string
from collections.abc import Iterator, Sequence
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError

from permits.form_validation import validation_errors
from permits.instant import MATERIAL_PREFIX, RULES, condition
from permits.numbering import TEMPLATE_FIELDS

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


def meaning_problems(stem: str, data: dict[str, Any]) -> list[str]:
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
