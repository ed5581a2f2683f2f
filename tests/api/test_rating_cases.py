"""差评整改 (GB/T 39734): every bad rating is followed up in working days, the applicant is told
the outcome and may rate once more, and a malicious rating can be appealed."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from app.jobs import outbox_delivery
from app.jobs.daily_jobs import DAILY_JOBS
from app.models import RatingCase
from app.models.rating_case import RATING_CASE_ACTIONS
from app.services.rating_cases import STEPS


def shanghai_ten_am(day: str) -> datetime:
    return datetime.fromisoformat(f"{day}T02:00:00").replace(tzinfo=UTC)


@pytest.fixture
def people(make):
    """The applicant of a closed case, the city's chief and admin, and outsiders."""
    owner = make.applicant()
    case = make.case_in_state(make.enterprise(owner), "delivered", owner)
    return {
        "case_id": case.id,
        "applicant": make.headers(owner),
        "chief": make.headers(make.staff("chief", "120000")),
        "admin": make.headers(make.staff("admin", "120000")),
        "reviewer": make.headers(make.staff("reviewer", "120000")),
        "other_chief": make.headers(make.staff(["chief", "admin"], "320000")),
    }


def rate(client, people, score: int, comment: str = "办理太慢，电话没人接"):
    return client.post(
        f"/api/v1/applications/{people['case_id']}/rating",
        json={"score": score, "comment": comment},
        headers=people["applicant"],
    )


def cases(client, auth: dict, **query) -> list[dict]:
    response = client.get("/api/v1/rating-cases", headers=auth, query_string=query)
    assert response.status_code == 200, response.get_json()
    return response.get_json()["items"]


def act(client, auth: dict, case_id: int, action: str, comment: str = ""):
    return client.post(
        f"/api/v1/rating-cases/{case_id}/actions",
        json={"action": action, "comment": comment},
        headers=auth,
    )


def ok(response) -> dict:
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def inbox(client, auth: dict) -> list[dict]:
    outbox_delivery.drain()
    return client.get("/api/v1/notifications", headers=auth).get_json()["items"]


def test_a_one_star_rating_is_due_in_working_days_across_national_day(client, people, frozen_now):
    frozen_now(shanghai_ten_am("2026-09-30"))  # Oct 1–7 off, Saturday Oct 10 worked (调休)
    rated = rate(client, people, 1)
    assert rated.status_code == 201
    assert (rated.get_json()["score_label"], rated.get_json()["score"]) == ("非常不满意", 1)
    (item,) = cases(client, people["chief"])
    assert (item["status"], item["status_label"]) == ("open", "待回访")
    assert item["application_id"] == people["case_id"]
    assert item["contact_due"] == "2026-10-08"  # RATING_CONTACT_DAYS = 1
    assert item["rectify_due"] == "2026-10-13"  # RATING_RECTIFY_DAYS = 5: 8, 9, 10, 12, 13
    assert item["actions"] == ["contact", "appeal"]
    assert not item["overdue"]


def test_a_middling_rating_opens_nothing_and_a_case_is_rated_once(client, people):
    assert rate(client, people, 3, "").get_json()["score_label"] == "基本满意"
    assert cases(client, people["chief"]) == []
    again = rate(client, people, 1)
    assert again.status_code == 409
    assert again.get_json()["code"] == "ALREADY_RATED"


def test_rectified_the_applicant_is_told_and_may_rate_once_more(client, people):
    rate(client, people, 2, "补正通知看不懂")
    (item,) = cases(client, people["chief"])
    assert rate(client, people, 5).status_code == 409  # not before the office's answer
    assert act(client, people["chief"], item["id"], "rectify", "已改").status_code == 409
    ok(act(client, people["chief"], item["id"], "contact", "已电话回访"))
    assert act(client, people["chief"], item["id"], "rectify").status_code == 422
    done = ok(act(client, people["chief"], item["id"], "rectify", "补正通知已改写为逐项清单"))
    assert (done["status"], done["actions"]) == ("rectified", [])
    assert [h["action"] for h in done["history"]] == ["contact", "rectify"]
    told = [n for n in inbox(client, people["applicant"]) if n["topic"] == "rating_outcome"]
    assert len(told) == 1
    assert "补正通知已改写为逐项清单" in told[0]["body"] and "重新评价" in told[0]["body"]

    again = rate(client, people, 4, "改进很快")
    assert again.status_code == 201
    assert (again.get_json()["score"], again.get_json()["first_score"]) == (4, 2)
    assert again.get_json()["rerated"] is True
    third = rate(client, people, 5)
    assert third.status_code == 409 and third.get_json()["code"] == "ALREADY_RATED"


def test_an_upheld_appeal_takes_the_rating_out_of_the_satisfaction_rate(client, make, people):
    other_owner = make.applicant()
    other = make.case_in_state(make.enterprise(other_owner), "delivered", other_owner)
    client.post(
        f"/api/v1/applications/{other.id}/rating",
        json={"score": 5},
        headers=make.headers(other_owner),
    )
    rate(client, people, 1, "恶意差评")

    def figures() -> dict:
        return client.get("/api/v1/stats", headers=people["admin"]).get_json()

    before = figures()
    assert before["satisfaction_rate"] == 0.5
    assert before["ratings"] == {
        "by_score": {"5": 1, "4": 0, "3": 0, "2": 0, "1": 1},
        "bad": 1,
        "contacted_rate": 0.0,
        "rectified_rate": 0.0,
        "overdue": 0,
    }
    (item,) = cases(client, people["chief"])
    assert act(client, people["chief"], item["id"], "appeal").status_code == 422
    ok(act(client, people["chief"], item["id"], "appeal", "评价内容与办件无关，系恶意差评"))
    assert act(client, people["chief"], item["id"], "uphold_appeal").status_code == 403
    upheld = ok(act(client, people["admin"], item["id"], "uphold_appeal", "经核实属实"))
    assert upheld["status"] == "appeal_upheld"
    after = figures()
    assert after["satisfaction_rate"] == 1.0
    assert after["ratings"]["by_score"]["1"] == 0 and after["ratings"]["bad"] == 0
    told = [n for n in inbox(client, people["applicant"]) if n["topic"] == "rating_outcome"]
    assert len(told) == 1 and "不计入满意度" in told[0]["body"]
    assert rate(client, people, 5).status_code == 409  # no re-rating after an upheld appeal


def test_a_rejected_appeal_goes_back_where_it_was(client, people):
    rate(client, people, 1)
    (item,) = cases(client, people["chief"])
    ok(act(client, people["chief"], item["id"], "contact"))
    ok(act(client, people["chief"], item["id"], "appeal", "恶意差评"))
    assert cases(client, people["chief"], status="appealed")[0]["id"] == item["id"]
    assert act(client, people["admin"], item["id"], "reject_appeal").status_code == 422
    back = ok(act(client, people["admin"], item["id"], "reject_appeal", "评价有据，应整改"))
    assert back["status"] == "contacted"
    assert cases(client, people["chief"], status="appealed") == []
    assert (
        client.get("/api/v1/rating-cases?status=bogus", headers=people["chief"]).status_code == 422
    )


# Each action, the status it starts from, and how to get there from "open".
PATHS = {
    "contact": [],
    "rectify": [("chief", "contact")],
    "explain": [("chief", "contact")],
    "appeal": [],
    "uphold_appeal": [("chief", "appeal")],
    "reject_appeal": [("chief", "appeal")],
}


def test_the_api_takes_exactly_the_steps_the_service_knows():
    assert tuple(STEPS) == RATING_CASE_ACTIONS


@pytest.mark.parametrize("action", sorted(STEPS))
def test_every_action_is_refused_to_a_wrong_role_or_another_region(client, people, action):
    rate(client, people, 1)
    (item,) = cases(client, people["chief"])
    for role, step in PATHS[action]:
        ok(act(client, people[role], item["id"], step, "理由"))
    wrong_role = "chief" if STEPS[action].role == "admin" else "admin"
    for persona, status in (
        (wrong_role, 403),
        ("reviewer", 403),
        ("applicant", 403),
        ("other_chief", 404),
    ):
        response = act(client, people[persona], item["id"], action, "理由")
        assert response.status_code == status, (persona, response.get_json())
    assert cases(client, people["other_chief"]) == []
    assert client.get("/api/v1/rating-cases", headers=people["reviewer"]).status_code == 403
    right = "admin" if STEPS[action].role == "admin" else "chief"
    ok(act(client, people[right], item["id"], action, "理由"))


def run_daily_jobs(day) -> None:
    for job in DAILY_JOBS:
        job.run(day)


def test_overdue_follow_ups_warn_the_regions_chiefs_once_per_level(
    client, make, people, frozen_now
):
    frozen_now(shanghai_ten_am("2026-11-23"))
    other_region_chief = make.headers(make.staff("chief", "320000"))
    rate(client, people, 1)
    (item,) = cases(client, people["chief"])
    assert (item["contact_due"], item["rectify_due"]) == ("2026-11-24", "2026-11-30")
    frozen_now(shanghai_ten_am("2026-11-25"))
    for _ in range(2):
        run_daily_jobs(datetime(2026, 11, 25).date())
    warned = [n for n in inbox(client, people["chief"]) if n["topic"] == "rating_overdue"]
    assert len(warned) == 1 and "回访" in warned[0]["body"]
    assert cases(client, people["chief"])[0]["overdue"] is True
    ok(act(client, people["chief"], item["id"], "contact"))
    frozen_now(shanghai_ten_am("2026-12-01"))
    for _ in range(2):
        run_daily_jobs(datetime(2026, 12, 1).date())
    warned = [n for n in inbox(client, people["chief"]) if n["topic"] == "rating_overdue"]
    assert len(warned) == 2 and "整改" in warned[0]["body"]
    assert not [n for n in inbox(client, other_region_chief) if n["topic"] == "rating_overdue"]
    figures = client.get("/api/v1/stats", headers=people["chief"]).get_json()["ratings"]
    assert (figures["bad"], figures["contacted_rate"], figures["overdue"]) == (1, 1.0, 1)
    assert RatingCase.query.count() == 1
