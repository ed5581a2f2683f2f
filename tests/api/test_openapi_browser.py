"""Swagger UI at /api/docs can upload a material with "Try it out" (Debian's chromium).

The app is served by the shared ``live_server``; ``browser`` is the system's chromium driven
by Playwright (tests/conftest.py). Skips when either is missing.
"""

from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.models import Document

TIMEOUT_MS = 15_000


def test_swagger_ui_uploads_a_material(
    client, make, office, browser, live_server, tmp_path, frozen_now
):
    view = make.create_application(client, office.applicant, office.enterprise_id)
    material = view["materials"][0]["code"]
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(make.pdf_bytes(material))
    token = office.applicant["Authorization"].removeprefix("Bearer ")

    page = browser.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(f"{live_server}/api/docs")
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
