"""The worker: outbox drained every tick, daily jobs once per office day, clean stop."""

from __future__ import annotations

import threading
from datetime import date, timedelta

from app.cli.worker import Worker
from app.domain.outbox import enqueue
from app.extensions import db
from app.jobs.daily_jobs import DAILY_JOBS, DailyJob
from app.models import Notification
from app.models.sealed import keyring
from tests.conftest import FROZEN_NOW


def recording_job(runs: list[date], name: str = "test job") -> DailyJob:
    def run(today: date) -> str:
        runs.append(today)
        return "ok"

    return DailyJob(name, run)


def test_the_reminder_scan_is_a_registered_daily_job():
    assert "reminders scan" in [job.name for job in DAILY_JOBS]


def test_daily_jobs_run_once_per_office_day_and_the_outbox_every_tick(frozen_now, make):
    runs: list[date] = []
    worker = Worker(interval=0, jobs=[recording_job(runs)])
    user = make.applicant()
    enqueue(user.id, "case", "第一条", "正文")
    db.session.commit()
    assert worker.run(iterations=3) == 3
    assert runs == [date(2026, 11, 23)]
    assert db.session.query(Notification).filter_by(user_id=user.id).count() == 1
    enqueue(user.id, "case", "第二条", "正文")
    db.session.commit()
    frozen_now(FROZEN_NOW + timedelta(days=1))
    worker.run(iterations=2)
    assert runs == [date(2026, 11, 23), date(2026, 11, 24)]
    assert db.session.query(Notification).filter_by(user_id=user.id).count() == 2


def test_a_tick_forgets_the_personal_values_its_jobs_opened(app, frozen_now):
    ring = keyring()
    token = ring.seal("13912345678", "applications.delivery:phone")
    seen: list[str] = []

    def reads_a_phone(today: date) -> str:
        seen.append(ring.open(token, "applications.delivery:phone"))
        return "ok"

    Worker(interval=0, jobs=[DailyJob("reads a phone", reads_a_phone)]).run(iterations=1)
    assert seen == ["13912345678"]
    assert ring._opened.cache_info().currsize == 0


def test_a_failing_job_does_not_stop_the_loop_and_is_retried_later(frozen_now, make):
    attempts: list[date] = []

    def flaky(today: date) -> str:
        attempts.append(today)
        if len(attempts) == 1:
            raise RuntimeError("database went away")
        return "ok"

    worker = Worker(interval=0, jobs=[DailyJob("flaky", flaky)])
    worker.run(iterations=2)
    assert len(attempts) == 1  # cooling down after the failure
    frozen_now(FROZEN_NOW + timedelta(minutes=11))
    worker.run(iterations=2)
    assert len(attempts) == 2 and worker.done_on["flaky"] == date(2026, 11, 23)


def test_the_loop_stops_when_told_in_the_middle_of_its_wait(app, frozen_now):
    """Stopping ends the 30-second wait at once. The loop runs in a thread, so a worker that
    ignored the stop would still be alive when the join gives up: the test fails, not hangs."""
    ticked = threading.Event()

    def mark(today: date) -> str:
        ticked.set()
        return "ok"

    worker = Worker(interval=30, jobs=[DailyJob("mark", mark)])
    ticks: list[int] = []

    def work() -> None:
        with app.app_context():
            ticks.append(worker.run())

    thread = threading.Thread(target=work, daemon=True)
    thread.start()
    assert ticked.wait(timeout=10), "the first tick never ran"
    worker.stop.set()
    thread.join(timeout=5)
    assert not thread.is_alive(), "the worker kept waiting after it was told to stop"
    assert ticks == [1]


def test_the_worker_command_runs_and_reports(runner, frozen_now):
    result = runner.invoke(args=["worker", "--interval", "0", "--iterations", "2"])
    assert result.exit_code == 0, result.output
    assert "reminders scan" in result.output and "共运行 2 轮" in result.output


def test_the_cases_sweep_is_a_registered_daily_job():
    assert "cases sweep" in [job.name for job in DAILY_JOBS]
