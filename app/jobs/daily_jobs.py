"""The office's daily jobs, run once per office day by the worker (``flask worker``).

A job takes the office date and returns a one-line Chinese summary for the log. Every job
must be idempotent for its date (the worker runs it again after a restart, and cron may run
the same command too). To add one, decorate a function here::

    @daily_job("cases sweep")
    def _cases_sweep(today: date) -> str:
        ...
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from app.jobs.sweep import sweep
from app.licences import reminders
from app.services import rating_cases, resumable_uploads
from app.services.appointments import send_reminders


@dataclass(frozen=True)
class DailyJob:
    name: str
    run: Callable[[date], str]


DAILY_JOBS: list[DailyJob] = []


def daily_job(name: str) -> Callable[[Callable[[date], str]], Callable[[date], str]]:
    """Register ``function`` as a daily job called ``name`` (run in registration order)."""

    def register(function: Callable[[date], str]) -> Callable[[date], str]:
        DAILY_JOBS.append(DailyJob(name, function))
        return function

    return register


@daily_job("reminders scan")
def _reminders_scan(today: date) -> str:
    summary = reminders.scan(today)
    return f"到期提醒：发送 {summary.sent}，跳过 {summary.skipped}"


@daily_job("cases sweep")
def _cases_sweep(today: date) -> str:
    summary = sweep(today)
    accepted, approved = len(summary.deemed_accepted), len(summary.deemed_approved)
    return (
        f"视为受理 {accepted} 件，视为准予延续 {approved} 件，"
        f"已被新证替代 {summary.superseded} 张，未处理 {len(summary.failed)} 件"
    )


@daily_job("appointments remind")
def _appointments_remind(today: date) -> str:
    return f"预约提醒：{send_reminders(today)} 条"


@daily_job("uploads expiry")
def _uploads_expiry(today: date) -> str:
    return f"过期的断点续传上传：删除 {resumable_uploads.remove_expired()} 个"


@daily_job("rating cases overdue")
def _rating_cases_overdue(today: date) -> str:
    return f"差评整改超期提醒：{rating_cases.warn_overdue(today)} 条"
