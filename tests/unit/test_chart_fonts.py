"""The monthly statistics chart draws on any machine, whatever Chinese fonts it has."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.jobs.stats import MonthFigures, draw_monthly_chart

WQY = "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"
DROID = "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf"
ROWS = [
    MonthFigures("2026-09", 12, 9, 0.89, 1.0),
    MonthFigures("2026-10", 15, 14, None, 0.75),
    MonthFigures("2026-11", 7, 3, 1.0, None),
]


@pytest.mark.parametrize(
    "font_path", [WQY, DROID, "/nonexistent/font.ttf"], ids=["wqy", "droid", "none"]
)
def test_the_chart_is_drawn_with_any_fonts(font_path, tmp_path, caplog):
    if font_path.startswith("/usr/") and not Path(font_path).is_file():
        pytest.skip(f"font not installed here: {font_path}")
    out = tmp_path / "chart.png"
    draw_monthly_chart(ROWS, "天津市行政许可办理情况（近3个月）", out, font_path)
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    blank_labels = "Chinese labels are blank" in caplog.text
    assert blank_labels == font_path.startswith("/nonexistent")
