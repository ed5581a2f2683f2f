"""好差评: the applicant rates a closed case once."""

from __future__ import annotations

import pytest


@pytest.fixture
def closed_case(make):
    def build(state: str = "delivered"):
        owner = make.applicant()
        case = make.case_in_state(make.enterprise(owner), state, owner)
        return case, make.headers(owner)

    return build


def rate(client, case_id: int, headers: dict, **body):
    return client.post(f"/api/v1/applications/{case_id}/rating", json=body, headers=headers)


def test_the_applicant_rates_a_delivered_case_once(client, closed_case, frozen_now):
    case, auth = closed_case()
    first = rate(client, case.id, auth, score=5, comment="全程网上办，很方便")
    assert first.status_code == 201
    assert first.get_json() == {
        "id": first.get_json()["id"],
        "application_id": case.id,
        "score": 5,
        "score_label": "非常满意",
        "first_score": None,
        "rerated": False,
        "comment": "全程网上办，很方便",
        "created_at": "2026-11-23T10:00:00+08:00",
    }
    second = rate(client, case.id, auth, score=1, comment="改个评价")
    assert second.status_code == 409
    assert second.get_json()["code"] == "ALREADY_RATED"


@pytest.mark.parametrize("state", ["denied", "not_accepted"])
def test_refused_cases_may_be_rated_too(client, closed_case, state):
    case, auth = closed_case(state)
    assert rate(client, case.id, auth, score=3, comment="").status_code == 201


@pytest.mark.parametrize("state", ["submitted", "under_review", "approved", "withdrawn"])
def test_open_or_withdrawn_cases_cannot_be_rated(client, closed_case, state):
    case, auth = closed_case(state)
    response = rate(client, case.id, auth, score=4)
    assert response.status_code == 409
    assert response.get_json()["code"] == "CASE_NOT_CLOSED"
    assert response.get_json()["detail"] == "办结后方可评价"


def test_a_bad_rating_must_say_why(client, closed_case):
    case, auth = closed_case()
    response = rate(client, case.id, auth, score=2, comment="  ")
    assert response.status_code == 422
    assert response.get_json()["errors"] == {"comment": ["差评请说明原因，以便我们改进"]}
    assert rate(client, case.id, auth, score=2, comment="补正通知不够清楚").status_code == 201


@pytest.mark.parametrize(
    "body", [{"score": 0}, {"score": 6}, {"score": "好"}, {}, {"score": 5, "comment": "长" * 501}]
)
def test_invalid_ratings_are_422(client, closed_case, body):
    case, auth = closed_case()
    response = client.post(f"/api/v1/applications/{case.id}/rating", json=body, headers=auth)
    assert response.status_code == 422
    assert response.get_json()["errors"]


def test_only_the_applicant_may_rate(client, make, closed_case):
    case, _ = closed_case()
    stranger = rate(client, case.id, make.headers(make.applicant()), score=5)
    assert stranger.status_code == 404
    staff = rate(client, case.id, make.headers(make.staff("clerk", "120000")), score=5)
    assert staff.status_code == 403
    assert staff.get_json()["code"] == "RATING_APPLICANT_ONLY"
    assert rate(client, case.id, {}, score=5).status_code == 401
