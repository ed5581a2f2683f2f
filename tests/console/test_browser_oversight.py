"""Oversight in a real browser: a chief follows a bad rating up and reads the workload.

Screenshots of the new pages go to docs/console/ (with UPDATE_DOCS_SCREENSHOTS=1).
"""

from __future__ import annotations

from tests.console.test_browser_walkthrough import Desk


def test_a_chief_follows_a_bad_rating_up_and_reads_the_workload(
    client,
    make,
    live_server,
    browser,
):
    owner = make.applicant()
    case = make.case_in_state(make.enterprise(owner), "delivered", owner)
    rated = client.post(
        f"/api/v1/applications/{case.id}/rating",
        json={"score": 1, "comment": "现场核查预约等了两周"},
        headers=make.headers(owner),
    )
    assert rated.status_code == 201
    make.staff(["reviewer"], "120000", username="reviewer-wang")
    make.staff(["chief"], "120000", username="chief")

    chief = Desk(browser, live_server, "chief")
    page = chief.page
    page.get_by_role("link", name="差评整改").click()
    page.wait_for_url("**/console/rating-cases")
    assert "现场核查预约等了两周" in page.inner_text("main")
    chief.shot("rating-cases")
    with page.expect_navigation():
        page.get_by_role("button", name="回访", exact=True).click()
    page.get_by_label("整改说明（必填）").fill("已开放线上预约，三个工作日内安排核查")
    with page.expect_navigation():
        page.get_by_role("button", name="整改", exact=True).click()
    main = page.inner_text("main")
    assert "已整改" in main and "已开放线上预约" in main
    assert page.locator("[role=alert]").count() == 0

    page.get_by_role("link", name="工作量").click()
    page.wait_for_url("**/console/workload")
    assert "reviewer-wang" in page.inner_text("main")
    chief.shot("workload")
    chief.close()
