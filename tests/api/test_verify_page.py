"""The public verification page: Chinese HTML for a browser, JSON for API clients."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest

from app.licences.documents import verification_url

BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
HAS_SCANNER = bool(shutil.which("pdftoppm") and shutil.which("zbarimg"))
SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "verify-page.png"

# The frozen office clock stands on 2026-11-23.
STATES = [
    ({"valid_from": "2024-02-01", "valid_until": "2028-01-31"}, "证照有效", "有效"),
    ({"valid_from": "2024-02-01", "valid_until": "2027-01-31"}, "即将到期", "即将到期"),
    ({"valid_from": "2026-12-01", "valid_until": "2029-11-30"}, "证照尚未生效", "未生效"),
    ({"valid_from": "2022-02-01", "valid_until": "2025-01-31"}, "证照已过期", "已过期"),
    ({"terminal_status": "revoked"}, "证照已吊销", "已吊销"),
    ({"terminal_status": "superseded"}, "证照已被替代", "已被替代"),
]


def page(client, url: str):
    parts = urlsplit(url)
    return client.get(f"{parts.path}?{parts.query}", headers={"Accept": BROWSER_ACCEPT})


def visible_text(html: str) -> str:
    text = re.sub(r"<[^>]+>", " ", re.sub(r"<style>.*?</style>", "", html, flags=re.S))
    return re.sub(r"\s+", " ", text)


@pytest.mark.parametrize(("overrides", "headline", "label"), STATES)
def test_a_browser_gets_a_chinese_page_for_each_state(
    frozen_now, client, make, overrides, headline, label
):
    firm = make.enterprise(make.applicant(), legal_representative="王建国")
    licence = make.licence(firm, **overrides)
    response = page(client, verification_url(licence))
    assert response.status_code == 200 and response.mimetype == "text/html"
    text = visible_text(response.get_data(as_text=True))
    assert headline in text and label in text
    for shown in (firm.name, licence.number, licence.issuer_name, "危险化学品经营许可证"):
        assert shown in text
    assert f"{licence.valid_from.isoformat()} 至 {licence.valid_until.isoformat()}" in text
    assert "王建国" not in text and firm.contact_phone not in text
    assert "http" not in response.get_data(as_text=True).split("<body>")[1]  # no external assets


def test_api_clients_still_get_json(frozen_now, client, make):
    licence = make.licence(make.enterprise(make.applicant()), valid_until="2028-01-31")
    parts = urlsplit(verification_url(licence))
    for accept in (None, "application/json", "*/*"):
        headers = {"Accept": accept} if accept else {}
        response = client.get(f"{parts.path}?{parts.query}", headers=headers)
        assert response.mimetype == "application/json"
        assert response.get_json()["status_label"] == "有效"
        assert "Accept" in response.headers["Vary"]


def test_a_wrong_code_looks_exactly_like_an_unknown_number(frozen_now, client, make):
    licence = make.licence(make.enterprise(make.applicant()))
    wrong = f"/api/v1/verify/{quote(licence.number, safe='')}?code=WRONG1"
    unknown = "/api/v1/verify/%E6%B4%A5NOPE?code=WRONG1"
    html = [client.get(u, headers={"Accept": BROWSER_ACCEPT}) for u in (wrong, unknown)]
    assert html[0].get_data() == html[1].get_data()
    assert "未查询到该证照" in html[0].get_data(as_text=True)
    assert licence.number not in html[0].get_data(as_text=True)
    as_json = [client.get(u).get_json() for u in (wrong, unknown)]
    assert as_json[0] == dict(as_json[1], number=licence.number)


def test_a_persons_certificate_shows_only_the_surname(frozen_now, client, make):
    firm = make.enterprise(make.applicant())
    form = make.example_form("special-operations")
    licence = make.licence(firm, "special-operations", form=form)
    licence.holder = {
        **licence.holder,
        "person_name": "张三丰",
        "id_number": form.get("worker_id_number", ""),
    }
    from app.extensions import db

    db.session.commit()
    text = visible_text(page(client, verification_url(licence)).get_data(as_text=True))
    assert "张**" in text and "张三丰" not in text
    assert not form.get("worker_id_number") or form["worker_id_number"] not in text


def qr_url(pdf: bytes, tmp_path: Path) -> str:
    """The URL in the licence's QR code, read from page 1 rendered at 200 dpi."""
    source = tmp_path / "licence.pdf"
    source.write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-r", "200", "-png", "-singlefile", source, tmp_path / "page"], check=True
    )
    scanned = subprocess.run(
        ["zbarimg", "-q", "--raw", tmp_path / "page.png"], capture_output=True, text=True
    ).stdout.split()
    return next(code for code in scanned if "/api/v1/verify/" in code)


@pytest.mark.skipif(not HAS_SCANNER, reason="pdftoppm (poppler-utils) or zbarimg missing")
def test_chromium_opens_the_qr_code_and_shows_the_chinese_page(
    frozen_now, client, office, approved, live_server, browser, tmp_path
):
    licence = client.get(
        f"/api/v1/licences/{approved['issued_licence_id']}", headers=office.applicant
    ).get_json()
    pdf = client.get(f"/api/v1/licences/{licence['id']}/pdf", headers=office.applicant).data
    scanned = urlsplit(qr_url(pdf, tmp_path))
    assert scanned.geturl() == licence["verification_url"]
    url = f"{live_server}{scanned.path}?{scanned.query}"  # the same path, served for real
    phone = browser.new_page(viewport={"width": 390, "height": 780})
    phone.goto(url)
    dom = phone.content()
    assert "证照有效" in dom and licence["number"] in dom
    assert approved["enterprise"]["name"] in dom
    shot = tmp_path / "verify-page.png"
    phone.screenshot(path=str(shot))
    phone.close()
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    if os.environ.get("UPDATE_DOCS_SCREENSHOTS"):
        shutil.copyfile(shot, SCREENSHOT)  # refresh the picture in docs/
