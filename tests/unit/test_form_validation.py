"""Form validation: Chinese messages a person can act on, keyed by the field's path."""

from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from permits.catalogue import get_catalogue, get_permit_type
from permits.form_validation import draft_form_errors, validate_form, validation_errors

SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "additionalProperties": False,
    "required": ["name", "agreed"],
    "properties": {
        "name": {"title": "企业名称", "type": "string", "minLength": 1, "maxLength": 10},
        "code": {"title": "代码", "type": "string", "minLength": 3, "pattern": "^[A-Z]+$"},
        "agreed": {"title": "同意承诺", "type": "boolean"},
        "mode": {"title": "经营方式", "enum": ["批发", "零售"]},
        "flag": {"title": "是否储存", "enum": [True, False]},
        "kind": {"title": "类别", "const": "甲类"},
        "date": {"title": "变更日期", "type": "string", "format": "date"},
        "count": {"title": "库房数量", "type": "integer", "minimum": 1, "maximum": 9},
        "ratio": {
            "title": "比例",
            "type": "number",
            "exclusiveMinimum": 0,
            "exclusiveMaximum": 1,
            "multipleOf": 0.25,
        },
        "scope": {
            "title": "许可范围",
            "type": "array",
            "minItems": 1,
            "maxItems": 3,
            "uniqueItems": True,
            "items": {"type": "string", "minLength": 1},
        },
        "pair": {"title": "两项", "type": "array", "minItems": 2},
        "chemicals": {
            "title": "危险化学品",
            "type": "array",
            "contains": {"type": "object", "required": ["name"]},
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["name"],
                "properties": {
                    "name": {"title": "品名", "type": "string", "minLength": 1},
                    "tonnes": {"title": "年经营量（吨）", "type": "number", "minimum": 0},
                },
            },
        },
        "contact": {
            "title": "联系人",
            "type": "object",
            "minProperties": 1,
            "maxProperties": 2,
            "propertyNames": {"enum": ["phone", "email", "fax"]},
            "dependentRequired": {"email": ["phone"]},
            "properties": {
                "phone": {"title": "联系电话", "type": "string"},
                "email": {"title": "电子邮箱", "type": "string"},
                "fax": {"title": "传真", "type": "string"},
            },
        },
        "either": {"title": "任选其一", "oneOf": [{"type": "string"}, {"type": "integer"}]},
        "has_storage": {"title": "是否带有储存设施", "type": "boolean"},
        "storage_address": {"title": "储存场所地址", "type": "string"},
    },
    "if": {"properties": {"has_storage": {"const": True}}, "required": ["has_storage"]},
    "then": {"required": ["storage_address"]},
}
VALID = {"name": "天津化工", "agreed": True}
CJK = re.compile(r"[\u4e00-\u9fff]")
ENGLISH_WORDS = re.compile(r"\b(is|not|required|property|valid|expected|allowed|should)\b")


def errors_for(**fields: Any) -> dict[str, list[str]]:
    return validate_form(SCHEMA, {**VALID, **fields})


def test_a_valid_form_has_no_errors():
    assert validate_form(SCHEMA, VALID) == {}


@pytest.mark.parametrize("form", [None, [], "表单", 3, True, [VALID]])
def test_a_form_that_is_not_an_object_is_refused_in_one_message(form):
    assert validate_form(SCHEMA, form) == {"form": ["表单须为对象"]}


def test_missing_fields_are_keyed_by_their_own_path():
    assert validate_form(SCHEMA, {}) == {
        "form.name": ["请填写企业名称"],
        "form.agreed": ["请填写同意承诺"],
    }


@pytest.mark.parametrize(
    ("fields", "key", "message"),
    [
        ({"name": 12}, "form.name", "企业名称须为文本"),
        ({"agreed": "maybe"}, "form.agreed", "同意承诺须为是或否"),
        ({"count": 2.5}, "form.count", "库房数量须为整数"),
        ({"count": "3"}, "form.count", "库房数量须为整数"),
        ({"ratio": "half"}, "form.ratio", "比例须为数字"),
        ({"scope": "汽油"}, "form.scope", "许可范围须为列表"),
        ({"contact": "李四"}, "form.contact", "联系人须为对象"),
        ({"mode": "代理"}, "form.mode", "经营方式须为以下之一：批发、零售"),
        ({"flag": "有"}, "form.flag", "是否储存须为以下之一：是、否"),
        ({"kind": "乙类"}, "form.kind", "类别须为甲类"),
        ({"name": ""}, "form.name", "企业名称不能为空"),
        ({"code": "AB"}, "form.code", "代码至少须有3个字"),
        ({"name": "天" * 11}, "form.name", "企业名称不能超过10个字"),
        ({"code": "abc"}, "form.code", "代码格式不正确"),
        ({"date": "2026/10/15"}, "form.date", "变更日期须为YYYY-MM-DD格式的日期"),
        ({"date": "2026-02-30"}, "form.date", "变更日期须为YYYY-MM-DD格式的日期"),
        ({"count": 0}, "form.count", "库房数量不能小于1"),
        ({"count": 10}, "form.count", "库房数量不能大于9"),
        ({"ratio": 0}, "form.ratio", "比例须大于0"),
        ({"ratio": 1}, "form.ratio", "比例须小于1"),
        ({"ratio": 0.3}, "form.ratio", "比例须为0.25的整数倍"),
        ({"scope": []}, "form.scope", "请至少填写一项许可范围"),
        ({"pair": [1]}, "form.pair", "两项至少须有2项"),
        ({"scope": ["a", "b", "c", "d"]}, "form.scope", "许可范围最多3项"),
        ({"scope": ["汽油", "汽油"]}, "form.scope", "许可范围不能有重复项"),
        ({"contact": {}}, "form.contact", "联系人至少须填写1项"),
        (
            {"contact": {"phone": "1", "fax": "2", "email": "3"}},
            "form.contact",
            "联系人最多填写2项",
        ),
        ({"chemicals": [1]}, "form.chemicals", "危险化学品缺少符合要求的项"),
        ({"either": 1.5}, "form.either", "任选其一填写不符合要求"),
        ({"extra": 1}, "form.extra", "不支持的字段：extra"),
        ({"contact": {"telex": "1"}}, "form.contact", "不支持的字段：telex"),
        ({"contact": {"email": "a@b.cn"}}, "form.contact.phone", "请填写联系电话"),
        ({"has_storage": True}, "form.storage_address", "请填写储存场所地址"),
    ],
)
def test_each_keyword_has_a_chinese_message(fields, key, message):
    errors = errors_for(**fields)
    assert message in errors.get(key, []), errors


def test_a_string_date_accepts_a_real_date():
    assert errors_for(date="2024-02-29") == {}


def test_nested_fields_are_keyed_by_their_full_path():
    errors = errors_for(chemicals=[{"name": "甲醇", "tonnes": -1}, {"tonnes": 2}, "硫酸"])
    assert errors["form.chemicals.0.tonnes"] == ["年经营量（吨）不能小于0"]
    assert errors["form.chemicals.1.name"] == ["请填写品名"]
    assert errors["form.chemicals.2"] == ["危险化学品第3项须为对象"]


def test_an_untitled_list_item_is_named_by_its_list_and_position():
    assert errors_for(scope=["汽油", ""]) == {"form.scope.1": ["许可范围第2项不能为空"]}


def test_errors_follow_the_order_of_the_form():
    errors = validate_form(SCHEMA, {"zzz": 1, "count": 0, "agreed": "x"})
    assert list(errors) == ["form.name", "form.agreed", "form.count", "form.zzz"]


def test_a_message_is_not_repeated_under_one_key():
    errors = errors_for(scope=["", ""])
    assert errors["form.scope"] == ["许可范围不能有重复项"]
    assert errors["form.scope.0"] == ["许可范围第1项不能为空"]


def test_a_field_without_a_title_gets_a_neutral_label():
    schema = {"type": "object", "required": ["x"], "properties": {"y": {"type": "string"}}}
    assert validate_form(schema, {"y": 1}) == {"form.x": ["请填写该项"], "form.y": ["该项须为文本"]}


def test_a_custom_root_prefixes_the_paths():
    schema = {"type": "object", "required": ["code"], "properties": {"code": {"title": "编码"}}}
    assert validation_errors(schema, {}, root="materials.0") == {"materials.0.code": ["请填写编码"]}
    assert validation_errors(schema, {}, root="") == {"code": ["请填写编码"]}


def test_catalogue_forms_report_nested_paths():
    trading = get_permit_type("hazchem-trading")
    form = trading.example_forms["new"]
    form["chemicals"][1]["cas_number"] = "7664939"
    form["trading_mode"] = "批发"
    errors = validate_form(trading.form_schema["new"], form)
    assert errors == {
        "form.trading_mode": [
            "经营方式须为以下之一：带有储存设施经营、无储存设施经营、仓储经营、加油站"
        ],
        "form.chemicals.1.cas_number": ["CAS号格式不正确"],
    }


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=5),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=5), children, max_size=4)
    ),
    max_leaves=20,
)


def form_strategy(schema: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    names = st.sampled_from([*schema.get("properties", {}), "extra"])
    return st.dictionaries(names, JSON, max_size=8)


@settings(max_examples=150, database=None, deadline=None)
@given(data=st.data())
def test_odd_input_never_crashes_and_every_message_is_chinese(data):
    schemas = [SCHEMA] + [
        schema
        for permit_type in get_catalogue().values()
        for schema in permit_type.form_schema.values()
    ]
    schema = data.draw(st.sampled_from(schemas))
    form = data.draw(form_strategy(schema) | JSON)
    errors = validate_form(schema, form)
    for key, messages in errors.items():
        assert key == "form" or key.startswith("form.")
        assert messages
        for message in messages:
            assert CJK.search(message), message
            if not message.startswith("不支持的字段："):  # that one quotes the key as sent
                assert not ENGLISH_WORDS.search(message), message


def test_a_draft_separates_wrong_values_from_fields_not_filled_in_yet():
    invalid, incomplete = draft_form_errors(
        SCHEMA, {"name": "", "scope": [], "count": 0, "has_storage": True, "date": "tomorrow"}
    )
    assert invalid == {
        "form.date": ["变更日期须为YYYY-MM-DD格式的日期"],
        "form.count": ["库房数量不能小于1"],
    }
    assert set(incomplete) == {"form.name", "form.agreed", "form.scope", "form.storage_address"}


def test_a_draft_form_that_is_not_an_object_is_invalid():
    assert draft_form_errors(SCHEMA, []) == ({"form": ["表单须为对象"]}, {})


def test_a_draft_checked_again_gets_its_own_errors_whatever_was_checked_before():
    """The errors of a checked draft are kept (by schema and the form's digest): the same
    draft gets the same answer, a changed one or another schema its own."""
    form = {"name": "某公司", "agreed": True, "count": 0, "scope": ["甲"]}
    first = draft_form_errors(SCHEMA, form)
    assert first[0] == {"form.count": ["库房数量不能小于1"]}
    first[0]["form.count"].append("改动")  # what a caller does with its copy stays its own
    first[0].clear()
    assert draft_form_errors(SCHEMA, dict(form)) == ({"form.count": ["库房数量不能小于1"]}, {})
    assert draft_form_errors(SCHEMA, {**form, "count": 1}) == ({}, {})
    assert draft_form_errors(SCHEMA, {**form, "count": True})[0] == {
        "form.count": ["库房数量须为整数"]
    }
    # A tuple is no JSON array, though JSON would write it as one.
    assert draft_form_errors(SCHEMA, {**form, "count": 1, "scope": ("甲",)})[0] == {
        "form.scope": ["许可范围须为列表"]
    }
    stricter = {
        **SCHEMA,
        "properties": {
            **SCHEMA["properties"],
            "count": {"title": "库房数量", "type": "integer", "minimum": 5},
        },
    }
    assert draft_form_errors(stricter, {**form, "count": 1})[0] == {
        "form.count": ["库房数量不能小于5"]
    }
