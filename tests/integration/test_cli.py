"""Office commands: calendar check, workflow diagrams, demo data."""

from __future__ import annotations

from sqlalchemy import func, select

from app import timekeeping
from app.extensions import db
from app.jobs import stats
from app.licences import reminders
from app.models import Application, Licence, Rating, User
from app.services.applications import form_errors


def test_calendar_check_accepts_a_good_schedule_and_names_problems(runner, tmp_path):
    good = tmp_path / "2027.yaml"
    good.write_text(
        "year: 2027\nsource: 测试用安排\nholidays:\n"
        "  - {from: 2027-01-01, to: 2027-01-03, name: 元旦}\n"
        "  - {from: 2027-02-05, to: 2027-02-12, name: 春节}\n"
        "  - {from: 2027-04-03, to: 2027-04-05, name: 清明节}\n"
        "  - {from: 2027-05-01, to: 2027-05-05, name: 劳动节}\n"
        "  - 2027-06-09\n  - 2027-09-15\n"
        "  - {from: 2027-10-01, to: 2027-10-07, name: 国庆节}\n"
        "workdays:\n  - 2027-10-09\n",
        encoding="utf-8",
    )
    result = runner.invoke(args=["calendar", "check", str(good)])
    assert result.exit_code == 0, result.output
    assert "已知节假日安排的年份" in result.output
    assert "放假" in result.output
    partial = tmp_path / "partial" / "2027.yaml"
    partial.parent.mkdir()
    partial.write_text("year: 2027\nsource: 漏抄\nholidays:\n  - 2027-10-01\n", encoding="utf-8")
    result = runner.invoke(args=["calendar", "check", str(partial)])
    assert result.exit_code == 1
    assert "2027-01-01" in result.output
    bad = tmp_path / "2028.yaml"
    bad.write_text("year: 2028\nholidays:\n  - 2028-13-01\n", encoding="utf-8")
    result = runner.invoke(args=["calendar", "check", str(bad)])
    assert result.exit_code == 1


def test_workflow_diagram_check_passes_on_the_committed_file(runner, monkeypatch):
    from pathlib import Path

    monkeypatch.chdir(Path(__file__).resolve().parents[2])
    result = runner.invoke(args=["workflows", "diagram", "--check"])
    assert result.exit_code == 0, result.output


def test_demo_data_loads_once_with_a_year_of_history(frozen_now, runner):
    first = runner.invoke(args=["demo", "load-if-empty"])
    assert first.exit_code == 0, first.output
    assert "demo-pass-2026" in first.output and "/api/docs" in first.output
    states = set(db.session.scalars(select(Application.state)))
    assert {"draft", "submitted", "supplement_required", "under_review", "approved"} <= states
    assert {"delivered", "denied", "not_accepted"} <= states
    checked = db.session.scalars(select(Application).where(Application.state == "pending_check"))
    # an office head sees the three-level review's new state right away
    assert [a.permit_type for a in checked] == ["hazchem-production-safety"]
    months = stats.monthly_figures("", 12)
    assert sum(1 for month in months if month.decided) >= 11
    assert any(m.on_time_rate is not None and m.on_time_rate < 1 for m in months)
    assert db.session.scalar(select(func.count()).select_from(Rating)) >= 12
    drafts = db.session.scalars(select(Application).where(Application.state == "draft"))
    assert any(form_errors(a) for a in drafts)  # a draft the phone saved half-way
    assert reminders.scan().sent >= 3  # licences near expiry: the first scan has work
    assert all(a.created_at <= timekeeping.now() for a in db.session.scalars(select(Application)))
    users = db.session.scalar(select(func.count()).select_from(User))
    again = runner.invoke(args=["demo", "load-if-empty"])
    assert again.exit_code == 0 and "跳过" in again.output and "demo-pass-2026" in again.output
    assert db.session.scalar(select(func.count()).select_from(User)) == users
    assert db.session.scalar(select(func.count()).select_from(Licence)) >= 6
