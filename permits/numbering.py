"""Licence numbers from per-permit-type templates, and the issuing authority's name.

Number formats differ by province and are not fixed by any national text we found, so each
permit type carries a template in the catalogue, e.g.
``{province_abbr}{city_abbr}安经〔{year}〕{seq:06d}``. Placeholders take Python format specs;
abbreviations and names come from ``regions.yaml`` (through ``permits.identifiers``).
"""

from __future__ import annotations

from string import Formatter

from permits.identifiers import (
    Region,
    city_of,
    is_region_code,
    province_of,
    region_level,
    region_record,
)

TEMPLATE_FIELDS = ("province_abbr", "city_abbr", "year", "seq")


class NumberingError(ValueError):
    """A licence number or issuer name that cannot be made; the message says why, in Chinese."""


def format_licence_number(template: str, *, region_code: str, year: int, seq: int) -> str:
    """The licence number ``template`` gives for the issuing region, year and serial."""
    if not is_region_code(region_code):
        raise NumberingError(f"行政区划代码“{region_code}”不正确，无法生成证书编号")
    if seq < 1:
        raise NumberingError("证书编号的流水号应为正整数")
    pieces: list[str] = []
    for literal, field, spec, conversion in _parse_template(template):
        pieces.append(literal)
        if field is None:
            continue
        if field not in TEMPLATE_FIELDS:
            raise NumberingError(
                f"编号模板含有未知占位符“{{{field}}}”，可用：{'、'.join(TEMPLATE_FIELDS)}"
            )
        if conversion is not None:
            raise NumberingError(f"编号模板中“{{{field}!{conversion}}}”的写法不受支持")
        value = _field_value(field, region_code=region_code, year=year, seq=seq)
        pieces.append(_format_field(field, value, spec or ""))
    return "".join(pieces)


def region_name(code: str) -> str | None:
    """The name printed before an authority's title: ``天津市``, ``天津市和平区``, ``南京市``.

    A district (a name ending in 区) is named with its city, as its bureau is
    (天津市和平区应急管理局); counties and county-level cities stand alone (昆山市).
    None when the region, or the city of a listed district, is not in ``regions.yaml``.
    """
    record = region_record(code)
    if record is None:
        return None
    if region_level(code) != "district" or not record.name.endswith("区"):
        return record.name
    city = region_record(city_of(code) or "")
    return f"{city.name}{record.name}" if city is not None else None


def issuer_name(region_code: str) -> str:
    """The emergency-management authority of a region, as printed on a licence.

    Provinces and autonomous regions have an 应急管理厅; municipalities directly under the
    central government, cities and districts an 应急管理局.
    """
    name = region_name(region_code)
    if name is None:
        raise NumberingError(f"未配置行政区划 {region_code} 的名称，无法确定发证机关")
    record = region_record(region_code)
    is_provincial_department = (
        region_level(region_code) == "province" and record is not None and not record.municipality
    )
    return f"{name}{'应急管理厅' if is_provincial_department else '应急管理局'}"


def authority_region(region_code: str) -> str:
    """The region whose authority issues as ``region_code``'s: the highest region over it that
    prints the same authority (a municipality's city, 天津市 under 天津市, is the
    municipality's bureau). One authority, one sequence of notice numbers."""
    name = issuer_name(region_code)
    for above in (province_of(region_code), city_of(region_code)):
        if above and above != region_code and _printed_authority(above) == name:
            return above
    return region_code


def _printed_authority(region_code: str) -> str | None:
    try:
        return issuer_name(region_code)
    except NumberingError:
        return None


# The sequence key of numbers that name no region at all.
NATIONWIDE = "000000"


def number_scope(template: str, region_code: str) -> str:
    """The region whose licence numbers ``template`` tells apart from others': the issuers
    under it print alike (（苏）PF〔2026〕0001 in every city of Jiangsu), so they share one
    sequence."""
    fields = {field for _, field, _, _ in _parse_template(template) if field}
    if "city_abbr" in fields and not _is_municipality(region_code):
        return city_of(region_code) or region_code
    if fields & {"province_abbr", "city_abbr"}:
        return province_of(region_code)
    return NATIONWIDE


def _parse_template(template: str) -> list[tuple[str, str | None, str | None, str | None]]:
    try:
        return list(Formatter().parse(template))
    except ValueError as exc:
        raise NumberingError("编号模板的花括号不成对，占位符应写成 {year} 这样") from exc


def _field_value(field: str, *, region_code: str, year: int, seq: int) -> str | int:
    if field == "province_abbr":
        province = province_of(region_code)
        return _abbreviation(region_record(province), province)
    if field == "city_abbr":
        city = city_of(region_code)
        if _is_municipality(region_code):
            # A municipality is its own city: 津安经〔…〕, not 津津安经〔…〕.
            return ""
        if city is None:
            raise NumberingError(
                f"发证机关所在地 {region_code} 为省级，编号模板需要的市级简称无从确定"
            )
        return _abbreviation(region_record(city), city)
    return year if field == "year" else seq


def _is_municipality(region_code: str) -> bool:
    record = region_record(province_of(region_code))
    return record is not None and record.municipality


def _abbreviation(record: Region | None, code: str) -> str:
    if record is None or record.abbr is None:
        label = f"{record.name}（{code}）" if record is not None else code
        raise NumberingError(f"行政区划 {label} 未配置简称，无法生成证书编号，请联系管理员补充")
    return record.abbr


def _format_field(field: str, value: str | int, spec: str) -> str:
    try:
        return format(value, spec)
    except ValueError as exc:
        raise NumberingError(f"编号模板中“{{{field}:{spec}}}”的格式不正确") from exc
