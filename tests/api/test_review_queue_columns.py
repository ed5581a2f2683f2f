"""The review queue reads who acts and the deadline from the case row (issue 13): those columns
must say what the workflow and the clock say after every kind of change."""

from __future__ import annotations

from datetime import UTC, date, datetime

from app.domain import clock
from app.extensions import db
from app.models import Application, User
from app.services import review


def shanghai_ten_am(day: str) -> datetime:
    return datetime.fromisoformat(f"{day}T02:00:00").replace(tzinfo=UTC)


def assert_row_matches_the_clock(application_id: int) -> Application:
    """The stored due date and first overdue day are what the clock computes now."""
    db.session.expire_all()
    application = db.session.get(Application, application_id)
    deadline = clock.deadline(application)
    if deadline is None:
        assert application.queue_due is None and application.queue_overdue_on is None
    else:
        assert application.queue_due == deadline.due
        assert application.queue_overdue_on == clock.calendar().add_working_days(deadline.due, 1)
    return application


def queue_ids(client, auth: dict, **query) -> list[int]:
    response = client.get("/api/v1/review/queue", headers=auth, query_string=query)
    assert response.status_code == 200, response.get_json()
    return [item["id"] for item in response.get_json()["items"]]


def test_the_stored_deadline_follows_acceptance_pause_resume_and_extension(
    client, make, office, drive, frozen_now
):
    frozen_now(shanghai_ten_am("2026-09-28"))
    view = make.upload_required(
        client,
        office.applicant,
        make.create_application(client, office.applicant, office.enterprise_id),
    )
    view = drive(view, ("applicant", "submit"))
    assert_row_matches_the_clock(view["id"])
    assert queue_ids(client, office["clerk"]) == [view["id"]]
    view = drive(view, ("clerk", "accept"), ("reviewer", "start_review"))
    assert_row_matches_the_clock(view["id"])
    assert queue_ids(client, office["clerk"]) == []
    assert queue_ids(client, office["reviewer"]) == [view["id"]]

    frozen_now(shanghai_ten_am("2026-09-30"))
    view = drive(view, ("reviewer", "start_expert_review", {"comment": "专家评审"}))
    paused = assert_row_matches_the_clock(view["id"])
    assert paused.clock_paused_on == date(2026, 9, 30)
    frozen_now(shanghai_ten_am("2026-10-09"))
    view = drive(view, ("reviewer", "finish_expert_review"))
    resumed = assert_row_matches_the_clock(view["id"])
    assert resumed.queue_due.isoformat() == view["deadline"]["due"]

    assert view["id"] in queue_ids(client, office["approver"])
    view = drive(view, ("approver", "extend_deadline", {"comment": "需要补充调查"}))
    extended = assert_row_matches_the_clock(view["id"])
    assert extended.queue_due.isoformat() == view["deadline"]["due"] != resumed.queue_due
    # The limit can be extended once: the approver has nothing left to do on the case.
    assert queue_ids(client, office["approver"]) == []


def test_a_case_turns_overdue_in_the_queue_on_the_first_working_day_after_its_due_date(
    client, make, office, drive, frozen_now
):
    frozen_now(shanghai_ten_am("2026-09-29"))
    view = make.upload_required(
        client,
        office.applicant,
        make.create_application(client, office.applicant, office.enterprise_id),
    )
    view = drive(view, ("applicant", "submit"))
    assert view["deadline"]["due"] == "2026-10-12"
    frozen_now(shanghai_ten_am("2026-10-12"))
    assert queue_ids(client, office["clerk"], overdue="true") == []
    frozen_now(shanghai_ten_am("2026-10-13"))
    page = client.get("/api/v1/review/queue?overdue=true", headers=office["clerk"]).get_json()
    assert [item["id"] for item in page["items"]] == [view["id"]]
    assert page["items"][0]["overdue"] is True and page["total"] == 1


def test_loading_a_schedule_moves_the_stored_deadline_of_running_cases(
    app, client, make, office, drive, frozen_now, runner, tmp_path, monkeypatch
):
    monkeypatch.setitem(app.config, "HOLIDAY_SCHEDULE_DIR", str(tmp_path / "schedules"))
    (tmp_path / "schedules").mkdir()
    frozen_now(shanghai_ten_am("2026-11-24"))
    view = make.upload_required(
        client,
        office.applicant,
        make.create_application(client, office.applicant, office.enterprise_id),
    )
    view = drive(view, ("applicant", "submit"), ("clerk", "accept"))
    before = assert_row_matches_the_clock(view["id"])
    assert before.queue_due == date(2027, 1, 6)
    notice = tmp_path / "2027.yaml"
    notice.write_text(
        "year: 2027\nsource: 测试用安排（虚构）\nholidays:\n"
        "  - {from: 2027-01-01, to: 2027-01-07, name: 元旦}\n"
        "  - {from: 2027-02-05, to: 2027-02-12, name: 春节}\n"
        "  - {from: 2027-04-03, to: 2027-04-05, name: 清明节}\n"
        "  - {from: 2027-05-01, to: 2027-05-05, name: 劳动节}\n"
        "  - 2027-06-09\n  - 2027-09-15\n"
        "  - {from: 2027-10-01, to: 2027-10-07, name: 国庆节}\n"
        "workdays:\n  - 2027-01-09\n",
        encoding="utf-8",
    )
    try:
        result = runner.invoke(args=["calendar", "load", str(notice)])
        assert result.exit_code == 0, result.output
        after = assert_row_matches_the_clock(view["id"])
        assert after.queue_due == date(2027, 1, 11)  # Saturday 9 January is a working day
    finally:
        monkeypatch.undo()
        clock._calendar.cache_clear()


def test_the_queue_in_sql_is_the_queue_the_workflow_gives_each_role(
    client, make, office, drive, frozen_now
):
    """Every role's queue, filters and pages included, equals the per-case evaluation."""
    frozen_now(shanghai_ten_am("2026-11-02"))
    clerk = make.staff("clerk", "120000")
    firm = make.enterprise(make.applicant())
    states = ("submitted", "accepted", "under_review", "inspection", "pending_decision")
    for index, state in enumerate(states * 4):
        case = make.case_in_state(firm, state, clerk, recommendation="approve")
        if index % 3:
            case.clock_kind, case.clock_due = "decision", date(2026, 10, index + 1)
        if index % 5 == 1:
            case.deadline_extended_days = 15
        db.session.commit()
    view = make.upload_required(
        client,
        office.applicant,
        make.create_application(client, office.applicant, office.enterprise_id),
    )
    units = {"units": ["120000", "120100"]}
    drive(
        view,
        ("applicant", "submit"),
        ("clerk", "accept"),
        ("reviewer", "start_review"),
        ("reviewer", "open_joint_review", units),
    )
    city_reviewer = make.staff("reviewer", "120100")
    shown: list[tuple[dict, int]] = []
    for user in db.session.scalars(db.select(User).where(User.password_hash.is_not(None))):
        for query in (
            {"state": None, "overdue_only": False, "page": 1, "page_size": 3},
            {"state": None, "overdue_only": False, "page": 3, "page_size": 3},
            {"state": None, "overdue_only": True, "page": 1, "page_size": 50},
            {"state": "under_review", "overdue_only": False, "page": 1, "page_size": 50},
        ):
            in_sql = review.queue(user, **query)
            shown.append((query, len(in_sql[0])))
            per_case = review._queue_in_python(user, **query, permit_type=None, region=None)
            assert ([a.id for a in in_sql[0]], in_sql[1]) == (
                [a.id for a in per_case[0]],
                per_case[1],
            ), (user.roles, user.region_code, query)
    # Full pages, a third page, overdue cases and a state filter were all met.
    assert any(n == 3 for query, n in shown if query["page"] == 1)
    assert any(n for query, n in shown if query["page"] == 3)
    assert any(n for query, n in shown if query["overdue_only"])
    assert any(n for query, n in shown if query["state"])
    assert view["id"] in [
        a.id
        for a in review.queue(
            city_reviewer,
            **{"state": "joint_review", "overdue_only": False, "page": 1, "page_size": 10},
        )[0]
    ]
