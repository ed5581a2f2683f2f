"""Licence certificates and mailing labels: what a reader of the PDF sees and can scan."""

from __future__ import annotations

import dataclasses
import io
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader

from pdf_templates import UnknownLayoutError, layout_names, load_layout
from pdf_templates.render import (
    LabelDocument,
    LayoutOverflowError,
    LicenceDocument,
    render_label,
    render_licence,
)
from pdf_templates.render.fonts import (
    BUILTIN_CJK_FONT,
    Typeface,
    find_cjk_font,
    select_typeface,
)
from pdf_templates.render.text import wrap_text
from pdf_templates.seal import star_points
from permits.catalogue import get_catalogue, get_permit_type

A4_POINTS = (595.28, 841.89)
LABEL_POINTS = (100 * 72 / 25.4, 150 * 72 / 25.4)
WQY = "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"
DROID = "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf"
DEJAVU = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
# The font situations a licence must survive, as PDF_FONT_PATH values (a search path).
FONT_SITUATIONS = {
    "wqy-zenhei": WQY,
    "droid-only": DROID,  # no digits or Latin letters: those come from STSong-Light
    "droid-and-dejavu": f"{DROID}:{DEJAVU}",
    "no-cjk-truetype": "/nonexistent/font.ttf",
}
HAS_SCANNER = bool(shutil.which("pdftoppm") and shutil.which("zbarimg"))
needs_scanner = pytest.mark.skipif(
    not HAS_SCANNER, reason="pdftoppm (poppler-utils) and zbarimg (zbar-tools) are not installed"
)

ENTERPRISE_FIELDS = {
    "hazchem-trading": [
        ("统一社会信用代码", "91350100M000100Y43"),
        ("法定代表人（主要负责人）", "王建国"),
        ("注册地址", "天津市滨海新区经济技术开发区第三大街51号"),
        ("经营场所", "天津市滨海新区经济技术开发区第三大街51号"),
        ("储存场所", "天津市滨海新区临港经济区渤海十路88号1号库"),
        ("经营方式", "带有储存设施经营"),
        ("许可范围", "硫酸、盐酸、氢氧化钠、甲醇、乙醇[无水]、丙酮、甲苯"),
    ],
    "hazchem-production-safety": [
        ("统一社会信用代码", "91350100M000100Y43"),
        ("主要负责人", "王建国"),
        ("生产地址", "天津市滨海新区南港工业区港北路2号"),
        ("许可范围", "硫酸（20万吨/年）、发烟硫酸（2万吨/年）"),
    ],
    "fireworks-wholesale": [
        ("统一社会信用代码", "91350100M000100Y43"),
        ("主要负责人", "王建国"),
        ("经营场所", "天津市西青区杨柳青镇柳霞路18号"),
        ("仓库地址", "天津市西青区杨柳青镇柳霞路18号库区"),
        ("许可范围", "礼花类、组合烟花类、喷花类、旋转类、吐珠类"),
    ],
    "special-operations": [
        ("身份证号码", "11010519491231002X"),
        ("用人单位", "天津市恒安化工贸易有限公司"),
        ("作业类别", "危险化学品安全作业"),
        ("准操项目", "氯化工艺作业"),
    ],
}
TEMPLATES = sorted(ENTERPRISE_FIELDS)
TITLES = {
    "hazchem-trading": "危险化学品经营许可证",
    "hazchem-production-safety": "危险化学品安全生产许可证",
    "fireworks-wholesale": "烟花爆竹经营(批发)许可证",
    "special-operations": "特种作业操作证",
}


def licence(template: str = "hazchem-trading", **changes: object) -> LicenceDocument:
    """The certificate of permit type ``template`` in its catalogue layout and holder label."""
    permit_type = get_permit_type(template)
    assert permit_type is not None
    person = template == "special-operations"
    number = f"津安经〔2026〕{TEMPLATES.index(template) + 1:06d}"
    document = LicenceDocument(
        template=permit_type.licence_template,
        title=TITLES[template],
        holder_label=permit_type.holder_label,
        number=number,
        identifier="1.2.156.3005.2.11100000000013338W011.11120000MB1234567X.000123.001.K",
        holder_name="李明" if person else "天津市恒安化工贸易有限公司",
        fields=ENTERPRISE_FIELDS[template],
        valid_from=date(2026, 11, 23),
        valid_until=date(2029, 11, 22),
        issued_on=date(2026, 11, 23),
        issuer_name="天津市应急管理局",
        verification_url=f"http://testserver/api/v1/verify/{number}?code=7K3Q9X2M",
        check_code="7K3Q9X2M",
    )
    return dataclasses.replace(document, **changes)


def label(**changes: object) -> LabelDocument:
    document = LabelDocument(
        sender_name="天津市应急管理局",
        sender_address="天津市河西区友谊路20号政务服务中心应急管理窗口",
        sender_phone="12350",
        recipient="张伟",
        phone_masked="138****5678",
        address="天津市滨海新区经济技术开发区第三大街51号2号楼301室",
        carrier="顺丰速运",
        tracking_no="SF1234567890123",
        reference="ZV2026-120116-000042",
    )
    return dataclasses.replace(document, **changes)


def page_text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    return reader.pages[0].extract_text()


def page_size(pdf: bytes) -> tuple[float, float]:
    box = PdfReader(io.BytesIO(pdf)).pages[0].mediabox
    return float(box.width), float(box.height)


def font_names(pdf: bytes) -> set[str]:
    fonts = PdfReader(io.BytesIO(pdf)).pages[0]["/Resources"]["/Font"]
    return {str(font.get_object()["/BaseFont"]).lstrip("/") for font in fonts.values()}


def raster(pdf: bytes, tmp_path: Path, dpi: int) -> Path:
    source = tmp_path / "page.pdf"
    source.write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-r", str(dpi), "-png", "-singlefile", source, tmp_path / "page"],
        check=True,
        capture_output=True,
    )
    return tmp_path / "page.png"


def scanned_codes(pdf: bytes, tmp_path: Path) -> list[str]:
    """Every barcode zbarimg reads on page 1 rendered at 200 dpi, as ``TYPE:data``."""
    result = subprocess.run(
        ["zbarimg", "-q", raster(pdf, tmp_path, 200)], capture_output=True, text=True
    )
    return result.stdout.splitlines()


@pytest.fixture
def builtin_font() -> Typeface:
    """The built-in CID font alone, for measuring text."""
    return select_typeface(BUILTIN_CJK_FONT)


@pytest.fixture
def without_cjk_font() -> Typeface:
    """The typeface of a machine where no CJK TrueType font is installed."""
    return select_typeface("/nonexistent/font.ttf")


@pytest.fixture(params=sorted(FONT_SITUATIONS))
def typeface(request: pytest.FixtureRequest) -> Typeface:
    """Each font situation in turn; one whose font file is not installed here is skipped."""
    font_path = FONT_SITUATIONS[request.param]
    absent = [path for path in font_path.split(":") if path.startswith("/usr/")]
    absent = [path for path in absent if not Path(path).is_file()]
    if absent:
        pytest.skip(f"font not installed here: {', '.join(absent)}")
    return select_typeface(font_path)


# --- layouts ----------------------------------------------------------------------------------


def test_every_permit_type_and_the_label_have_a_layout():
    catalogue_layouts = {permit.licence_template for permit in get_catalogue().values()}
    assert set(layout_names()) == {*catalogue_layouts, "label", "notice"}
    for name in layout_names():
        assert "page" in load_layout(name)


def test_types_that_look_alike_share_one_layout_and_print_their_own_holder_label():
    """Seven enterprise certificates are one layout; only the holder row's label differs,
    and it comes from the catalogue."""
    layouts = {code: permit.licence_template for code, permit in get_catalogue().items()}
    assert set(layouts.values()) == {"certificate", "person-card"}
    production = "".join(page_text(render_licence(licence("hazchem-production-safety"))).split())
    trading = "".join(page_text(render_licence(licence("hazchem-trading"))).split())
    assert "单位名称天津市恒安化工贸易有限公司" in production
    assert "企业名称天津市恒安化工贸易有限公司" in trading
    assert "企业名称" not in production


def test_load_layout_returns_a_copy_the_caller_may_change():
    load_layout("certificate")["title"]["size_pt"] = 99
    assert load_layout("certificate")["title"]["size_pt"] != 99


@pytest.mark.parametrize("name", ["no-such-permit", "../pyproject", "Hazchem-Trading", ""])
def test_unknown_layout_names_are_refused_clearly(name):
    with pytest.raises(UnknownLayoutError, match="没有名为"):
        load_layout(name)


def test_rendering_with_an_unknown_template_fails_clearly():
    with pytest.raises(UnknownLayoutError):
        render_licence(dataclasses.replace(licence(), template="taxi-licence"))


# --- certificates -------------------------------------------------------------------------------


@pytest.mark.parametrize("template", TEMPLATES)
def test_each_certificate_is_an_a4_page_showing_the_particulars(template, typeface):
    document = licence(template)
    pdf = render_licence(document, typeface=typeface)
    assert page_size(pdf) == pytest.approx(A4_POINTS, abs=0.5)
    text = page_text(pdf)
    flat = "".join(text.split())  # a long value may wrap inside its cell
    assert document.title in text
    assert document.holder_label + document.holder_name in flat
    assert f"编号：{document.number}" in text
    assert document.identifier in text
    for label_text, value in document.fields:
        assert "".join(value.split()) in flat
        assert label_text.split("（")[0] in flat
    assert "有效期：2026年11月23日至2029年11月22日" in text
    assert "发证机关：天津市应急管理局" in text
    assert "发证日期：2026年11月23日" in text
    assert "扫码核验 校验码：7K3Q9X2M" in text


def test_a_changed_licence_shows_its_change_note(typeface):
    plain = page_text(render_licence(licence(), typeface=typeface))
    changed = licence(change_note="2026年11月20日变更：企业名称")
    text = page_text(render_licence(changed, typeface=typeface)).replace("\n", "")
    assert "变更情况" not in plain
    assert "有效期延续/变更情况：2026年11月20日变更：企业名称" in text


def test_rendering_is_deterministic():
    assert render_licence(licence()) == render_licence(licence())


def test_pdf_metadata_names_the_licence_and_issuer():
    document = licence()
    metadata = PdfReader(io.BytesIO(render_licence(document))).metadata
    assert metadata.title == f"危险化学品经营许可证 {document.number}"
    assert metadata.author == "天津市应急管理局"


def test_a_long_licensed_scope_is_set_smaller_but_kept_whole(typeface):
    scope = "、".join(f"化学品{index:03d}" for index in range(120))
    document = licence(fields=[("许可范围", scope)])
    text = page_text(render_licence(document, typeface=typeface)).replace("\n", "")
    assert "化学品000" in text and "化学品119" in text


def test_particulars_too_long_for_the_page_are_refused_with_a_chinese_message():
    scope = "甲" * 5000
    with pytest.raises(LayoutOverflowError, match="证照内容过长"):
        render_licence(licence(fields=[("许可范围", scope)]))


@needs_scanner
@pytest.mark.parametrize("template", TEMPLATES)
def test_the_qr_code_scans_to_the_verification_url(template, tmp_path):
    document = licence(template)
    assert scanned_codes(render_licence(document), tmp_path) == [
        f"QR-Code:{document.verification_url}"
    ]


@needs_scanner
def test_the_qr_code_is_25_mm_square_black_on_white(tmp_path):
    dpi = 200
    spec = load_layout("certificate")["qr"]
    image = Image.open(raster(render_licence(licence()), tmp_path, dpi)).convert("L")
    px = dpi / 25.4
    margin = 3
    box = [
        round((spec["x_mm"] - margin) * px),
        round((spec["y_mm"] - margin) * px),
        round((spec["x_mm"] + spec["size_mm"] + margin) * px),
        round((spec["y_mm"] + spec["size_mm"] + margin) * px),
    ]
    region = image.crop(box)
    dark = region.point(lambda value: 255 if value < 128 else 0).getbbox()
    assert dark is not None
    assert (dark[2] - dark[0]) / px == pytest.approx(25, abs=0.5)
    assert (dark[3] - dark[1]) / px == pytest.approx(25, abs=0.5)
    assert set(region.getextrema()) == {0, 255}


@needs_scanner
def test_the_red_seal_is_stamped_over_the_issuer(tmp_path):
    dpi = 50
    spec = load_layout("certificate")["issuer"]
    image = Image.open(raster(render_licence(licence()), tmp_path, dpi)).convert("RGB")
    px = dpi / 25.4
    issuer_box = (
        round((spec["right_mm"] - 60) * px),
        round((spec["y_mm"] - 25) * px),
        round(spec["right_mm"] * px),
        round((spec["y_mm"] + 25) * px),
    )
    seal_red = seal_red_pixels(image.crop(issuer_box))
    above = seal_red_pixels(image.crop((0, 0, image.width, issuer_box[1])))
    assert seal_red > 200
    assert above == 0  # the title and frame use a darker red


def seal_red_pixels(image: Image.Image) -> int:
    return sum(1 for r, g, b in image.get_flattened_data() if r > 190 and g < 70 and b < 70)


# --- fonts --------------------------------------------------------------------------------------


def test_every_number_and_date_shows_whatever_the_fonts(typeface):
    """The strings DroidSansFallbackFull alone would print blank: digits and Latin letters."""
    document = licence()
    text = page_text(render_licence(document, typeface=typeface))
    for value in (
        document.number,
        "91350100M000100Y43",
        document.identifier,
        "2026年11月23日至2029年11月22日",
        "校验码：7K3Q9X2M",
    ):
        assert value in text


def test_a_font_without_digits_gets_them_from_another_font(caplog):
    if not (Path(DROID).is_file() and Path(DEJAVU).is_file()):
        pytest.skip("DroidSansFallbackFull or DejaVu Sans is not installed here")
    with caplog.at_level("WARNING"):
        typeface = select_typeface(f"{DROID}:{DEJAVU}:/tmp/zv-unique-{id(caplog)}.ttf")
    assert typeface.font_for("中") == typeface.primary
    assert typeface.font_for("7") != typeface.primary
    assert typeface.font_for("7") != BUILTIN_CJK_FONT
    assert typeface.names[-1] == BUILTIN_CJK_FONT
    assert "has no glyphs for" in caplog.text and "DejaVuSans" in caplog.text
    fonts = font_names(render_licence(licence(), typeface=typeface))
    assert len([name for name in fonts if "+" in name]) == 2  # both subset-embedded


def test_without_a_cjk_font_the_builtin_cid_font_is_used_and_text_still_extracts(
    without_cjk_font,
):
    document = licence("special-operations")
    pdf = render_licence(document, typeface=without_cjk_font)
    text = page_text(pdf)
    assert document.holder_name in text and document.number in text
    assert font_names(pdf) == {BUILTIN_CJK_FONT}


@pytest.mark.skipif(not Path(WQY).is_file(), reason="fonts-wqy-zenhei is not installed here")
def test_a_complete_cjk_font_is_embedded_alone_as_a_subset():
    pdf = render_licence(licence(), typeface=select_typeface(WQY))
    (name,) = font_names(pdf)
    assert "+" in name, "expected a subset-embedded TrueType font (name like ABCDEF+…)"


def test_a_configured_file_that_is_not_a_font_falls_back_to_the_builtin_font(tmp_path, caplog):
    junk = tmp_path / "broken.ttf"
    junk.write_bytes(b"not a font at all")
    document = licence()
    pdf = render_licence(document, typeface=select_typeface(str(junk)))
    assert font_names(pdf) == {BUILTIN_CJK_FONT}
    assert document.holder_name in page_text(pdf)
    assert "unusable" in caplog.text
    assert "using the built-in STSong-Light" in caplog.text


def test_a_font_without_chinese_is_not_used_for_chinese(caplog):
    if not Path(DEJAVU).is_file():
        pytest.skip("DejaVu Sans is not installed here")
    assert find_cjk_font(DEJAVU) is None
    assert select_typeface(DEJAVU).names == (BUILTIN_CJK_FONT,)


def test_find_cjk_font_takes_the_first_file_of_the_path_that_has_chinese():
    if not (Path(DROID).is_file() and Path(WQY).is_file()):
        pytest.skip("DroidSansFallbackFull or wqy-zenhei is not installed here")
    assert find_cjk_font(f"/missing.ttf:{DEJAVU}:{DROID}:{WQY}") == DROID
    assert find_cjk_font("/missing.ttf") is None
    assert find_cjk_font(BUILTIN_CJK_FONT) is None


# --- text wrapping -------------------------------------------------------------------------------


def test_wrapped_lines_fit_and_closing_punctuation_never_starts_a_line(builtin_font):
    text = "硫酸、盐酸、氢氧化钠、甲醇、乙醇、丙酮、甲苯、二甲苯、乙酸乙酯。正己烷，石油醚"
    lines = wrap_text(text, builtin_font, 12, 80)
    assert "".join(lines) == text
    assert len(lines) > 2
    assert not any(line[0] in "、，。" for line in lines[1:])
    for line in lines:
        assert builtin_font.width(line.rstrip("、，。"), 12) <= 80


def test_a_bracketed_aside_moves_to_the_next_line_whole(builtin_font):
    lines = wrap_text("法定代表人（主要负责人）", builtin_font, 13, 110)
    assert lines == ["法定代表人", "（主要负责人）"]


def test_an_aside_longer_than_a_line_starts_a_new_line_and_breaks_inside(builtin_font):
    text = "许可范围（" + "甲" * 30 + "）"
    lines = wrap_text(text, builtin_font, 10, 100)
    assert lines[0] == "许可范围"
    assert "".join(lines) == text and len(lines) == 5


def test_newlines_are_kept(builtin_font):
    assert wrap_text("第一行\n第二行", builtin_font, 12, 500) == ["第一行", "第二行"]


def test_the_seal_star_has_five_points_and_five_inner_corners():
    points = star_points((0.0, 0.0), 10.0)
    radii = [round((x * x + y * y) ** 0.5, 6) for x, y in points]
    assert radii[0::2] == [10.0] * 5
    assert len(set(radii[1::2])) == 1 and radii[1] == pytest.approx(3.8197, abs=1e-3)
    assert points[0] == pytest.approx((0.0, 10.0))


# --- mailing label --------------------------------------------------------------------------------


def test_the_label_is_100_by_150_mm_and_shows_both_parties(typeface):
    document = label()
    pdf = render_label(document, typeface=typeface)
    assert page_size(pdf) == pytest.approx(LABEL_POINTS, abs=0.5)
    text = page_text(pdf)
    for value in (
        document.tracking_no,
        document.recipient,
        document.phone_masked,
        document.carrier,
        document.sender_name,
        f"申请编号：{document.reference}",
    ):
        assert value in text
    assert "天津市滨海新区经济技术开发区" in text.replace("\n", "")


@needs_scanner
@pytest.mark.parametrize("tracking_no", ["SF1234567890123", "YT7788990011223344556677ABCDEF"])
def test_the_label_barcode_scans_to_the_tracking_number(tracking_no, tmp_path):
    pdf = render_label(label(tracking_no=tracking_no))
    assert scanned_codes(pdf, tmp_path) == [f"CODE-128:{tracking_no}"]


def test_an_address_too_long_for_the_label_is_refused_with_a_chinese_message():
    with pytest.raises(LayoutOverflowError, match="地址过长"):
        render_label(label(address="天津市滨海新区" * 80))


def test_label_rendering_works_without_a_cjk_font(without_cjk_font):
    text = page_text(render_label(label(), typeface=without_cjk_font))
    assert "张伟" in text and "SF1234567890123" in text
