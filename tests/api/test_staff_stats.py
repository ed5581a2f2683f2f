"""Each staff member's workload (``GET /stats/staff``) against a hand count of a seeded office."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from app.domain import clock

PERIOD = {"from": "2026-11-01", "to": "2026-11-30"}


def shanghai_ten_am(day: str) -> datetime:
    return datetime.fromisoformat(f"{day}T02:00:00").replace(tzinfo=UTC)


@pytest.fixture
def seeded(client, make, office, frozen_now):
    """Four cases worked by clerk A, reviewers B and C and approver D, on known days.

    1. submitted 11-02, A accepts 11-03, B starts review 11-05 and recommends 11-06,
       D denies 11-09 (on time);
    2. submitted 11-02, A accepts 11-02, C starts review 11-04 (in C's hands);
    3. submitted 09-01, A accepts 09-01, B starts review 09-02 (in B's hands, overdue);
    4. submitted 09-01, A accepts 09-01, C starts review 09-02 and recommends 11-09,
       D denies 11-10 (late: due 30 working days after 09-01).
    """
    people = {
        "A": office["clerk"],
        "B": office["reviewer"],
        "C": make.headers(make.staff("reviewer", "120000", username="reviewer-c")),
        "D": office["approver"],
        "applicant": office.applicant,
    }
    make.staff("reviewer", "320000", username="elsewhere")  # another region: not listed

    def new_case() -> dict:
        view = make.create_application(client, office.applicant, office.enterprise_id)
        return make.upload_required(client, office.applicant, view)

    def step(view: dict, day: str, who: str, action: str, **fields) -> dict:
        frozen_now(shanghai_ten_am(day))
        response = make.act(client, people[who], view, action, **fields)
        assert response.status_code == 200, (action, response.get_json())
        return response.get_json()

    deny = {"recommendation": "deny", "comment": "条件不符"}
    frozen_now(shanghai_ten_am("2026-09-01"))
    third, fourth = new_case(), new_case()
    third = step(third, "2026-09-01", "applicant", "submit")
    third = step(third, "2026-09-01", "A", "accept")
    third = step(third, "2026-09-02", "B", "start_review")
    fourth = step(fourth, "2026-09-01", "applicant", "submit")
    fourth = step(fourth, "2026-09-01", "A", "accept")
    fourth = step(fourth, "2026-09-02", "C", "start_review")

    frozen_now(shanghai_ten_am("2026-11-02"))
    first, second = new_case(), new_case()
    first = step(first, "2026-11-02", "applicant", "submit")
    second = step(second, "2026-11-02", "applicant", "submit")
    second = step(second, "2026-11-02", "A", "accept")
    first = step(first, "2026-11-03", "A", "accept")
    second = step(second, "2026-11-04", "C", "start_review")
    first = step(first, "2026-11-05", "B", "start_review")
    first = step(first, "2026-11-06", "B", "recommend", **deny)
    fourth = step(fourth, "2026-11-09", "C", "recommend", **deny)
    first = step(first, "2026-11-09", "D", "deny", comment="储存设施不符合要求")
    fourth = step(fourth, "2026-11-10", "D", "deny", comment="储存设施不符合要求")
    frozen_now(shanghai_ten_am("2026-11-23"))
    return people


def by_name(client, auth: dict, **query) -> dict[str, dict]:
    response = client.get("/api/v1/stats/staff", headers=auth, query_string=query)
    assert response.status_code == 200, response.get_json()
    return {item["name"]: item for item in response.get_json()["items"]}


def figures(item: dict) -> tuple:
    return (
        item["open_cases"],
        item["overdue"],
        item["decided"],
        item["on_time_rate"],
        item["steps"],
        item["avg_working_days_per_step"],
    )


def test_the_figures_equal_a_hand_count(client, make, office, seeded):
    chief = make.headers(make.staff("chief", "120000", username="chief-e"))
    staff = by_name(client, chief, **PERIOD)
    names = {office_name(client, seeded[who]): who for who in ("A", "B", "C", "D")}
    assert "elsewhere" not in staff
    assert set(names) <= set(staff)
    counted = {names[name]: figures(item) for name, item in staff.items() if name in names}
    long_wait = clock.calendar().working_days_between(date(2026, 9, 2), date(2026, 11, 9))
    assert counted == {
        # open, overdue, decided, on time, steps, mean working days each step waited
        "A": (0, 0, 2, 0.5, 2, 0.5),  # accepts 11-02 (0) and 11-03 (1)
        "B": (1, 1, 1, 1.0, 2, 1.5),  # case 3 is B's and overdue; 11-03→05 (2), →06 (1)
        "C": (1, 0, 1, 0.0, 2, round((2 + long_wait) / 2, 1)),
        "D": (0, 0, 2, 0.5, 2, 1.0),  # 11-06→09 (1), 11-09→10 (1)
    }
    assert figures(staff["chief-e"]) == (0, 0, 0, None, 0, None)


def office_name(client, auth: dict) -> str:
    return client.get("/api/v1/me", headers=auth).get_json()["username"]  # = display name


def test_only_chiefs_and_admins_of_the_region_see_it(client, make, office, seeded):
    assert client.get("/api/v1/stats/staff", headers=office["reviewer"]).status_code == 403
    assert client.get("/api/v1/stats/staff", headers=office.applicant).status_code == 403
    elsewhere = make.headers(make.staff("chief", "320000"))
    outside = by_name(client, elsewhere, **PERIOD)
    ours = {office_name(client, seeded[who]) for who in ("A", "B", "C", "D")}
    assert "elsewhere" in outside and not ours & set(outside)
    assert all(item["decided"] == 0 and item["steps"] == 0 for item in outside.values())
    assert ours <= set(by_name(client, office["admin"], **PERIOD))
