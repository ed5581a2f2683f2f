"""Swagger UI at /api/docs can upload a material with "Try it out" (Debian's chromium).

The app is served on a free local port by a werkzeug thread; Playwright drives the
system's chromium (never a downloaded browser). Skips when either is missing.
"""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server

from app.extensions import db
from app.models import Document

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
TIMEOUT_MS = 15_000


@pytest.fixture
def base_url(app) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)
        server.server_close()


@pytest.fixture
def chromium():
    if CHROMIUM is None:
        pytest.skip("chromium is not installed (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield browser
        finally:
            browser.close()


def test_swagger_ui_uploads_a_material(
    client, make, office, chromium, base_url, tmp_path, frozen_now
):
    view = make.create_application(client, office.applicant, office.enterprise_id)
    material = view["materials"][0]["code"]
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(make.pdf_bytes(material))
    token = office.applicant["Authorization"].removeprefix("Bearer ")

    page = chromium.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(f"{base_url}/api/docs")
    page.click("button.authorize")
    page.fill(".auth-container input", token)
    page.click(".auth-btn-wrapper button.authorize")
    page.click("button.btn-done")

    operation = page.locator("#operations-documents-uploadDocument")
    operation.locator(".opblock-summary").click()
    operation.locator("button.try-out__btn").click()
    operation.locator("input[placeholder='application_id']").fill(str(view["id"]))
    operation.locator("input[placeholder='material']").fill(material)
    operation.locator("input[type='file']").set_input_files(str(scan))
    operation.locator("button.execute").click()

    status = operation.locator(".live-responses-table tr.response .response-col_status").first
    status.wait_for()
    assert status.inner_text().strip().startswith("201")
    assert '"sha256"' in operation.locator(".live-responses-table .microlight").first.inner_text()
    page.close()

    db.session.expire_all()
    stored = db.session.scalars(select(Document).where(Document.application_id == view["id"])).all()
    assert [(d.material_code, d.filename) for d in stored] == [(material, "scan.pdf")]
