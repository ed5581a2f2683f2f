"""The statutory clock over real holidays (National Day 2026, its make-up Saturday) and pauses."""

from __future__ import annotations

from datetime import UTC, date, datetime

from app.domain.clock import calendar


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


def test_a_decision_accepted_on_24_november_2026_is_due_after_new_year_2027(
    client, make, office, drive, frozen_now
):
    frozen_now(shanghai_ten_am("2026-11-24"))
    view = make.upload_required(
        client,
        office.applicant,
        make.create_application(client, office.applicant, office.enterprise_id),
    )
    view = drive(view, ("applicant", "submit"), ("clerk", "accept"))
    # 30 working days by the national rule: 1 January 2027 (元旦) is not counted.
    assert view["deadline"]["due"] == "2027-01-06"


def test_loading_the_announced_schedule_moves_running_deadlines_and_says_so(
    app, client, make, office, drive, frozen_now, runner, tmp_path, monkeypatch
):
    from app.domain import clock

    monkeypatch.setitem(app.config, "HOLIDAY_SCHEDULE_DIR", str(tmp_path / "schedules"))
    (tmp_path / "schedules").mkdir()
    frozen_now(shanghai_ten_am("2026-11-24"))
    view = make.upload_required(
        client,
        office.applicant,
        make.create_application(client, office.applicant, office.enterprise_id),
    )
    view = drive(view, ("applicant", "submit"), ("clerk", "accept"))
    assert view["deadline"]["due"] == "2027-01-06"
    notice = tmp_path / "2027.yaml"
    notice.write_text(
        "year: 2027\nsource: 测试用安排（虚构）\nholidays:\n"
        "  - {from: 2027-01-01, to: 2027-01-05, name: 元旦}\n"
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
        assert view["number"] in result.output
        view = client.get(f"/api/v1/applications/{view['id']}", headers=office.applicant).get_json()
        # 4 and 5 January are now holidays; the limit still counts 30 working days.
        assert view["deadline"]["due"] == "2027-01-08"
        timeline = client.get(
            f"/api/v1/applications/{view['id']}/timeline", headers=office.applicant
        ).get_json()["items"]
        assert timeline[-1]["action"] == "recompute_deadline"
        assert "2027年01月08日" in timeline[-1]["comment"]
        again = runner.invoke(args=["calendar", "load", str(notice)])
        assert "0 件" in again.output
    finally:
        monkeypatch.undo()
        clock._calendar.cache_clear()


def test_a_schedule_that_cannot_be_loaded_changes_nothing(app, runner, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "HOLIDAY_SCHEDULE_DIR", str(tmp_path))
    bad = tmp_path / "incoming.yaml"
    bad.write_text("year: 2027\nholidays:\n  - 2027-13-01\n", encoding="utf-8")
    result = runner.invoke(args=["calendar", "load", str(bad)])
    assert result.exit_code == 1
    assert "不是有效日期" in result.output
    assert not (tmp_path / "2027.yaml").exists()
