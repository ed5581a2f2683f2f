"""The permit catalogue: the shipped files, what they say, and how bad files are refused."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from permits.catalogue import (
    DEFAULT_DIRECTORY,
    CatalogueError,
    PermitType,
    get_catalogue,
    get_permit_type,
    load_catalogue,
)
from permits.form_validation import validate_form
from permits.numbering import format_licence_number

CODES = (
    "hazchem-trading",
    "hazchem-production-safety",
    "fireworks-wholesale",
    "special-operations",
)
STORAGE_MATERIALS = {
    "storage_facility_documents",
    "major_hazard_filing",
    "safety_assessment_report",
}


def permit(code: str) -> PermitType:
    found = get_permit_type(code)
    assert found is not None
    return found


def all_examples() -> list[tuple[str, str]]:
    return [(code, kind) for code in CODES for kind in permit(code).kinds]


# --- the shipped catalogue ----------------------------------------------------------------


def test_the_catalogue_has_the_four_permit_types_of_the_contract():
    assert set(CODES) <= set(get_catalogue())
    assert get_catalogue() is get_catalogue()  # read once per process


@pytest.mark.parametrize(
    ("code", "level", "validity", "decision", "window", "holder", "inspection", "kinds"),
    [
        ("hazchem-trading", "city", 3, 30, 90, "enterprise", True, ("new", "renewal", "change")),
        (
            "hazchem-production-safety",
            "province",
            3,
            45,
            90,
            "enterprise",
            True,
            ("new", "renewal", "change"),
        ),
        (
            "fireworks-wholesale",
            "city",
            3,
            30,
            90,
            "enterprise",
            True,
            ("new", "renewal", "change"),
        ),
        ("special-operations", "city", 6, 20, 60, "person", False, ("new", "renewal")),
    ],
)
def test_each_permit_type_carries_its_statutory_figures(
    code, level, validity, decision, window, holder, inspection, kinds
):
    permit_type = permit(code)
    assert permit_type.authority_level == level
    assert permit_type.validity_years == validity
    assert permit_type.decision_limit_days == decision
    assert permit_type.renewal_window_days == window
    assert permit_type.holder == holder
    assert permit_type.inspection_required is inspection
    assert permit_type.kinds == kinds
    assert permit_type.acceptance_limit_days == 5  # 《行政许可法》Art. 32
    assert permit_type.delivery_limit_days == 10  # Art. 44
    assert permit_type.reminder_days[-1] == 0
    assert list(permit_type.reminder_days) == sorted(permit_type.reminder_days, reverse=True)
    assert permit_type.reminder_days[0] >= window  # the first reminder comes before the window


def test_a_change_of_a_trading_licence_is_decided_in_ten_days():
    trading = permit("hazchem-trading")
    assert trading.decision_limit("new") == 30
    assert trading.decision_limit("renewal") == 30
    assert trading.decision_limit("change") == 10


def test_a_kind_the_permit_type_does_not_offer_is_refused():
    with pytest.raises(ValueError):
        permit("special-operations").decision_limit("change")
    with pytest.raises(ValueError):
        permit("special-operations").materials_for("change", {})


@pytest.mark.parametrize(
    ("code", "allowed"),
    [
        ("hazchem-trading", True),
        ("hazchem-production-safety", True),
        ("fireworks-wholesale", False),
        ("special-operations", False),
    ],
)
def test_direct_extension_rules_are_data_the_app_can_evaluate(code, allowed):
    rule = permit(code).direct_extension
    assert rule.allowed is allowed
    if allowed:
        assert set(rule.conditions) == {"no_revocation_in_period", "no_fatal_accident_declared"}
        renewal = permit(code).form_schema["renewal"]
        assert renewal["properties"]["no_fatal_accident"]["type"] == "boolean"
        assert "no_fatal_accident" in renewal["required"]


@pytest.mark.parametrize("code", CODES)
def test_the_number_template_renders_a_licence_number(code):
    permit_type = permit(code)
    region = "120000" if permit_type.authority_level == "province" else "120100"
    number = format_licence_number(
        permit_type.number_template, region_code=region, year=2026, seq=7
    )
    assert "2026" in number and "7" in number


@pytest.mark.parametrize("code", CODES)
def test_the_guide_states_the_time_limit_and_that_there_is_no_fee(code):
    permit_type = permit(code)
    assert f"{permit_type.decision_limit_days}" in permit_type.guide
    assert "不收费" in permit_type.guide and "邮寄" in permit_type.guide


# --- materials ----------------------------------------------------------------------------


def codes(materials) -> set[str]:
    return {material.code for material in materials}


def test_storage_materials_follow_the_has_storage_answer():
    trading = permit("hazchem-trading")
    form = trading.example_forms["new"]
    with_storage = codes(trading.materials_for("new", {**form, "has_storage": True}))
    without = codes(trading.materials_for("new", {**form, "has_storage": False}))
    assert STORAGE_MATERIALS <= with_storage
    assert not STORAGE_MATERIALS & without
    assert {"application_form", "business_licence", "emergency_plan_filing"} <= without
    assert len(without) == 6


def test_renewal_and_change_have_their_own_smaller_sets():
    trading = permit("hazchem-trading")
    new = codes(trading.materials_for("new", trading.example_forms["new"]))
    renewal = codes(trading.materials_for("renewal", trading.example_forms["renewal"]))
    change = codes(trading.materials_for("change", trading.example_forms["change"]))
    assert "renewal_application_form" in renewal and "application_form" not in renewal
    assert "change_application_form" in change and not change & new
    assert len(renewal) < len(new) and len(change) < len(new)


def test_change_materials_follow_the_items_changed():
    trading = permit("hazchem-trading")
    form = trading.example_forms["change"]
    principal = codes(trading.materials_for("change", {**form, "change_items": ["主要负责人"]}))
    name_only = codes(trading.materials_for("change", {**form, "change_items": ["企业名称"]}))
    assert "principal_qualification" in principal
    assert "principal_qualification" not in name_only
    assert "changed_documents" in name_only


def test_a_minor_material_may_follow_later_and_is_still_required():
    trading = permit("hazchem-trading")
    deferrable = [m for m in trading.materials if m.deferrable]
    assert [m.code for m in deferrable] == ["emergency_plan_filing"]
    assert all(m.required for m in deferrable)


def test_a_material_condition_on_an_unanswered_field_does_not_apply():
    trading = permit("hazchem-trading")
    assert not STORAGE_MATERIALS & codes(trading.materials_for("new", {}))


# --- forms and examples -------------------------------------------------------------------


@pytest.mark.parametrize(("code", "kind"), all_examples())
def test_each_example_form_passes_its_own_schema(code, kind):
    permit_type = permit(code)
    assert validate_form(permit_type.form_schema[kind], permit_type.example_forms[kind]) == {}


@pytest.mark.parametrize(("code", "kind"), all_examples())
def test_every_form_field_has_a_chinese_title(code, kind):
    schema = permit(code).form_schema[kind]
    assert schema["type"] == "object" and schema["additionalProperties"] is False
    for name, field in schema["properties"].items():
        assert any("\u4e00" <= ch <= "\u9fff" for ch in field["title"]), name


def test_example_forms_are_fresh_copies():
    trading = permit("hazchem-trading")
    example = trading.example_forms["new"]
    example["chemicals"][0]["name"] = "改过的"
    example["has_storage"] = False
    assert trading.example_forms["new"]["chemicals"][0]["name"] == "甲醇"
    assert trading.example_forms["new"]["has_storage"] is True


def test_trading_form_lists_the_trading_modes_and_requires_storage_address_with_storage():
    trading = permit("hazchem-trading")
    schema = trading.form_schema["new"]
    assert schema["properties"]["trading_mode"]["enum"] == [
        "带有储存设施经营",
        "无储存设施经营",
        "仓储经营",
        "加油站",
    ]
    form = trading.example_forms["new"]
    del form["storage_address"]
    assert validate_form(schema, form) == {"form.storage_address": ["请填写储存场所地址"]}
    assert validate_form(schema, {**form, "has_storage": False}) == {}


def test_change_form_asks_for_what_changed():
    trading = permit("hazchem-trading")
    schema = trading.form_schema["change"]
    form = {"change_items": ["企业名称"], "change_date": "2026-10-15", "description": "更名"}
    assert validate_form(schema, form) == {"form.new_enterprise_name": ["请填写变更后企业名称"]}
    bad = {**form, "change_items": ["经营场所"], "change_date": "2026/10/15"}
    errors = validate_form(schema, bad)
    assert errors["form.change_date"] == ["变更日期须为YYYY-MM-DD格式的日期"]
    assert errors["form.change_items.0"][0].startswith("变更事项第1项须为以下之一")


def test_renewal_form_needs_the_fatal_accident_declaration():
    trading = permit("hazchem-trading")
    errors = validate_form(trading.form_schema["renewal"], {})
    assert errors == {"form.no_fatal_accident": ["请填写许可证有效期内未发生死亡事故"]}


def test_licence_fields_name_fields_of_the_new_form():
    for code in CODES:
        permit_type = permit(code)
        assert set(permit_type.licence_fields) <= set(permit_type.form_schema["new"]["properties"])


def test_special_operations_names_the_worker():
    special = permit("special-operations")
    schema = special.form_schema["new"]
    assert {"worker_name", "worker_id_number", "operation_category"} <= set(schema["required"])
    assert "电工作业" in schema["properties"]["operation_category"]["enum"]
    form = special.example_forms["new"]
    short = validate_form(schema, {**form, "worker_id_number": form["worker_id_number"][:17]})
    assert short == {"form.worker_id_number": ["居民身份证号码格式不正确"]}
    renewal = special.form_schema["renewal"]
    assert {"training_hours", "health_check_date"} <= set(renewal["required"])


# --- the API shapes -----------------------------------------------------------------------


def test_summary_has_the_contract_fields():
    summary = permit("hazchem-trading").summary()
    assert {
        "code",
        "name",
        "authority_level",
        "validity_years",
        "decision_limit_days",
        "kinds",
    } <= set(summary)
    assert summary["name"] == "危险化学品经营许可证"
    assert summary["kinds"] == ["new", "renewal", "change"]


def test_detail_adds_materials_schemas_and_guide_as_copies():
    trading = permit("hazchem-trading")
    detail = trading.detail()
    assert {"materials", "form_schema", "guide", "legal_basis", "renewal_window_days"} <= set(
        detail
    )
    assert set(detail["form_schema"]) == {"new", "renewal", "change"}
    material = detail["materials"][0]
    assert {"code", "name", "required", "deferrable", "kinds"} <= set(material)
    storage = next(m for m in detail["materials"] if m["code"] == "safety_assessment_report")
    assert storage["when"] == {"field": "has_storage", "equals": True}
    detail["form_schema"]["new"]["properties"].clear()
    assert trading.form_schema["new"]["properties"]


def test_unknown_codes_are_not_in_the_catalogue():
    assert get_permit_type("no-such-permit") is None
    assert get_permit_type(["hazchem-trading"]) is None


# --- refusing bad files -------------------------------------------------------------------


def write_variant(
    directory: Path, mutate: Callable[[dict[str, Any]], None], code: str = "hazchem-trading"
) -> Path:
    data = yaml.safe_load((DEFAULT_DIRECTORY / f"{code}.yaml").read_text(encoding="utf-8"))
    mutate(data)
    path = directory / f"{code}.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def refusal(directory: Path) -> str:
    with pytest.raises(CatalogueError) as caught:
        load_catalogue(directory)
    return str(caught.value)


def set_in(*path_and_value: Any) -> Callable[[dict[str, Any]], None]:
    *path, last, value = path_and_value

    def mutate(data: dict[str, Any]) -> None:
        for key in path:
            data = data[key]
        data[last] = value

    return mutate


def delete(*path: Any) -> Callable[[dict[str, Any]], None]:
    *parents, last = path

    def mutate(data: dict[str, Any]) -> None:
        for key in parents:
            data = data[key]
        del data[last]

    return mutate


def add_material(material: dict[str, Any]) -> Callable[[dict[str, Any]], None]:
    return lambda data: data["materials"].append(material)


def new_properties(data: dict[str, Any]) -> dict[str, Any]:
    return data["form_schema"]["new"]["properties"]


MATERIAL = {"code": "x", "name": "某材料", "required": True, "deferrable": False, "kinds": ["new"]}


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        pytest.param(set_in("fee", 0), "fee：不支持的字段：fee", id="unknown-key"),
        pytest.param(
            delete("decision_limit_days"), "decision_limit_days：请填写决定时限", id="missing-key"
        ),
        pytest.param(set_in("validity_years", "3"), "有效期（年）须为整数", id="wrong-type"),
        pytest.param(
            set_in("authority_level", "town"), "authority_level：审批层级须为以下之一", id="level"
        ),
        pytest.param(
            lambda d: d["materials"].append(dict(d["materials"][0])),
            "材料编码 application_form 重复",
            id="duplicate-material",
        ),
        pytest.param(
            set_in("materials", 0, "kinds", ["transfer"]),
            "materials.0.kinds.0：适用的申请类型第1项须为以下之一",
            id="unknown-kind",
        ),
        pytest.param(
            add_material({**MATERIAL, "required": False, "deferrable": True}),
            "可容缺的材料须为必需材料",
            id="deferrable-not-required",
        ),
        pytest.param(
            add_material({**MATERIAL, "when": {"field": "has_warehouse", "equals": True}}),
            "new 表单中没有字段 has_warehouse",
            id="when-unknown-field",
        ),
        pytest.param(
            add_material({**MATERIAL, "when": {"field": "has_storage"}}),
            "materials.15.when：适用条件至少须填写2项",
            id="when-without-value",
        ),
        pytest.param(
            lambda d: new_properties(d)["has_storage"].update(type="bool"),
            "form_schema.new.properties.has_storage.type：不是有效的 JSON Schema 2020-12",
            id="invalid-json-schema",
        ),
        pytest.param(
            lambda d: d["form_schema"]["new"].update(requried=["principal"]),  # codespell:ignore
            "form_schema.new：未知的 JSON Schema 关键字 requried",  # codespell:ignore
            id="misspelt-keyword",
        ),
        pytest.param(
            lambda d: new_properties(d)["principal"].pop("title"),
            "form_schema.new.properties.principal：字段须有中文标题",
            id="untitled-field",
        ),
        pytest.param(
            lambda d: new_properties(d)["principal"].update(title="Principal"),
            "form_schema.new.properties.principal：字段须有中文标题",
            id="english-title",
        ),
        pytest.param(
            set_in("example_forms", "new", "has_storage", "yes"),
            "example_forms.new.has_storage：是否带有储存设施须为是或否",
            id="invalid-example",
        ),
        pytest.param(
            delete("example_forms", "change"), "example_forms.change：请提供", id="missing-example"
        ),
        pytest.param(
            set_in("example_forms", "change", "change_date", date(2026, 10, 15)),
            "example_forms.change.change_date：变更日期须为文本",
            id="unquoted-date-in-example",
        ),
        pytest.param(set_in("code", "trading"), "应为 hazchem-trading", id="code-not-file-name"),
        pytest.param(
            set_in("number_template", "{county_abbr}〔{year}〕{seq}"),
            "不支持的占位符 {county_abbr}",
            id="template-placeholder",
        ),
        pytest.param(
            set_in("number_template", "安经〔{year}〕"), "须包含流水号 {seq}", id="template-no-seq"
        ),
        pytest.param(set_in("number_template", "安经{seq"), "花括号不成对", id="template-braces"),
        pytest.param(
            set_in("licence_fields", "owner", "持有人"),
            "licence_fields.owner：新申请表单中没有该字段",
            id="licence-field",
        ),
        pytest.param(
            set_in("reminder_days", [0, 30, 90]), "须从大到小排列", id="reminders-ascending"
        ),
        pytest.param(
            set_in("change_decision_limit_days", None),
            "有变更（change）表单时须填写变更决定时限",
            id="change-limit-missing",
        ),
        pytest.param(
            delete("working_days", "decision"),
            "working_days.decision：请注明该时限是否按工作日计算",
            id="working-days-missing",
        ),
        pytest.param(
            set_in("direct_extension", "conditions", ["no_bad_weather"]),
            "direct_extension.conditions.0",
            id="unknown-extension-condition",
        ),
        pytest.param(
            lambda d: d["form_schema"]["renewal"]["properties"]["no_fatal_accident"].update(
                type="string"
            ),
            "延续表单须有布尔字段 no_fatal_accident",
            id="extension-without-declaration",
        ),
    ],
)
def test_a_malformed_catalogue_file_is_refused_with_its_name_and_problem(
    tmp_path, mutate, expected
):
    write_variant(tmp_path, mutate)
    message = refusal(tmp_path)
    assert "hazchem-trading.yaml" in message
    assert expected in message


def test_all_problems_of_a_file_are_reported_together(tmp_path):
    def two_problems(data: dict[str, Any]) -> None:
        data["code"] = "other"
        data["reminder_days"] = [0, 7]

    write_variant(tmp_path, two_problems)
    with pytest.raises(CatalogueError) as caught:
        load_catalogue(tmp_path)
    assert caught.value.file == "hazchem-trading.yaml"
    assert len(caught.value.problems) == 2


def test_a_person_held_type_must_name_the_worker(tmp_path):
    write_variant(
        tmp_path,
        lambda d: d["form_schema"]["renewal"]["properties"].pop("worker_id_number"),
        code="special-operations",
    )
    assert "form_schema.renewal：个人持证的事项须有字段 worker_id_number" in refusal(tmp_path)


def test_a_material_for_a_kind_without_a_form_is_refused(tmp_path):
    write_variant(
        tmp_path, add_material({**MATERIAL, "kinds": ["change"]}), code="special-operations"
    )
    assert "没有 change 申请类型的表单结构" in refusal(tmp_path)


def test_a_change_limit_without_a_change_form_is_refused(tmp_path):
    write_variant(tmp_path, set_in("change_decision_limit_days", 10), code="special-operations")
    assert "没有变更（change）表单时应为 null" in refusal(tmp_path)


def test_a_city_abbreviation_cannot_number_a_provincial_licence(tmp_path):
    template = "{province_abbr}{city_abbr}〔{year}〕{seq}"
    write_variant(tmp_path, set_in("number_template", template), code="hazchem-production-safety")
    assert "省级发证的事项无法使用市级简称" in refusal(tmp_path)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("code: [unclosed\n", "不是有效的 YAML（第2行", id="syntax"),
        pytest.param("code: a\nname: b\ncode: c\n", "第3行：键 code 重复", id="duplicate-key"),
        pytest.param("- just\n- a list\n", "文件内容须为键值映射", id="not-a-mapping"),
        pytest.param("change_date: 2026-13-01\n", "不是有效的 YAML", id="impossible-date"),
    ],
)
def test_a_file_that_is_not_a_catalogue_mapping_is_refused(tmp_path, text, expected):
    (tmp_path / "broken.yaml").write_text(text, encoding="utf-8")
    message = refusal(tmp_path)
    assert "broken.yaml" in message and expected in message


def test_a_file_in_another_encoding_is_refused(tmp_path):
    (tmp_path / "gbk.yaml").write_bytes("name: 危险化学品\n".encode("gbk"))
    assert "UTF-8" in refusal(tmp_path)


def test_yaml_merge_keys_are_not_mistaken_for_duplicates(tmp_path):
    source = (DEFAULT_DIRECTORY / "hazchem-trading.yaml").read_text(encoding="utf-8")
    assert "<<: *trading_mode" in source  # the shipped file relies on merges
    shutil.copy(DEFAULT_DIRECTORY / "hazchem-trading.yaml", tmp_path)
    assert set(load_catalogue(tmp_path)) == {"hazchem-trading"}


def test_two_types_may_not_share_an_electronic_licence_type_code(tmp_path):
    write_variant(tmp_path, set_in("type_code", "AJ001"), code="fireworks-wholesale")
    shutil.copy(DEFAULT_DIRECTORY / "hazchem-trading.yaml", tmp_path)
    message = refusal(tmp_path)
    assert "hazchem-trading.yaml" in message and "fireworks-wholesale.yaml" in message


def test_an_empty_directory_is_not_a_catalogue(tmp_path):
    assert "没有任何许可事项文件" in refusal(tmp_path)


def test_hazchem_trading_inspection_time_does_not_count_with_its_basis():
    permit_type = get_catalogue()["hazchem-trading"]
    pause = permit_type.clock_pause("inspection")
    assert pause is not None and "现场核查时间不计入" in pause.basis
    assert permit_type.clock_pause("expert_review").basis.endswith("第四十五条")
    assert permit_type.extension_days == 10
    assert get_catalogue()["special-operations"].clock_pause("inspection") is None


@pytest.mark.parametrize(
    ("kind", "grade", "region", "exempt"),
    [
        ("renewal", "二级", "140100", True),
        ("renewal", "一级", "140000", True),
        ("renewal", "三级", "140100", False),
        ("renewal", "二级", "120101", False),  # a Shanxi practice, not Tianjin's
        ("new", "二级", "140100", False),
    ],
)
def test_shanxi_renews_grade_two_and_above_without_on_site_inspection(kind, grade, region, exempt):
    permit_type = get_catalogue()["hazchem-trading"]
    rule = permit_type.inspection_exemption(kind, {"standardisation_grade": grade}, region)
    assert (rule is not None) is exempt
    if rule is not None:
        assert "山西" in rule.practice and "省级实践" in rule.practice
