"""Licence numbers from templates, region names and issuing authorities."""

from __future__ import annotations

import re

import pytest

from permits.numbering import NumberingError, format_licence_number, issuer_name, region_name

TRADING = "{province_abbr}{city_abbr}安经〔{year}〕{seq:06d}"
PRODUCTION = "（{province_abbr}）WH安许证字〔{year}〕{seq}"
FIREWORKS = "（{province_abbr}）PF〔{year}〕{seq}"


@pytest.mark.parametrize(
    ("template", "region", "expected"),
    [
        (TRADING, "120101", "津安经〔2026〕000042"),
        (TRADING, "120100", "津安经〔2026〕000042"),
        (TRADING, "320100", "苏宁安经〔2026〕000042"),
        (TRADING, "320583", "苏苏安经〔2026〕000042"),
        (TRADING, "330100", "浙杭安经〔2026〕000042"),
        (PRODUCTION, "320000", "（苏）WH安许证字〔2026〕42"),
        (PRODUCTION, "440000", "（粤）WH安许证字〔2026〕42"),
        (FIREWORKS, "120000", "（津）PF〔2026〕42"),
        (FIREWORKS, "510000", "（川）PF〔2026〕42"),
    ],
)
def test_the_domain_templates_give_the_expected_numbers(
    template: str, region: str, expected: str
) -> None:
    assert format_licence_number(template, region_code=region, year=2026, seq=42) == expected


def test_a_zero_padded_serial_grows_past_its_width() -> None:
    number = format_licence_number(TRADING, region_code="120101", year=2026, seq=1234567)
    assert number == "津安经〔2026〕1234567"


def test_literal_braces_and_repeated_placeholders_are_kept() -> None:
    number = format_licence_number(
        "{{{province_abbr}}}{year}-{year}-{seq:04d}", region_code="120000", year=2026, seq=7
    )
    assert number == "{津}2026-2026-0007"


@pytest.mark.parametrize(
    ("code", "abbr"),
    [
        ("110000", "京"),
        ("120000", "津"),
        ("130000", "冀"),
        ("140000", "晋"),
        ("150000", "蒙"),
        ("210000", "辽"),
        ("220000", "吉"),
        ("230000", "黑"),
        ("310000", "沪"),
        ("320000", "苏"),
        ("330000", "浙"),
        ("340000", "皖"),
        ("350000", "闽"),
        ("360000", "赣"),
        ("370000", "鲁"),
        ("410000", "豫"),
        ("420000", "鄂"),
        ("430000", "湘"),
        ("440000", "粤"),
        ("450000", "桂"),
        ("460000", "琼"),
        ("500000", "渝"),
        ("510000", "川"),
        ("520000", "贵"),
        ("530000", "云"),
        ("540000", "藏"),
        ("610000", "陕"),
        ("620000", "甘"),
        ("630000", "青"),
        ("640000", "宁"),
        ("650000", "新"),
    ],
)
def test_every_province_prints_its_abbreviation(code: str, abbr: str) -> None:
    assert format_licence_number(FIREWORKS, region_code=code, year=2026, seq=1) == (
        f"（{abbr}）PF〔2026〕1"
    )


@pytest.mark.parametrize(
    ("template", "region", "expected"),
    [
        ("{province}〔{year}〕{seq}", "120000", "未知占位符“{province}”"),
        ("{}〔{year}〕{seq}", "120000", "未知占位符“{}”"),
        ("{seq.real}", "120000", "未知占位符“{seq.real}”"),
        ("{seq!r}", "120000", "“{seq!r}”的写法不受支持"),
        ("{year〔{seq}", "120000", "花括号不成对"),
        ("{province_abbr:06d}", "120000", "“{province_abbr:06d}”的格式不正确"),
        (TRADING, "320000", "320000 为省级，编号模板需要的市级简称无从确定"),
        (TRADING, "320300", "行政区划 320300 未配置简称"),
        (FIREWORKS, "000000", "行政区划代码“000000”不正确"),
        (FIREWORKS, "12010", "不正确"),
    ],
)
def test_a_number_that_cannot_be_made_says_why(template: str, region: str, expected: str) -> None:
    with pytest.raises(NumberingError, match=re.escape(expected)):
        format_licence_number(template, region_code=region, year=2026, seq=1)


def test_a_numbering_error_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="流水号应为正整数"):
        format_licence_number(FIREWORKS, region_code="120000", year=2026, seq=0)


def test_a_template_without_abbreviations_works_for_any_region() -> None:
    number = format_licence_number("〔{year}〕{seq:05d}", region_code="320300", year=2026, seq=3)
    assert number == "〔2026〕00003"


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("120000", "天津市"),
        ("120100", "天津市"),
        ("120101", "天津市和平区"),
        ("120116", "天津市滨海新区"),
        ("320000", "江苏省"),
        ("320100", "南京市"),
        ("320102", "南京市玄武区"),
        ("320583", "昆山市"),
        ("320300", None),
        ("999999", None),
    ],
)
def test_region_names_as_printed_before_an_authority(code: str, name: str | None) -> None:
    assert region_name(code) == name


@pytest.mark.parametrize(
    ("code", "issuer"),
    [
        ("120000", "天津市应急管理局"),
        ("110000", "北京市应急管理局"),
        ("310000", "上海市应急管理局"),
        ("500000", "重庆市应急管理局"),
        ("320000", "江苏省应急管理厅"),
        ("150000", "内蒙古自治区应急管理厅"),
        ("120100", "天津市应急管理局"),
        ("320100", "南京市应急管理局"),
        ("330100", "杭州市应急管理局"),
        ("120101", "天津市和平区应急管理局"),
        ("320102", "南京市玄武区应急管理局"),
        ("320583", "昆山市应急管理局"),
    ],
)
def test_the_issuing_authority_is_named_by_its_level(code: str, issuer: str) -> None:
    assert issuer_name(code) == issuer


def test_an_unlisted_region_has_no_issuer_name() -> None:
    with pytest.raises(NumberingError, match="未配置行政区划 320300 的名称"):
        issuer_name("320300")


def test_a_municipality_is_its_own_city() -> None:
    for region in ("120000", "120100", "120101"):
        number = format_licence_number(TRADING, region_code=region, year=2026, seq=42)
        assert number == "津安经〔2026〕000042"
