"""Validation of application forms against the catalogue's JSON Schemas, with Chinese messages.

The phone draws each form from the permit type's JSON Schema (2020-12) and the server checks
the submitted ``form`` against the same schema. A draft may be incomplete: ``draft_form_errors``
separates what is wrong (a bad type or format, refused even in a draft) from what is merely
not filled in yet (a required field, an empty list or text), which only blocks submission.
jsonschema's own messages are English and name Python values, so every error is rebuilt here
from its keyword and the Chinese ``title`` of the field it concerns, and keyed by the field's
path in the contract's style (``form.chemicals.0.name``).
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from collections import OrderedDict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

FALLBACK_TITLE = "该项"

TYPE_LABELS = {
    "string": "文本",
    "integer": "整数",
    "number": "数字",
    "boolean": "是或否",
    "array": "列表",
    "object": "对象",
    "null": "空值",
}

PathPart = str | int
JsonSchema = dict[str, Any]

# Keywords that only say "not filled in yet"; everything else says "filled in wrongly".
INCOMPLETE_KEYWORDS = frozenset({"required", "dependentRequired"})


def validate_form(schema: JsonSchema, form: Any) -> dict[str, list[str]]:
    """Errors of ``form`` against ``schema`` keyed ``form.<path>``; empty when the form is valid."""
    if not isinstance(form, dict):
        return {"form": ["表单须为对象"]}
    return validation_errors(schema, form, root="form")


def validation_errors(
    schema: JsonSchema, instance: Any, *, root: str = "form"
) -> dict[str, list[str]]:
    """Chinese messages for every way ``instance`` breaks ``schema``, keyed by dotted path.

    ``root`` prefixes every key (an empty root gives bare paths). Keys follow the order of
    the fields in the schema, so the first error is the first one a person meets on the form;
    messages under one key keep the order they were found in, without repeats.
    """
    invalid, incomplete = _collect(schema, instance)
    return _ordered(schema, _merge(invalid, incomplete), root)


def draft_form_errors(
    schema: JsonSchema, form: Any
) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """``(invalid, incomplete)`` errors of a draft's ``form``, each keyed ``form.<path>``.

    ``invalid`` holds wrong types, formats and values (a draft may not keep them);
    ``incomplete`` holds fields not filled in yet (a draft may, a submission may not).
    """
    if not isinstance(form, dict):
        return {"form": ["表单须为对象"]}, {}
    invalid, incomplete = _checked_drafts.errors(schema, form)
    return _copied(invalid), _copied(incomplete)


Errors = dict[str, list[str]]


def _copied(errors: Errors) -> Errors:
    return {path: list(messages) for path, messages in errors.items()}


class _CheckedDrafts:
    """The errors of the drafts checked last, by schema and by the form's SHA-256.

    Every status read checks the case's form, which most changes (an upload, a verdict, a
    step of the workflow) leave as it was, and a form edit checks the new form before the
    phone reads it: the check is a function of the schema and the form alone, so the same
    pair gets the same answer. A schema is known by identity (the catalogue's are loaded once
    and kept; the entry holds its schema, so its ``id`` is not reused while it is kept) and
    a form by the digest of its JSON, so no form content is kept; bounded in number.
    """

    def __init__(self, entries: int) -> None:
        self.entries = entries
        self._kept: OrderedDict[tuple[int, str], tuple[JsonSchema, Errors, Errors]]
        self._kept = OrderedDict()
        self._lock = threading.Lock()

    def errors(self, schema: JsonSchema, form: dict[str, Any]) -> tuple[Errors, Errors]:
        """``(invalid, incomplete)`` of ``form``, ordered and keyed; shared, not to be changed."""
        if not _plain_json(form):  # a tuple, a key that is not text: JSON would blur it
            return self._checked(schema, form)
        key = (id(schema), hashlib.sha256(json.dumps(form).encode()).hexdigest())
        with self._lock:
            kept = self._kept.get(key)
            if kept is not None and kept[0] is schema:
                self._kept.move_to_end(key)
                return kept[1], kept[2]
        invalid, incomplete = self._checked(schema, form)
        with self._lock:
            self._kept[key] = (schema, invalid, incomplete)
            self._kept.move_to_end(key)
            while len(self._kept) > self.entries:
                self._kept.popitem(last=False)
        return invalid, incomplete

    @staticmethod
    def _checked(schema: JsonSchema, form: dict[str, Any]) -> tuple[Errors, Errors]:
        invalid, incomplete = _collect(schema, form)
        return _ordered(schema, invalid, "form"), _ordered(schema, incomplete, "form")


def _plain_json(value: Any) -> bool:
    """Whether ``value`` is made of JSON's own types only, each of which ``json.dumps``
    writes in a way no other value of them is written (so its digest names it)."""
    kind = type(value)
    if kind is dict:
        return all(type(k) is str and _plain_json(v) for k, v in value.items())
    if kind is list:
        return all(_plain_json(item) for item in value)
    return kind in (str, int, float, bool, type(None))


_checked_drafts = _CheckedDrafts(1024)


Found = dict[tuple[PathPart, ...], list[str]]


def _collect(schema: JsonSchema, instance: Any) -> tuple[Found, Found]:
    validator = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    invalid: Found = {}
    incomplete: Found = {}
    for error in validator.iter_errors(instance):
        found = incomplete if _is_incomplete(error) else invalid
        for path, message in _describe(error, schema):
            messages = found.setdefault(tuple(path), [])
            if message not in messages:
                messages.append(message)
    return invalid, incomplete


def _is_incomplete(error: ValidationError) -> bool:
    """A missing field, an empty text where one is needed, or an empty list needing items."""
    if error.validator in INCOMPLETE_KEYWORDS:
        return True
    if error.validator == "minLength":
        return error.instance == ""
    if error.validator == "minItems":
        return error.instance == []
    return False


def _merge(first: Found, second: Found) -> Found:
    merged = {path: list(messages) for path, messages in first.items()}
    for path, messages in second.items():
        target = merged.setdefault(path, [])
        target.extend(m for m in messages if m not in target)
    return merged


def _ordered(schema: JsonSchema, found: Found, root: str) -> dict[str, list[str]]:
    ordered = sorted(found, key=lambda path: _field_order(schema, path))
    return {_key(root, path): found[path] for path in ordered}


def _field_order(schema: Any, path: Sequence[PathPart]) -> tuple[tuple[int, str], ...]:
    """A sort key placing a path where its field stands in the schema (unknown fields last)."""
    rank: list[tuple[int, str]] = []
    for part in path:
        if isinstance(part, int):
            rank.append((part, ""))
        else:
            names = list(schema.get("properties", {})) if isinstance(schema, Mapping) else []
            rank.append((names.index(part) if part in names else len(names), part))
        schema = _child(schema, part)
    return tuple(rank)


def _key(root: str, path: Sequence[PathPart]) -> str:
    return ".".join([root, *map(str, path)] if root else map(str, path))


def _describe(
    error: ValidationError, root_schema: JsonSchema
) -> Iterable[tuple[list[PathPart], str]]:
    """The (path, message) pairs one jsonschema error stands for."""
    path = list(error.absolute_path)
    keyword = error.validator if isinstance(error.validator, str) else None
    own_schema = error.schema if isinstance(error.schema, Mapping) else {}
    if keyword == "required":
        for name in _missing(error.validator_value, error.instance):
            title = _title(root_schema, [*path, name], own_schema.get("properties", {}).get(name))
            yield [*path, name], f"请填写{title}"
        return
    if keyword == "dependentRequired":
        for name in _missing_dependencies(error.validator_value, error.instance):
            yield [*path, name], f"请填写{_title(root_schema, [*path, name], None)}"
        return
    if keyword == "additionalProperties" and isinstance(error.instance, Mapping):
        for name in _unexpected(own_schema, error.instance):
            yield [*path, name], f"不支持的字段：{name}"
        return
    if "propertyNames" in error.absolute_schema_path:
        yield path, f"不支持的字段：{error.instance}"
        return
    yield path, _message(keyword, error, _title(root_schema, path, error.schema))


def _missing(required: Any, instance: Any) -> list[str]:
    if not isinstance(instance, Mapping) or not isinstance(required, list):
        return []
    return [name for name in required if isinstance(name, str) and name not in instance]


def _missing_dependencies(dependencies: Any, instance: Any) -> list[str]:
    if not isinstance(instance, Mapping) or not isinstance(dependencies, Mapping):
        return []
    wanted = [
        name for trigger, names in dependencies.items() if trigger in instance for name in names
    ]
    return list(dict.fromkeys(_missing(wanted, instance)))


def _unexpected(schema: Mapping[str, Any], instance: Mapping[str, Any]) -> list[str]:
    """Properties of ``instance`` that neither ``properties`` nor ``patternProperties`` name."""
    declared = schema.get("properties", {})
    patterns = list(schema.get("patternProperties", {}))
    return [
        str(name)
        for name in instance
        if name not in declared and not any(re.search(p, str(name)) for p in patterns)
    ]


def _title(root_schema: JsonSchema, path: Sequence[PathPart], own_schema: Any) -> str:
    """The Chinese label of the field at ``path``: its title, or its list's title and position.

    Walks the root schema along ``properties`` and ``items``; a field the walk cannot reach
    (declared only inside ``then``, say) falls back to the title of the failing subschema.
    """
    label = FALLBACK_TITLE
    schema: Any = root_schema
    for part in path:
        schema = _child(schema, part)
        if schema is None:
            break
        if isinstance(schema.get("title"), str):
            label = schema["title"]
        elif isinstance(part, int):
            label = f"{label}第{part + 1}项"
        else:
            label = FALLBACK_TITLE
    else:
        return label
    if isinstance(own_schema, Mapping) and isinstance(title := own_schema.get("title"), str):
        return title
    return FALLBACK_TITLE


def _child(schema: Any, part: PathPart) -> Mapping[str, Any] | None:
    if not isinstance(schema, Mapping):
        return None
    if isinstance(part, int):
        prefix = schema.get("prefixItems")
        if isinstance(prefix, list) and part < len(prefix):
            found = prefix[part]
        else:
            found = schema.get("items")
    else:
        found = schema.get("properties", {}).get(part)
    return found if isinstance(found, Mapping) else None


def _value_label(value: Any) -> str:
    if value is True:
        return "是"
    if value is False:
        return "否"
    if value is None:
        return "空"
    return str(value)


def _type_label(expected: Any) -> str:
    names = expected if isinstance(expected, list) else [expected]
    return "或".join(TYPE_LABELS.get(str(name), "规定类型") for name in names)


def _message(keyword: str | None, error: ValidationError, title: str) -> str:
    """The Chinese message for a keyword other than the property-naming ones handled above."""
    value: Any = error.validator_value  # always set on errors from ``iter_errors``
    match keyword:
        case "type":
            return f"{title}须为{_type_label(value)}"
        case "enum":
            return f"{title}须为以下之一：{'、'.join(_value_label(v) for v in value)}"
        case "const":
            return f"{title}须为{_value_label(value)}"
        case "minLength":
            return f"{title}不能为空" if value == 1 else f"{title}至少须有{value}个字"
        case "maxLength":
            return f"{title}不能超过{value}个字"
        case "pattern":
            return f"{title}格式不正确"
        case "format":
            if value == "date":
                return f"{title}须为YYYY-MM-DD格式的日期"
            return f"{title}格式不正确"
        case "minimum":
            return f"{title}不能小于{value}"
        case "maximum":
            return f"{title}不能大于{value}"
        case "exclusiveMinimum":
            return f"{title}须大于{value}"
        case "exclusiveMaximum":
            return f"{title}须小于{value}"
        case "multipleOf":
            return f"{title}须为{value}的整数倍"
        case "minItems":
            return f"请至少填写一项{title}" if value == 1 else f"{title}至少须有{value}项"
        case "maxItems":
            return f"{title}最多{value}项"
        case "uniqueItems":
            return f"{title}不能有重复项"
        case "minProperties":
            return f"{title}至少须填写{value}项"
        case "maxProperties":
            return f"{title}最多填写{value}项"
        case "contains" | "minContains" | "maxContains":
            return f"{title}缺少符合要求的项"
        case "unevaluatedProperties" | "unevaluatedItems":
            return f"{title}包含不支持的内容"
    return f"{title}填写不符合要求"
