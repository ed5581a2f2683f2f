"""承办 in a real browser: a chief assigns the case, the assignee names a deputy, the deputy
reviews it on the assignee's behalf, the chief urges and the assignee sees the alert, the
approver returns the case for review with a reason, the deputy sees it back and recommends
again, the approver approves; bulk assignment from the queue and the admin's assignment mode.

Screenshots of the new pages go to docs/console/ (with UPDATE_DOCS_SCREENSHOTS=1).
"""

from __future__ import annotations

from datetime import timedelta

import requests

from app import timekeeping
from app.jobs import outbox_delivery
from tests.console.test_browser_walkthrough import Desk, _submit_over_api


def _assign_form(desk: Desk):
    return desk.page.locator("form.action", has_text="指定承办人")


def test_assign_deputy_urge_and_approve_in_the_console(app, make, live_server, browser):
    for role in ("clerk", "inspector", "approver"):
        make.staff([role], "120000", username=role)
    make.staff(["chief"], "120000", username="chief")
    absent = make.staff(["reviewer"], "120000", username="reviewer-a")
    make.staff(["reviewer"], "120000", username="reviewer-b")
    make.staff(["admin"], "120000", username="head")
    view, applicant = _submit_over_api(live_server)
    case_id = view["id"]

    clerk = Desk(browser, live_server, "clerk")
    clerk.open_case(case_id)
    clerk.act("受理")
    clerk.close()

    chief = Desk(browser, live_server, "chief")
    chief.page.goto(f"{live_server}/console/cases/{case_id}")
    form = _assign_form(chief)
    form.get_by_label("承办人").select_option(label="reviewer-a")
    with chief.page.expect_navigation():
        form.get_by_role("button", name="指定").click()
    assert "承办人：reviewer-a" in chief.page.inner_text("#h-owner + p")
    chief.page.get_by_label("写内部意见（申请人看不到）").fill("储存设施需重点核查。")
    with chief.page.expect_navigation():
        chief.page.get_by_role("button", name="保存意见").click()
    chief.shot("case-owner-and-notes")

    owner = Desk(browser, live_server, "reviewer-a")
    owner.page.goto(f"{live_server}/console/deputies")
    today = timekeeping.today()
    owner.page.get_by_label("代理人").select_option(label="reviewer-b")
    owner.page.get_by_label("开始日期").fill(today.isoformat())
    owner.page.get_by_label("结束日期").fill((today + timedelta(days=3)).isoformat())
    with owner.page.expect_navigation():
        owner.page.get_by_role("button", name="保存").click()
    assert "代理中" in owner.page.inner_text("main")
    owner.shot("deputies")

    deputy = Desk(browser, live_server, "reviewer-b")
    deputy.page.goto(f"{live_server}/console/queue?assignee=me")
    deputy.shot("queue-mine")
    deputy.page.locator(f"a[href='/console/cases/{case_id}']").click()
    deputy.page.wait_for_url(f"**/console/cases/{case_id}")
    deputy.act("开始审查")
    for material in (m for m in view["materials"] if m["documents"]):
        form = deputy.page.locator(f"#m-{material['code']} form.verify")
        form.get_by_label("符合", exact=True).check()
        with deputy.page.expect_navigation():
            form.get_by_role("button", name="保存核验结论").click()
    form = deputy.page.locator("form.action", has_text="安排现场核查")
    form.locator("input[type=date]").fill("2026-11-26")
    deputy.act("安排现场核查")

    inspector = Desk(browser, live_server, "inspector")
    inspector.open_case(case_id)
    inspector.page.locator("form.action").get_by_label("合格", exact=True).check()
    inspector.page.locator("form.action textarea").fill("现场核查：储存设施与申报一致。")
    inspector.act("录入核查结果")
    inspector.close()

    chief.page.goto(f"{live_server}/console/cases/{case_id}")
    chief.page.get_by_label("催办说明").fill("请于本周内提出审查意见。")
    with chief.page.expect_navigation():
        chief.page.get_by_role("button", name="催办承办人").click()
    outbox_delivery.drain()
    owner.page.goto(f"{live_server}/console/alerts")
    assert "催办" in owner.page.inner_text("main")
    assert owner.page.locator("nav .badge").count() == 1
    owner.shot("alerts")
    owner.close()

    deputy.open_case(case_id)
    deputy.page.get_by_label("建议准予许可").check()
    deputy.act("提出审查意见")
    deputy.shot("case-deputy-timeline")

    # The approver wants another look: back to review with a reason, not a denial.
    approver = Desk(browser, live_server, "approver")
    approver.open_case(case_id)
    returned = approver.page.locator("form.action", has_text="退回审查")
    returned.get_by_label("理由").fill("请补充核对储存设施的消防验收意见。")
    approver.act("退回审查")
    assert "审查中" in approver.page.inner_text("h1")

    outbox_delivery.drain()
    deputy.page.goto(f"{live_server}/console/alerts")
    alert = deputy.page.locator("tbody tr", has_text="申请退回审查")
    assert "请补充核对储存设施的消防验收意见。" in alert.inner_text()
    alert.get_by_role("link", name="查看案件").click()
    deputy.page.wait_for_url(f"**/console/cases/{case_id}")
    assert "审查中" in deputy.page.inner_text("h1")
    last_step = deputy.page.locator("table.timeline tbody tr").last.inner_text()
    assert "退回审查" in last_step and "请补充核对储存设施的消防验收意见。" in last_step
    deputy.shot("case-returned-for-review")
    deputy.page.get_by_label("建议准予许可").check()
    deputy.act("提出审查意见")
    deputy.close()

    approver.open_case(case_id)
    approver.act("准予许可")
    approver.close()

    timeline = requests.get(
        f"{live_server}/api/v1/applications/{case_id}/timeline",
        headers=make.headers(absent),
        timeout=10,
    ).json()["items"]
    by_deputy = [e for e in timeline if e["actor"] == "reviewer-b"]
    assert by_deputy and all(e["on_behalf_of"]["name"] == "reviewer-a" for e in by_deputy)
    steps = ("assign", "urge", "recommend", "return_for_review", "approve")
    assert [e["action"] for e in timeline if e["action"] in steps] == [
        "assign",
        "urge",
        "recommend",
        "return_for_review",
        "recommend",
        "approve",
    ]
    seen = requests.get(
        f"{live_server}/api/v1/applications/{case_id}/timeline", headers=applicant, timeout=10
    ).json()["items"]
    assert not {"assign", "urge"} & {e["action"] for e in seen}

    # Bulk assignment from the queue, and the admin's assignment mode.
    firm = make.enterprise(make.applicant())
    for _ in range(2):
        make.case_in_state(firm, "under_review", absent)
    chief.page.goto(f"{live_server}/console/queue?assignee=none")
    for box in chief.page.locator("input[name=ids]").all():
        box.check()
    chief.page.get_by_label("承办人", exact=True).last.select_option(label="reviewer-b")
    chief.shot("queue-bulk")
    with chief.page.expect_navigation():
        chief.page.get_by_role("button", name="执行").click()
    assert "成功 2 件" in chief.page.inner_text("main")
    chief.shot("bulk-result")
    chief.close()

    head = Desk(browser, live_server, "head")
    head.page.goto(f"{live_server}/console/admin/assignment")
    head.page.get_by_label("方式").select_option(label="自动均衡")
    with head.page.expect_navigation():
        head.page.get_by_role("button", name="保存").click()
    assert "自动均衡" in head.page.inner_text("table")
    head.shot("admin-assignment")
    head.close()
