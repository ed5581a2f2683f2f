"""Credit codes, ID numbers, masks, region codes, electronic-licence identifiers, check codes."""

from __future__ import annotations

import logging
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from permits.identifiers import (
    CREDIT_CODE_ALPHABET,
    MOD37_36_ALPHABET,
    city_of,
    credit_code_check_char,
    credit_code_problem,
    credit_code_region,
    elicence_identifier,
    elicence_identifier_problem,
    id_number_check_char,
    id_number_problem,
    is_region_code,
    iso7064_mod37_36_check,
    iso7064_mod37_36_is_valid,
    mask_id_number,
    mask_openid,
    mask_phone,
    normalize_credit_code,
    normalize_id_number,
    province_of,
    region_covers,
    region_level,
    region_table,
    verification_code,
    verification_code_matches,
)

VALID_CREDIT_CODE = "91350100M000100Y43"  # the example of domain.md
VALID_ID_NUMBER = "11010519491231002X"  # the example of GB 11643-1999


# --- 统一社会信用代码 ---------------------------------------------------------------------


def test_the_published_credit_code_is_valid() -> None:
    assert credit_code_problem(VALID_CREDIT_CODE) is None
    assert credit_code_check_char(VALID_CREDIT_CODE[:17]) == "3"


def test_lower_case_and_blanks_are_valid_once_normalised() -> None:
    typed = "  91350100m000100y43 "
    assert credit_code_problem(typed) is not None
    assert credit_code_problem(normalize_credit_code(typed)) is None


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("91350100M000100Y4", "应为18位，当前为17位"),
        ("91350100M000100Y433", "应为18位，当前为19位"),
        ("91350100M000I00Y43", "不允许的字符“I”"),
        ("91350100O000100Y43", "不允许的字符“O”"),
        ("9135010 M000100Y43", "不允许的字符“ ”"),
        ("913501A0M000100Y43", "第3至8位"),
        ("91350100M000100Y44", "校验位不正确"),
    ],
)
def test_a_wrong_credit_code_says_what_is_wrong(code: str, expected: str) -> None:
    problem = credit_code_problem(code)
    assert problem is not None and expected in problem


def test_a_failed_check_character_is_logged(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="permits.identifiers"):
        credit_code_problem("91350100M000100Y44")
    assert "91350100M000100Y44" in caplog.text


@given(st.text(alphabet=CREDIT_CODE_ALPHABET, min_size=17, max_size=17))
def test_any_body_with_its_check_character_is_accepted_unless_region_is_not_numeric(
    body: str,
) -> None:
    code = body + credit_code_check_char(body)
    assert (credit_code_problem(code) is None) == body[2:8].isdigit()


def test_a_check_character_needs_a_proper_body() -> None:
    with pytest.raises(ValueError, match="17位"):
        credit_code_check_char("91350100M000100")
    with pytest.raises(ValueError, match="17位"):
        credit_code_check_char("91350100M000I00Y4")


def test_the_region_of_a_credit_code_is_positions_3_to_8() -> None:
    assert credit_code_region(VALID_CREDIT_CODE) == "350100"


# --- 居民身份证号码 -----------------------------------------------------------------------


def test_the_published_id_number_is_valid() -> None:
    assert id_number_problem(VALID_ID_NUMBER) is None
    assert id_number_check_char(VALID_ID_NUMBER[:17]) == "X"


def test_a_lower_case_x_is_valid_once_normalised() -> None:
    assert id_number_problem(" 11010519491231002x") is not None
    assert normalize_id_number(" 11010519491231002x") == VALID_ID_NUMBER


@pytest.mark.parametrize(
    ("number", "expected"),
    [
        ("1101051949123100", "应为18位，当前为16位"),
        ("11010519491231002XX", "应为18位，当前为19位"),
        ("1101051949123A002X", "前17位应为数字"),
        ("１１010519491231002X", "前17位应为数字"),  # full-width digits
        ("11010519491231002Y", "最后一位应为数字或X"),
        ("110105194902300021", "出生日期不是有效日期"),
        ("110105194913010021", "出生日期不是有效日期"),
        ("11010519491231002Ｘ", "最后一位应为数字或X"),
        ("110105194912310021", "校验位不正确"),
    ],
)
def test_a_wrong_id_number_says_what_is_wrong(number: str, expected: str) -> None:
    problem = id_number_problem(number)
    assert problem is not None and expected in problem


def test_a_birth_date_in_the_future_is_refused() -> None:
    body = "11010520270101002"
    number = body + id_number_check_char(body)
    assert "晚于今天" in (id_number_problem(number, today=date(2026, 12, 31)) or "")
    assert id_number_problem(number, today=date(2027, 1, 1)) is None


def test_a_leap_day_birth_date_is_real_only_in_a_leap_year() -> None:
    leap = "11010520000229001"
    not_leap = "11010519990229001"
    assert id_number_problem(leap + id_number_check_char(leap)) is None
    problem = id_number_problem(not_leap + id_number_check_char(not_leap))
    assert problem is not None and "出生日期" in problem


# --- Masks --------------------------------------------------------------------------------


def test_an_id_number_shows_only_its_first_3_and_last_4_characters() -> None:
    assert mask_id_number(VALID_ID_NUMBER) == "110***********002X"
    assert len(mask_id_number(VALID_ID_NUMBER)) == 18


def test_a_phone_shows_only_its_last_4_digits() -> None:
    assert mask_phone("13812341234") == "*******1234"
    assert mask_phone("022-23456789") == "********6789"


def test_an_openid_shows_only_its_first_and_last_4_characters() -> None:
    assert mask_openid("oAbCdEfGhIjKlMnOpQrStUvWxYz") == "oAbC***WxYz"


@pytest.mark.parametrize("mask", [mask_id_number, mask_phone, mask_openid])
@pytest.mark.parametrize("value", ["", "1", "1234", "1234567", "12345678"])
def test_a_short_value_never_shows_more_than_half_of_itself(mask, value: str) -> None:
    shown = [char for char in mask(value) if char != "*"]
    assert len(shown) <= len(value) // 2


# --- Region codes -------------------------------------------------------------------------


@pytest.mark.parametrize("code", ["110000", "120000", "120100", "120101", "650000", "320583"])
def test_codes_under_a_mainland_province_are_region_codes(code: str) -> None:
    assert is_region_code(code)


@pytest.mark.parametrize(
    "code",
    ["", "12000", "1200000", "12010a", "１２０１０１", "000000", "100000", "710000", "810000"],
)
def test_other_codes_are_not_region_codes(code: str) -> None:
    assert not is_region_code(code)


def test_the_region_table_lists_the_31_mainland_provinces() -> None:
    provinces = [r for r in region_table().values() if region_level(r.code) == "province"]
    assert len(provinces) == 31
    assert all(r.abbr for r in provinces)
    assert len({r.abbr for r in provinces}) == 31


@pytest.mark.parametrize(
    ("code", "level", "province", "city"),
    [
        ("120000", "province", "120000", None),
        ("120100", "city", "120000", "120100"),
        ("120101", "district", "120000", "120100"),
        ("320583", "district", "320000", "320500"),
    ],
)
def test_levels_and_parents(code: str, level: str, province: str, city: str | None) -> None:
    assert region_level(code) == level
    assert province_of(code) == province
    assert city_of(code) == city


@pytest.mark.parametrize(
    ("scope", "code", "covered"),
    [
        ("120000", "120000", True),
        ("120000", "120101", True),
        ("120000", "120223", True),
        ("120000", "130101", False),
        ("120100", "120101", True),
        ("120100", "120100", True),
        ("120100", "120000", False),
        ("120100", "120201", False),
        ("120101", "120101", True),
        ("120101", "120102", False),
        ("120101", "120100", False),
        ("120000", "12010x", False),
        ("000000", "000101", False),
    ],
)
def test_an_office_covers_only_its_jurisdiction(scope: str, code: str, covered: bool) -> None:
    assert region_covers(scope, code) is covered


# --- ISO 7064 MOD 37,36 and the electronic-licence identifier -----------------------------


# Worked by hand with the hybrid system (M = 36): P starts at 36; for each character
# S = (P + value) mod 36, with 0 read as 36; P = 2S mod 37. The check value is
# (37 − P) mod 36, so that a final S of 1 validates. Values: 0–9, then A = 10 … Z = 35.
#   "A":  S = (36 + 10) mod 36 = 10, P = 20; check (37 − 20) mod 36 = 17 → "H".
#   "12": S = (36 + 1) mod 36 = 1, P = 2; S = (2 + 2) = 4, P = 8; check 29 → "T".
#   "0":  S = 36 mod 36 = 0 → 36, P = 72 mod 37 = 35; check 2 → "2".
#   "Z":  S = (36 + 35) mod 36 = 35, P = 70 mod 37 = 33; check 4 → "4".
@pytest.mark.parametrize(("text", "check"), [("A", "H"), ("12", "T"), ("0", "2"), ("Z", "4")])
def test_mod37_36_matches_values_worked_by_hand(text: str, check: str) -> None:
    assert iso7064_mod37_36_check(text) == check


@given(st.text(alphabet=MOD37_36_ALPHABET, min_size=1, max_size=60))
def test_appending_the_check_character_makes_the_string_validate(text: str) -> None:
    assert iso7064_mod37_36_is_valid(text + iso7064_mod37_36_check(text))


@given(st.text(alphabet=MOD37_36_ALPHABET, min_size=1, max_size=60), st.data())
def test_mod37_36_catches_every_single_character_error(text: str, data: st.DataObject) -> None:
    full = text + iso7064_mod37_36_check(text)
    position = data.draw(st.integers(0, len(full) - 1))
    wrong = data.draw(st.sampled_from(MOD37_36_ALPHABET).filter(lambda c: c != full[position]))
    assert not iso7064_mod37_36_is_valid(full[:position] + wrong + full[position + 1 :])


def test_mod37_36_refuses_characters_outside_its_alphabet() -> None:
    with pytest.raises(ValueError, match="数字和大写字母"):
        iso7064_mod37_36_check("ab")
    assert not iso7064_mod37_36_is_valid("A-")


def test_an_elicence_identifier_has_the_national_layout_and_validates() -> None:
    identifier = elicence_identifier("11100000000000000X", VALID_CREDIT_CODE, "2026120000000001", 1)
    body = "11100000000000000X" + VALID_CREDIT_CODE + "2026120000000001" + "001"
    assert identifier == (
        "1.2.156.3005.2.11100000000000000X.91350100M000100Y43.2026120000000001.001."
        + iso7064_mod37_36_check(body)
    )
    assert elicence_identifier_problem(identifier) is None


def test_a_new_version_of_a_licence_gets_a_new_identifier() -> None:
    first = elicence_identifier("111", VALID_CREDIT_CODE, "1", 1)
    second = elicence_identifier("111", VALID_CREDIT_CODE, "1", 2)
    assert first.split(".")[-2:-1] == ["001"] and second.split(".")[-2:-1] == ["002"]
    assert elicence_identifier_problem(second) is None


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("1.1", VALID_CREDIT_CODE, "1", 1), "证照类型代码"),
        (("111", "91350100M000100Y44", "1", 1), "发证机关代码有误"),
        (("111", VALID_CREDIT_CODE, "a1", 1), "证照顺序号"),
        (("111", VALID_CREDIT_CODE, "1", 0), "版本号"),
        (("111", VALID_CREDIT_CODE, "1", 1000), "版本号"),
    ],
)
def test_an_identifier_cannot_be_made_from_bad_parts(args: tuple, expected: str) -> None:
    with pytest.raises(ValueError, match=expected):
        elicence_identifier(*args)


@pytest.mark.parametrize(
    ("identifier", "expected"),
    [
        ("1.2.156.3005.1.111.91350100M000100Y43.1.001.X", "开头"),
        ("1.2.156.3005.2.111.91350100M000100Y43.1.001", "五段"),
        ("1.2.156.3005.2.111.91350100M000100Y44.1.001.X", "发证机关代码有误"),
        ("1.2.156.3005.2.111.91350100M000100Y43.1.01.X", "版本号"),
        ("1.2.156.3005.2.111.91350100M000100Y43.1.000.X", "版本号"),
    ],
)
def test_a_malformed_identifier_says_what_is_wrong(identifier: str, expected: str) -> None:
    problem = elicence_identifier_problem(identifier)
    assert problem is not None and expected in problem


def test_an_identifier_with_a_changed_character_fails_its_check() -> None:
    identifier = elicence_identifier("111", VALID_CREDIT_CODE, "20260001", 1)
    tampered = identifier.replace(".20260001.", ".20260002.")
    assert "校验位" in (elicence_identifier_problem(tampered) or "")
    assert "校验位" in (elicence_identifier_problem(identifier + "0") or "")


# --- Verification code --------------------------------------------------------------------

SECRET = b"test-secret"
NUMBER = "津津安经〔2026〕000001"


def test_a_verification_code_is_8_unambiguous_upper_case_characters() -> None:
    code = verification_code(SECRET, NUMBER)
    assert len(code) == 8
    assert set(code) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
    assert verification_code(SECRET, NUMBER) == code


def test_the_code_depends_on_the_secret_and_the_number() -> None:
    code = verification_code(SECRET, NUMBER)
    assert verification_code(b"another-secret", NUMBER) != code
    assert verification_code(SECRET, "津津安经〔2026〕000002") != code


def test_a_typed_code_matches_in_any_case_and_with_blanks() -> None:
    code = verification_code(SECRET, NUMBER)
    assert verification_code_matches(SECRET, NUMBER, code)
    assert verification_code_matches(SECRET, NUMBER, f" {code.lower()} ")


@pytest.mark.parametrize("typed", ["", "AAAAAAAA", "码码码码码码码码", "x" * 100])
def test_a_wrong_code_does_not_match(typed: str) -> None:
    assert not verification_code_matches(SECRET, NUMBER, typed)


def test_a_code_of_another_licence_does_not_match() -> None:
    other = verification_code(SECRET, "津津安经〔2026〕000002")
    assert not verification_code_matches(SECRET, NUMBER, other)


def test_no_code_without_a_secret() -> None:
    with pytest.raises(ValueError, match="密钥"):
        verification_code(b"", NUMBER)
