"""The written-notice page the statutory notices are built on."""

from __future__ import annotations

import dataclasses
import io
from datetime import date

import pytest
from pypdf import PdfReader

from pdf_templates import load_layout
from pdf_templates.render import LayoutOverflowError, NoticeDocument, render_notice
from pdf_templates.render.fonts import select_typeface


def notice(**changes: object) -> NoticeDocument:
    document = NoticeDocument(
        title="补正材料通知书",
        number="津应急补〔2026〕000017号",
        recipient="天津市恒安化工贸易有限公司：",
        paragraphs=[
            "你单位于2026年11月20日提交的危险化学品经营许可证申请（申请编号ZV2026-120116-000042）"
            "材料不齐全，请于收到本通知之日起补正下列材料：",
        ],
        table_header=("序号", "材料名称", "补正要求"),
        table_rows=[
            ("1", "营业执照", "副本复印件加盖公章"),
            ("2", "储存设施安全评价报告", "报告须由具备资质的机构出具，并附评价人员名单"),
        ],
        column_widths=(1, 4, 6),
        closing=["补正材料齐全后，本机关将依法受理。"],
        issuer_name="天津市应急管理局",
        issued_on=date(2026, 11, 23),
        footer="联系电话：12350",
    )
    return dataclasses.replace(document, **changes)


def text_of(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    return "".join(reader.pages[0].extract_text().split())


def test_a_notice_shows_title_number_recipient_paragraphs_table_issuer_and_date():
    document = notice()
    text = text_of(render_notice(document))
    for expected in (
        "补正材料通知书",
        "津应急补〔2026〕000017号",
        "天津市恒安化工贸易有限公司：",
        "ZV2026-120116-000042",
        "序号",
        "储存设施安全评价报告",
        "报告须由具备资质的机构出具",
        "补正材料齐全后，本机关将依法受理。",
        "天津市应急管理局",
        "2026年11月23日",
        "联系电话：12350",
    ):
        assert expected in text


def test_a_notice_without_a_table_or_footer_renders_too():
    pdf = render_notice(notice(table_header=(), table_rows=(), column_widths=(), footer=None))
    assert "本机关将依法受理" in text_of(pdf)


def test_a_notice_is_a4_and_deterministic():
    pdf = render_notice(notice())
    box = PdfReader(io.BytesIO(pdf)).pages[0].mediabox
    assert (float(box.width), float(box.height)) == pytest.approx((595.28, 841.89), abs=0.5)
    assert render_notice(notice()) == pdf


def test_a_notice_reads_right_without_a_cjk_truetype_font():
    typeface = select_typeface("/nonexistent/font.ttf")
    text = text_of(render_notice(notice(), typeface=typeface))
    assert "津应急补〔2026〕000017号" in text and "2026年11月23日" in text


def test_a_notice_too_long_for_one_page_is_refused_in_chinese():
    with pytest.raises(LayoutOverflowError, match="通知内容过长"):
        render_notice(notice(paragraphs=["甲" * 6000]))


def test_a_table_with_rows_of_different_lengths_is_a_programming_error():
    with pytest.raises(ValueError, match="columns"):
        render_notice(notice(table_rows=[("1", "营业执照")]))


def test_the_notice_layout_ships_with_the_package():
    assert load_layout("notice")["page"] == {"width_mm": 210, "height_mm": 297}
