"""The console in a real browser: one case from submission to delivery.

The applicant side uses the HTTP API (as the mini-program would); every staff step is taken
in headless Debian chromium through the console's pages. A screenshot of every page is
saved to docs/console/ so the documentation shows the console as it is.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import requests

from tests import factories

DOCS_SHOTS = Path(__file__).resolve().parents[2] / "docs" / "console"
# Every page is photographed on every run; the pictures replace docs/console/ only when asked
# (UPDATE_DOCS_SCREENSHOTS=1), so a test run leaves the work tree clean.
SHOTS = (
    DOCS_SHOTS
    if os.environ.get("UPDATE_DOCS_SCREENSHOTS")
    else Path(tempfile.gettempdir()) / "zerovisit-console-shots"
)
TIMEOUT_MS = 15_000


def _submit_over_api(base: str) -> tuple[dict, dict]:
    """The applicant logs in, registers the enterprise, fills, uploads and submits."""
    api = f"{base}/api/v1"
    token = requests.post(f"{api}/auth/wechat", json={"code": "console-walk"}, timeout=10)
    auth = {"Authorization": f"Bearer {token.json()['token']}"}
    firm = requests.post(
        f"{api}/enterprises",
        json={
            "name": "天津滨海化工贸易有限公司",
            "credit_code": factories.credit_code("120101", seed=4242),
            "legal_representative": "王五",
            "address": "天津市和平区南京路100号",
            "region_code": "120101",
            "contact_phone": "022-23456789",
        },
        headers=auth,
        timeout=10,
    )
    assert firm.status_code == 201, firm.text
    body = factories.application_body(firm.json()["id"])
    view = requests.post(f"{api}/applications", json=body, headers=auth, timeout=10).json()
    for index, material in enumerate(m for m in view["materials"] if m["required"]):
        content, name = (
            (factories.PNG_1PX, "photo.png") if index == 0 else (factories.pdf_bytes(), "scan.pdf")
        )
        uploaded = requests.post(
            f"{api}/applications/{view['id']}/documents",
            data={"material": material["code"]},
            files={"file": (name, content)},
            headers=auth,
            timeout=10,
        )
        assert uploaded.status_code == 201, uploaded.text
    view = requests.get(f"{api}/applications/{view['id']}", headers=auth, timeout=10).json()
    submitted = requests.post(
        f"{api}/applications/{view['id']}/actions",
        json={"action": "submit", "version": view["version"]},
        headers=auth,
        timeout=10,
    )
    assert submitted.status_code == 200, submitted.text
    return submitted.json(), auth


class Desk:
    """One staff member's browser tab."""

    def __init__(self, browser, base: str, username: str) -> None:
        self.context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
        self.page = self.context.new_page()
        self.page.set_default_timeout(TIMEOUT_MS)
        self.page.on("dialog", lambda dialog: dialog.accept())
        self.base = base
        self.page.goto(f"{base}/console/login")
        self.page.get_by_label("用户名").fill(username)
        self.page.get_by_label("密码").fill(factories.STAFF_PASSWORD)
        self.page.get_by_role("button", name="登录").click()
        self.page.wait_for_url("**/console/queue")

    def shot(self, name: str) -> None:
        SHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)

    def open_case(self, case_id: int) -> None:
        self.page.goto(f"{self.base}/console/queue")
        self.page.locator(f"a[href='/console/cases/{case_id}']").click()
        self.page.wait_for_url(f"**/console/cases/{case_id}")

    def act(self, label: str) -> None:
        with self.page.expect_navigation():
            self.page.locator("form.action").get_by_role("button", name=label, exact=True).click()
        assert self.page.locator("[role=alert]").count() == 0, self.page.inner_text("main")

    def close(self) -> None:
        self.context.close()


def test_a_case_walks_from_submission_to_delivery_in_the_console(
    app, make, live_server, browser, frozen_now
):
    for role in ("clerk", "reviewer", "inspector", "approver", "dispatcher"):
        make.staff([role], "120000", username=role)
    make.staff(["admin", "approver"], "120000", username="head")
    view, applicant = _submit_over_api(live_server)
    case_id = view["id"]

    login_page = browser.new_page()
    login_page.goto(f"{live_server}/console/login")
    SHOTS.mkdir(parents=True, exist_ok=True)
    login_page.screenshot(path=str(SHOTS / "login.png"))
    login_page.close()

    clerk = Desk(browser, live_server, "clerk")
    clerk.shot("queue")
    clerk.open_case(case_id)
    clerk.shot("case-submitted")
    clerk.act("受理")
    clerk.close()

    reviewer = Desk(browser, live_server, "reviewer")
    reviewer.open_case(case_id)
    reviewer.act("开始审查")
    for material in (m for m in view["materials"] if m["documents"]):
        form = reviewer.page.locator(f"#m-{material['code']} form.verify")
        # By keyboard, as a reviewer working through the materials would.
        form.get_by_label("符合", exact=True).focus()
        reviewer.page.keyboard.press("Space")
        form.get_by_role("button", name="保存核验结论").focus()
        with reviewer.page.expect_navigation():
            reviewer.page.keyboard.press("Enter")
    reviewer.shot("case-under-review")
    form = reviewer.page.locator("form.action", has_text="安排现场核查")
    form.locator("input[type=date]").fill("2026-11-26")
    reviewer.act("安排现场核查")

    inspector = Desk(browser, live_server, "inspector")
    inspector.open_case(case_id)
    inspector.page.locator("form.action").get_by_label("合格", exact=True).check()
    inspector.page.locator("form.action textarea").fill("现场核查：储存设施与申报一致。")
    inspector.shot("case-inspection")
    inspector.act("录入核查结果")
    inspector.close()

    reviewer.open_case(case_id)
    reviewer.page.get_by_label("建议准予许可").check()
    reviewer.act("提出审查意见")
    reviewer.close()

    approver = Desk(browser, live_server, "approver")
    approver.open_case(case_id)
    approver.shot("case-pending-decision")
    approver.act("准予许可")
    approver.close()

    dispatcher = Desk(browser, live_server, "dispatcher")
    dispatcher.page.goto(f"{live_server}/console/dispatch")
    row = dispatcher.page.locator("form.dispatch-row").first
    carrier = row.locator("[name=carrier]")
    if carrier.evaluate("e => e.tagName") == "SELECT":
        carrier.select_option(index=1)
    else:
        carrier.fill("sf")
    row.locator("[name=tracking_no]").fill("SF1234567890")
    dispatcher.shot("dispatch")
    with dispatcher.page.expect_navigation():
        row.get_by_role("button", name="寄出").click()
    dispatcher.shot("dispatch-in-transit")
    with dispatcher.page.expect_navigation():
        dispatcher.page.get_by_role("button", name="确认送达").click()
    dispatcher.page.goto(f"{live_server}/console/cases/{case_id}")
    dispatcher.shot("case-delivered")
    console_rows = dispatcher.page.locator("#h-timeline + .table-wrap tbody tr").count()
    dispatcher.close()

    final = requests.get(
        f"{live_server}/api/v1/applications/{case_id}", headers=applicant, timeout=10
    ).json()
    assert final["state"] == "delivered"
    timeline = requests.get(
        f"{live_server}/api/v1/applications/{case_id}/timeline", headers=applicant, timeout=10
    ).json()["items"]
    actions = [e["action"] for e in timeline]
    verified = sum(1 for m in view["materials"] if m["documents"])
    assert actions == [
        "create",
        "submit",
        "accept",
        "start_review",
        *["verify_material"] * verified,
        "schedule_inspection",
        "record_inspection",
        "recommend",
        "approve",
        "dispatch",
        "confirm_delivery",
    ]
    assert {e["actor"] for e in timeline} >= {
        "clerk",
        "reviewer",
        "inspector",
        "approver",
        "dispatcher",
    }
    assert console_rows == len(timeline)

    # An imported licence nearing its end, so the 到期提醒 page has something to show.
    holder = make.enterprise(None, region="120102", name="天津津南烟花爆竹批发有限公司")
    make.licence(holder, "fireworks-wholesale", valid_from="2024-01-10", valid_until="2027-01-09")
    head = Desk(browser, live_server, "head")
    for name, path in (
        ("cases", "/console/cases"),
        ("licences", "/console/licences"),
        ("expiring", "/console/expiring?days=120"),
        ("dashboard", "/console/dashboard"),
        ("admin-staff", "/console/admin/staff"),
        ("admin-catalogue", "/console/admin/catalogue"),
        ("admin-permit-type", "/console/admin/catalogue/hazchem-trading"),
        ("admin-holidays", "/console/admin/holidays"),
    ):
        head.page.goto(f"{live_server}{path}")
        head.shot(name)
    head.page.goto(f"{live_server}/console/licences/{final['issued_licence_id']}")
    head.shot("licence")
    head.page.set_viewport_size({"width": 820, "height": 1100})
    head.page.goto(f"{live_server}/console/cases/{case_id}")
    head.shot("case-tablet")
    head.close()
