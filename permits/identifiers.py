"""Identifiers the permit office reads, checks and prints.

- 统一社会信用代码 (GB 32100-2015) of enterprises and issuing authorities;
- 居民身份证号码 (GB 11643-1999) of people, and how personal data is masked for display;
- 行政区划代码 (GB/T 2260): levels, jurisdiction (which office covers which code) and the
  region table in ``regions.yaml``;
- the electronic-licence identifier (GB/T 36904 as implemented by provincial platforms)
  with its ISO 7064 MOD 37,36 check character;
- the verification code printed on a licence and required by the public verification URL.

Every ``*_problem`` function returns ``None`` for a valid value, else a Chinese message fit
to show the applicant as is. Callers normalise first (``normalize_*``).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import re
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Literal

import yaml

log = logging.getLogger(__name__)

# --- 统一社会信用代码 (GB 32100-2015) ---------------------------------------------------

CREDIT_CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
CREDIT_CODE_LENGTH = 18


def normalize_credit_code(code: str) -> str:
    """The code as it is checked and stored: no surrounding blanks, upper case."""
    return code.strip().upper()


def credit_code_check_char(body: str) -> str:
    """The 18th character for the first 17 characters ``body`` of a credit code."""
    if len(body) != CREDIT_CODE_LENGTH - 1 or _first_outside_credit_alphabet(body) is not None:
        raise ValueError("统一社会信用代码本体应为17位，且只含数字和规定的大写字母")
    total = sum(
        CREDIT_CODE_ALPHABET.index(char) * weight
        for char, weight in zip(body, CREDIT_CODE_WEIGHTS, strict=True)
    )
    return CREDIT_CODE_ALPHABET[(31 - total % 31) % 31]


def credit_code_problem(code: str) -> str | None:
    """None when ``code`` (already normalised) is a valid 统一社会信用代码, else why not."""
    if len(code) != CREDIT_CODE_LENGTH:
        return f"统一社会信用代码应为18位，当前为{len(code)}位"
    illegal = _first_outside_credit_alphabet(code)
    if illegal is not None:
        return f"统一社会信用代码含有不允许的字符“{illegal}”（不使用I、O、Z、S、V）"
    if not is_ascii_digits(code[2:8]):
        return "统一社会信用代码第3至8位应为登记管理机关的行政区划代码（6位数字）"
    if credit_code_check_char(code[:17]) != code[17]:
        # GB 32100 codes of a few very old registrations are reported to fail the check;
        # they are still refused, but the log lets an office find and correct them.
        log.info("credit code failed the GB 32100-2015 check: %s", code)
        return "统一社会信用代码校验位不正确，请核对后重新输入"
    return None


def credit_code_region(code: str) -> str:
    """The region code of the registration authority (positions 3–8)."""
    return code[2:8]


def _first_outside_credit_alphabet(text: str) -> str | None:
    return next((char for char in text if char not in CREDIT_CODE_ALPHABET), None)


# --- 居民身份证号码 (GB 11643-1999) -----------------------------------------------------

ID_NUMBER_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_NUMBER_CHECK_CHARS = "10X98765432"
ID_NUMBER_LENGTH = 18


def normalize_id_number(number: str) -> str:
    """The number as it is checked and stored: no surrounding blanks, an upper-case X."""
    return number.strip().upper()


def id_number_check_char(body: str) -> str:
    """The 18th character for the first 17 digits ``body`` of an ID number."""
    if len(body) != ID_NUMBER_LENGTH - 1 or not is_ascii_digits(body):
        raise ValueError("居民身份证号码本体应为17位数字")
    total = sum(int(digit) * weight for digit, weight in zip(body, ID_NUMBER_WEIGHTS, strict=True))
    return ID_NUMBER_CHECK_CHARS[total % 11]


def id_number_problem(number: str, today: date | None = None) -> str | None:
    """None when ``number`` (already normalised) is a valid 居民身份证号码, else why not.

    ``today`` bounds the birth date; it defaults to the machine's date.
    """
    if len(number) != ID_NUMBER_LENGTH:
        return f"居民身份证号码应为18位，当前为{len(number)}位"
    if not is_ascii_digits(number[:17]):
        return "居民身份证号码前17位应为数字"
    if not (is_ascii_digits(number[17]) or number[17] == "X"):
        return "居民身份证号码最后一位应为数字或X"
    birth = _birth_date(number[6:14])
    if birth is None:
        return "居民身份证号码中的出生日期不是有效日期"
    if birth > (today or date.today()):
        return "居民身份证号码中的出生日期晚于今天"
    if id_number_check_char(number[:17]) != number[17]:
        return "居民身份证号码校验位不正确，请核对后重新输入"
    return None


def _birth_date(yyyymmdd: str) -> date | None:
    try:
        return date(int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:]))
    except ValueError:
        return None


def is_ascii_digits(text: str) -> bool:
    # str.isdigit() alone also takes full-width digits and "¹", which int() refuses.
    return text.isascii() and text.isdigit()


# --- Masking personal data for display ----------------------------------------------------


def mask_id_number(number: str) -> str:
    """``110***********002X``: the first 3 and last 4 characters, the rest masked."""
    if not _may_show_ends(number, 3 + 4):
        return "*" * len(number)
    return number[:3] + "*" * (len(number) - 7) + number[-4:]


def mask_phone(phone: str) -> str:
    """``*******1234``: only the last 4 characters shown."""
    if not _may_show_ends(phone, 4):
        return "*" * len(phone)
    return "*" * (len(phone) - 4) + phone[-4:]


def mask_openid(openid: str) -> str:
    """``oAbC***wXyZ``: the first 4 and last 4 characters; an empty openid stays empty."""
    if not openid:
        return ""
    if not _may_show_ends(openid, 4 + 4):
        return "***"
    return f"{openid[:4]}***{openid[-4:]}"


def _may_show_ends(value: str, shown: int) -> bool:
    """A mask shows characters only while at least as many stay hidden."""
    return len(value) >= 2 * shown


# --- 行政区划代码 (GB/T 2260) -------------------------------------------------------------

RegionLevel = Literal["province", "city", "district"]
REGIONS_FILE = Path(__file__).with_name("regions.yaml")


@dataclass(frozen=True)
class Region:
    """One entry of ``regions.yaml``."""

    code: str
    name: str
    abbr: str | None = None
    municipality: bool = False


@cache
def region_table() -> dict[str, Region]:
    """All regions of ``regions.yaml`` by code (read once)."""
    data = yaml.safe_load(REGIONS_FILE.read_text(encoding="utf-8"))
    return {
        str(code): Region(
            code=str(code),
            name=str(entry["name"]),
            abbr=str(entry["abbr"]) if entry.get("abbr") else None,
            municipality=bool(entry.get("municipality", False)),
        )
        for code, entry in data["regions"].items()
    }


def region_record(code: str) -> Region | None:
    """The ``regions.yaml`` entry for ``code``, or None when it is not listed."""
    return region_table().get(code)


def is_region_code(code: str) -> bool:
    """Six ASCII digits starting with a known mainland province-level code."""
    if len(code) != 6 or not is_ascii_digits(code):
        return False
    return region_record(province_of(code)) is not None


def region_level(code: str) -> RegionLevel:
    """``xx0000`` is a province, ``xxxx00`` a city, anything else a district or county."""
    if code.endswith("0000"):
        return "province"
    if code.endswith("00"):
        return "city"
    return "district"


def province_of(code: str) -> str:
    """The province-level code over ``code`` (``120101`` → ``120000``)."""
    return code[:2] + "0000"


def city_of(code: str) -> str | None:
    """The city-level code over ``code`` (``120101`` → ``120100``); None for a province."""
    if region_level(code) == "province":
        return None
    return code[:4] + "00"


def region_at_level(code: str, level: str) -> str:
    """The region at ``level`` (``province``, ``city``, else ``code`` itself) over ``code``:
    where a bureau or unit of that level for ``code`` sits."""
    if level == "province":
        return province_of(code)
    if level == "city":
        return city_of(code) or code
    return code


def region_prefix(scope: str) -> str:
    """The code prefix a jurisdiction covers: ``120000`` → ``12``, ``120100`` → ``1201``."""
    return scope[: {"province": 2, "city": 4, "district": 6}[region_level(scope)]]


def region_covers(scope: str, code: str) -> bool:
    """Whether an office with jurisdiction ``scope`` covers region ``code``.

    A province covers its whole province, a city its districts and counties, a district
    only itself.
    """
    if not (is_region_code(scope) and is_region_code(code)):
        return False
    return code.startswith(region_prefix(scope))


# --- Electronic-licence identifier (电子证照标识, GB/T 36904) -----------------------------

ELICENCE_PREFIX = "1.2.156.3005.2."
ELICENCE_VERSION_PROBLEM = "电子证照版本号应为001至999的3位数字"
MOD37_36_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_UPPER_ALNUM = re.compile(r"[0-9A-Z]+")


def iso7064_mod37_36_check(text: str) -> str:
    """The ISO 7064 MOD 37,36 check character (hybrid system) for ``text`` (0-9, A-Z)."""
    product = _mod37_36_product(text)
    return MOD37_36_ALPHABET[(37 - product) % 36]


def iso7064_mod37_36_is_valid(text: str) -> bool:
    """Whether ``text`` ends with the right MOD 37,36 check character."""
    if len(text) < 2 or text[-1] not in MOD37_36_ALPHABET:
        return False
    return iso7064_mod37_36_check(text[:-1]) == text[-1]


def _mod37_36_product(text: str) -> int:
    if not _UPPER_ALNUM.fullmatch(text):
        raise ValueError("校验位只能对数字和大写字母计算")
    product = 36
    for char in text:
        total = (product + MOD37_36_ALPHABET.index(char)) % 36 or 36
        product = total * 2 % 37
    return product


def elicence_identifier(type_code: str, issuer_credit_code: str, serial: str, version: int) -> str:
    """``1.2.156.3005.2.{type}.{issuer}.{serial}.{version:03d}.{check}``.

    The check character is ISO 7064 MOD 37,36 over type code + issuer code + serial +
    version digits. Raises ValueError (Chinese message) for parts that cannot form one.
    """
    if not 1 <= version <= 999:
        raise ValueError(ELICENCE_VERSION_PROBLEM)
    version_digits = f"{version:03d}"
    problem = _elicence_parts_problem(type_code, issuer_credit_code, serial, version_digits)
    if problem is not None:
        raise ValueError(problem)
    check = iso7064_mod37_36_check(f"{type_code}{issuer_credit_code}{serial}{version_digits}")
    return f"{ELICENCE_PREFIX}{type_code}.{issuer_credit_code}.{serial}.{version_digits}.{check}"


def register_elicence_identifier(type_code: str, issuer_credit_code: str, number: str) -> str:
    """The identifier of a licence that came from a register (imported, or older rows).

    Its serial is derived from the licence number (``R`` + 16 base32 characters of its
    SHA-256), so loading the same register twice gives the same identifier.
    """
    digest = hashlib.sha256(number.encode("utf-8")).digest()
    serial = "R" + base64.b32encode(digest).decode("ascii")[:16]
    return elicence_identifier(type_code, issuer_credit_code, serial, 1)


def elicence_identifier_problem(identifier: str) -> str | None:
    """None when ``identifier`` is a well-formed electronic-licence identifier, else why not."""
    if not identifier.startswith(ELICENCE_PREFIX):
        return f"电子证照标识应以“{ELICENCE_PREFIX}”开头"
    parts = identifier[len(ELICENCE_PREFIX) :].split(".")
    if len(parts) != 5:
        return "电子证照标识应由证照类型代码、发证机关代码、顺序号、版本号和校验位五段组成"
    type_code, issuer, serial, version, check = parts
    problem = _elicence_parts_problem(type_code, issuer, serial, version)
    if problem is not None:
        return problem
    if len(check) != 1 or check != iso7064_mod37_36_check(f"{type_code}{issuer}{serial}{version}"):
        return "电子证照标识校验位不正确"
    return None


def _elicence_parts_problem(type_code: str, issuer: str, serial: str, version: str) -> str | None:
    if not _UPPER_ALNUM.fullmatch(type_code):
        return "证照类型代码应由数字和大写字母组成"
    issuer_problem = credit_code_problem(issuer)
    if issuer_problem is not None:
        return f"发证机关代码有误：{issuer_problem}"
    if not _UPPER_ALNUM.fullmatch(serial):
        return "证照顺序号应由数字和大写字母组成"
    if len(version) != 3 or not is_ascii_digits(version) or version == "000":
        return ELICENCE_VERSION_PROBLEM
    return None


# --- Verification code (核验码) ------------------------------------------------------------

VERIFICATION_CODE_LENGTH = 8


def verification_code(secret: bytes, licence_number: str) -> str:
    """The 8-character check code printed on a licence and needed to verify it online.

    Derived with HMAC-SHA256 so only the office can issue codes: knowing a licence number
    is not enough to query the public verification page. Base32 upper case, so no 0, 1
    or 8 to mistake for O, I or B.
    """
    if not secret:
        raise ValueError("核验码密钥未配置")
    digest = hmac.new(secret, licence_number.encode("utf-8"), hashlib.sha256).digest()
    return base64.b32encode(digest).decode("ascii")[:VERIFICATION_CODE_LENGTH]


def verification_code_matches(secret: bytes, licence_number: str, code: str) -> bool:
    """Whether ``code`` (any case, surrounding blanks ignored) is the licence's code."""
    expected = verification_code(secret, licence_number).encode("ascii")
    return hmac.compare_digest(expected, code.strip().upper().encode("utf-8"))
