"""A licence's PDF as the office produces it: readable whatever fonts the machine has."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from pypdf import PdfReader

from app.services.licence_documents import licence_pdf

WQY = "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"
DROID = "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf"
# PDF_FONT_PATH for each font situation (a search path of font files).
FONT_SITUATIONS = {
    "wqy-zenhei": WQY,
    "droid-only": DROID,
    "no-cjk-truetype": "/nonexistent/font.ttf",
}


@pytest.mark.parametrize("situation", sorted(FONT_SITUATIONS))
def test_the_licence_pdf_shows_number_credit_code_and_dates_with_any_fonts(app, make, situation):
    font_path = FONT_SITUATIONS[situation]
    if font_path.startswith("/usr/") and not Path(font_path).is_file():
        pytest.skip(f"font not installed here: {font_path}")
    app.config["PDF_FONT_PATH"] = font_path
    enterprise = make.enterprise(make.applicant())
    licence = make.licence(enterprise, valid_from="2026-11-23", valid_until="2029-11-22")
    text = PdfReader(io.BytesIO(licence_pdf(licence))).pages[0].extract_text()
    assert licence.number in text
    assert enterprise.credit_code in text
    assert "2026年11月23日至2029年11月22日" in text
