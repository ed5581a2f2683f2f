"""The background worker of ``make run`` and production: outbox and webhooks every few seconds,
daily jobs once per office day.

``flask --app app worker`` runs ``Worker.run`` until SIGTERM or SIGINT, finishing the step in
hand before it stops. Each step is its own transaction; a failing step is logged, rolled back
and retried later, never fatal to the loop. Several workers may run at once: the outbox
drain claims rows safely, and every daily job is idempotent for its date.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import partial

import click
from flask.cli import with_appcontext

from app import timekeeping
from app.extensions import db
from app.jobs import outbox_delivery, webhook_delivery
from app.jobs.daily_jobs import DAILY_JOBS, DailyJob
from app.models.sealed import keyring

log = logging.getLogger(__name__)

DAILY_RETRY_AFTER = timedelta(minutes=10)  # a failed daily job is tried again after this


def _run_and_log(job: DailyJob, day: date) -> None:
    log.info("%s", job.run(day))


@dataclass
class Worker:
    """One worker process: ``tick`` is one round of work, ``run`` repeats it."""

    interval: float = 5.0
    jobs: list[DailyJob] = field(default_factory=lambda: list(DAILY_JOBS))
    stop: threading.Event = field(default_factory=threading.Event)
    done_on: dict[str, date] = field(default_factory=dict)  # job name → office date it ran
    failed_at: dict[str, datetime] = field(default_factory=dict)

    def tick(self) -> None:
        """Deliver the outbox and the due webhooks, then any daily job not yet run today; then
        forget the personal values opened (the worker's app context lasts as long as it runs)."""
        try:
            self._tick()
        finally:
            keyring().forget()

    def _tick(self) -> None:
        self._guarded("outbox drain", self.drain_outbox)
        self._guarded("webhooks", self.deliver_webhooks)
        today = timekeeping.today()
        for job in self.jobs:
            if self.stop.is_set():
                return
            if self.done_on.get(job.name) == today or self._cooling_down(job.name):
                continue
            if self._guarded(job.name, partial(_run_and_log, job, today)):
                self.done_on[job.name] = today
                self.failed_at.pop(job.name, None)
            else:
                self.failed_at[job.name] = timekeeping.now()

    @staticmethod
    def drain_outbox() -> None:
        summary = outbox_delivery.drain()
        if summary.claimed:
            log.info(
                "站内消息 %d 条，送达 %d，待重试 %d，失败 %d",
                summary.inbox_written,
                summary.delivered,
                summary.retry_scheduled,
                summary.failed,
            )

    @staticmethod
    def deliver_webhooks() -> None:
        summary = webhook_delivery.run()
        if summary.queued or summary.delivered or summary.failed:
            log.info(
                "事件推送：新排队 %d，送达 %d，失败待重试 %d，停用地址 %d",
                summary.queued,
                summary.delivered,
                summary.failed,
                summary.disabled,
            )

    def run(self, iterations: int | None = None) -> int:
        """Tick every ``interval`` seconds until stopped (or ``iterations`` ticks); return ticks."""
        ticks = 0
        while not self.stop.is_set() and (iterations is None or ticks < iterations):
            self.tick()
            ticks += 1
            if iterations is None or ticks < iterations:
                self.stop.wait(self.interval)
        return ticks

    def stop_on_signals(self) -> None:
        """SIGTERM (a process manager, ``make run`` ending) and SIGINT (Ctrl-C) stop the loop."""
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: self.stop.set())

    def _cooling_down(self, name: str) -> bool:
        failed = self.failed_at.get(name)
        return failed is not None and timekeeping.now() - failed < DAILY_RETRY_AFTER

    @staticmethod
    def _guarded(name: str, step: Callable[[], object]) -> bool:
        try:
            step()
            return True
        except Exception:
            log.exception("worker step %r failed; it will be retried", name)
            return False
        finally:
            # Each step commits its own work; end whatever is left (a failed step's changes,
            # a read's open transaction) so no lock or snapshot is held between ticks.
            db.session.rollback()


@click.command("worker")
@click.option("--interval", default=5.0, show_default=True, type=click.FloatRange(min=0))
@click.option("--iterations", type=click.IntRange(min=1), help="运行指定轮数后退出（测试用）")
@with_appcontext
def worker_command(interval: float, iterations: int | None) -> None:
    """Deliver the outbox every INTERVAL seconds and run the daily jobs once per office day."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    worker = Worker(interval=interval)
    worker.stop_on_signals()
    names = "、".join(job.name for job in worker.jobs) or "无"
    click.echo(f"后台任务已启动：每 {interval:g} 秒投递消息；每日任务：{names}。")
    ticks = worker.run(iterations)
    click.echo(f"后台任务已停止（共运行 {ticks} 轮）。")
