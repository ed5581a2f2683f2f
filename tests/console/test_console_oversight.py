"""The chief's console pages: 差评整改 and the staff workload."""

from __future__ import annotations

import pytest

from app.extensions import db
from app.models import Enterprise, User
from tests.console.conftest import csrf_of


@pytest.fixture
def bad_rating(client, make):
    owner = make.applicant()
    case = make.case_in_state(make.enterprise(owner), "delivered", owner)
    response = client.post(
        f"/api/v1/applications/{case.id}/rating",
        json={"score": 1, "comment": "电话一直打不通"},
        headers=make.headers(owner),
    )
    assert response.status_code == 201
    return case


def act(browser, case_id: int, action: str, comment: str = ""):
    token = csrf_of(browser, "/console/rating-cases")
    return browser.post(
        f"/console/rating-cases/{case_id}/actions",
        data={"action": action, "comment": comment, "csrf_token": token},
    )


def test_the_chief_follows_a_bad_rating_up_in_the_console(make, login, bad_rating):
    chief = login(make.staff("chief", "120000"))
    page = chief.get("/console/rating-cases").get_data(as_text=True)
    assert bad_rating.number in page and "电话一直打不通" in page and "待回访" in page
    case_id = int(page.split("/console/rating-cases/")[1].split("/")[0])
    assert act(chief, case_id, "contact").status_code == 302
    missing = act(chief, case_id, "rectify")
    assert missing.status_code == 422 and "整改须填写说明" in missing.get_data(as_text=True)
    assert act(chief, case_id, "rectify", "已开通专线电话").status_code == 302
    done = chief.get("/console/rating-cases?status=rectified").get_data(as_text=True)
    assert "已整改" in done and "已开通专线电话" in done
    assert act(chief, case_id, "rectify", "再次").status_code == 409

    elsewhere = login(make.staff("chief", "320000"))
    assert bad_rating.number not in elsewhere.get("/console/rating-cases").get_data(as_text=True)
    assert act(elsewhere, case_id, "appeal", "恶意").status_code == 404
    reviewer = login(make.staff("reviewer", "120000"))
    assert reviewer.get("/console/rating-cases").status_code == 403


def test_the_workload_page_lists_the_regions_staff(make, login):
    make.staff("reviewer", "120000", username="wang-reviewer")
    make.staff("reviewer", "320000", username="far-reviewer")
    chief = login(make.staff("chief", "120000"))
    page = chief.get("/console/workload?from=2026-11-01&to=2026-11-30").get_data(as_text=True)
    assert "wang-reviewer" in page and "far-reviewer" not in page
    assert "2026-11-01 至 2026-11-30" in page
    assert login(make.staff("clerk", "120000")).get("/console/workload").status_code == 403


def test_the_chief_checks_a_three_level_case_on_its_page(client, make, login, office):
    firm = db.session.get(Enterprise, office.enterprise_id)
    owner = db.session.get(User, firm.manager_id)
    case = make.case_in_state(
        firm,
        "pending_check",
        owner,
        permit_type="hazchem-production-safety",
        recommendation="approve",
    )
    chief = login(make.staff("chief", "120000"))
    page = f"/console/cases/{case.id}"
    html = chief.get(page).get_data(as_text=True)
    assert "待审核" in html and "审核意见" in html
    response = chief.post(
        f"{page}/actions",
        data={
            "csrf_token": csrf_of(chief, page),
            "action": "check",
            "version": case.version,
            "opinion": "agree",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    view = client.get(f"/api/v1/applications/{case.id}", headers=office.applicant).get_json()
    assert view["state"] == "pending_decision"
