"""The statutory clock over real holidays (National Day 2026, its make-up Saturday) and pauses."""

from __future__ import annotations

from datetime import UTC, date, datetime

from app.services.clock import calendar


def shanghai_ten_am(day: str) -> datetime:
    return datetime.fromisoformat(f"{day}T02:00:00").replace(tzinfo=UTC)


def test_acceptance_limit_skips_national_day_and_counts_the_makeup_saturday(
    client, make, office, drive, frozen_now
):
    frozen_now(shanghai_ten_am("2026-09-29"))  # Tuesday, two days before National Day
    view = make.upload_required(
        client,
        office.applicant,
        make.create_application(client, office.applicant, office.enterprise_id),
    )
    view = drive(view, ("applicant", "submit"))
    # Sep 30, Oct 8, Oct 9, Sat Oct 10 (调休 workday), Oct 12.
    assert view["deadline"] == {
        "kind": "acceptance",
        "due": "2026-10-12",
        "working_days_left": 5,
        "paused": False,
        "overdue": False,
    }
    frozen_now(shanghai_ten_am("2026-10-09"))
    view = client.get(f"/api/v1/applications/{view['id']}", headers=office.applicant).get_json()
    assert view["deadline"]["working_days_left"] == 2
    frozen_now(shanghai_ten_am("2026-10-13"))
    view = client.get(f"/api/v1/applications/{view['id']}", headers=office.applicant).get_json()
    assert view["deadline"]["overdue"] is True and view["deadline"]["working_days_left"] == -1


def test_decision_limit_counts_working_days_from_acceptance(
    client, make, office, drive, frozen_now
):
    frozen_now(shanghai_ten_am("2026-09-28"))
    view = make.upload_required(
        client,
        office.applicant,
        make.create_application(client, office.applicant, office.enterprise_id),
    )
    view = drive(view, ("applicant", "submit"), ("clerk", "accept"))
    expected = calendar().add_working_days(date(2026, 9, 28), 30)
    assert view["deadline"]["kind"] == "decision"
    assert view["deadline"]["due"] == expected.isoformat()
    # 30 working days cross the whole Golden Week: more than 30 + 8 calendar days later.
    assert (expected - date(2026, 9, 28)).days > 38


def test_a_paused_clock_does_not_count_the_pause(client, make, office, drive, frozen_now):
    frozen_now(shanghai_ten_am("2026-09-28"))
    view = make.upload_required(
        client,
        office.applicant,
        make.create_application(client, office.applicant, office.enterprise_id),
    )
    view = drive(view, ("applicant", "submit"), ("clerk", "accept"), ("reviewer", "start_review"))
    due = date.fromisoformat(view["deadline"]["due"])
    frozen_now(shanghai_ten_am("2026-09-30"))
    view = drive(view, ("reviewer", "start_expert_review", {"comment": "专家评审"}))
    left_at_pause = view["deadline"]["working_days_left"]
    frozen_now(shanghai_ten_am("2026-10-09"))
    paused = client.get(f"/api/v1/applications/{view['id']}", headers=office.applicant).get_json()
    assert paused["deadline"]["paused"] is True
    assert paused["deadline"]["working_days_left"] == left_at_pause
    view = drive(paused, ("reviewer", "finish_expert_review"))
    # Working days spent paused: Oct 8 and Oct 9 (the holiday week does not count).
    assert view["deadline"]["due"] == calendar().add_working_days(due, 2).isoformat()
    assert view["deadline"]["working_days_left"] == left_at_pause
