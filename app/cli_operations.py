"""Command-line tools for day-to-day operation: register import, reminders, outbox, statistics.

``licences import FILE.csv``, ``reminders scan``, ``outbox drain`` and ``stats report --out``
each end with a summary; a refused import exits with status 1. Progress bars (click's) are
drawn only on a terminal, so cron logs stay clean.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from contextlib import ExitStack
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, TypeVar

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from app.jobs import outbox_delivery, stats
from app.licences import documents as licence_documents
from app.licences import register_import, reminders
from app.services import enterprises
from app.spreadsheet import write_csv
from permits.identifiers import is_region_code, region_prefix
from permits.numbering import region_name

if TYPE_CHECKING:  # the class click.progressbar returns; click exports only the function
    from click._termui_impl import ProgressBar

licences_cli = AppGroup("licences", help="许可证登记")
reminders_cli = AppGroup("reminders", help="到期提醒")
outbox_cli = AppGroup("outbox", help="消息投递")
stats_cli = AppGroup("stats", help="统计")

T = TypeVar("T")


class TerminalProgress:
    """Takes ``(stage, done, total)`` reports and draws one click progress bar per stage."""

    def __init__(self) -> None:
        self._bars = ExitStack()
        self._bar: ProgressBar[int] | None = None
        self._stage: str | None = None
        self._done = 0

    def __call__(self, stage: str, done: int, total: int) -> None:
        if stage != self._stage:
            self._bars.close()
            self._stage, self._done = stage, 0
            self._bar = self._bars.enter_context(click.progressbar(length=total, label=stage))
        if self._bar is not None and done > self._done:
            self._bar.update(done - self._done)
            self._done = done

    def __enter__(self) -> TerminalProgress:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._bars.close()


def _progress() -> TerminalProgress | None:
    return TerminalProgress() if sys.stdout.isatty() else None


def _run_with_progress(work: Callable[[TerminalProgress | None], T]) -> T:
    progress = _progress()
    if progress is None:
        return work(None)
    with progress:
        return work(progress)


@licences_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def licences_import(file: Path) -> None:
    """Load an existing licence register (UTF-8 CSV); a file with any bad row loads nothing."""
    summary = _run_with_progress(lambda progress: register_import.import_register(file, progress))
    if not summary.accepted:
        for problem in summary.problems:
            click.echo(str(problem), err=True)
        refused = f"{summary.refused}行有误，" if summary.refused else ""
        click.echo(f"导入被拒绝：{refused}未导入任何数据。请改正后重新导入。", err=True)
        sys.exit(1)
    click.echo(
        f"导入完成：共{summary.rows}行，新增{summary.loaded}张，未变{summary.unchanged}张，"
        f"拒绝0行；新建企业{summary.enterprises_created}家。"
    )
    # The register's licences get their signed PDFs now, not on someone's first download.
    rendered = _run_with_progress(licence_documents.render_missing_pdfs)
    click.echo(f"已生成电子证照{rendered}份。")


@licences_cli.command("render-pdfs")
def licences_render_pdfs() -> None:
    """Render and sign the PDF of every licence that has none (after an interrupted import)."""
    rendered = _run_with_progress(licence_documents.render_missing_pdfs)
    click.echo(f"已生成电子证照{rendered}份。")


@licences_cli.command("claim-codes")
@click.option("--region", default="", help="行政区划代码，如 120000；默认全部地区")
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path))
def licences_claim_codes(region: str, out: Path) -> None:
    """List the check codes that let unclaimed imported enterprises claim themselves (CSV)."""
    if region and not is_region_code(region):
        click.echo(f"行政区划代码“{region}”不正确", err=True)
        sys.exit(1)
    prefix = region_prefix(region) if region else ""
    rows = enterprises.claim_codes(prefix)
    header = ("许可证编号", "企业名称", "统一社会信用代码", "行政区划", "核验码")
    count = write_csv(out, header, rows)
    click.echo(f"已生成 {out}：尚未认领企业的许可证 {count} 张。核验码须当面或邮寄交给企业本人。")


def _threshold_label(days: int) -> str:
    return "到期当日及已到期" if days == 0 else f"到期前{days}天"


@reminders_cli.command("scan")
@click.option("--date", "on", type=click.DateTime(formats=["%Y-%m-%d"]), help="扫描日期，默认今天")
def reminders_scan(on: datetime | None) -> None:
    """Write today's expiry reminders: one per licence per threshold, only the nearest sent."""
    summary = _run_with_progress(
        lambda progress: reminders.scan(on.date() if on else None, progress)
    )
    click.echo(f"{summary.today:%Y-%m-%d} 到期提醒扫描完成：")
    for days, count in summary.thresholds.items():
        click.echo(f"  {_threshold_label(days)}：发送 {count.sent}，跳过 {count.skipped}")
    click.echo(
        f"合计发送 {summary.sent}，跳过 {summary.skipped}；临近到期的许可证 "
        f"{summary.licences_in_range} 张，其中 {summary.unclaimed} 张所属企业尚无人认领，未提醒。"
    )


WECHAT_LABELS = {
    "sent": "已发送",
    "unsubscribed": "用户未订阅",
    "no_consent": "用户未同意该模板",
    "no_openid": "无微信账号",
    "disabled": "未启用",
    "failed": "失败",
}


@outbox_cli.command("drain")
@click.option("--limit", default=500, show_default=True, type=click.IntRange(min=1))
def outbox_drain(limit: int) -> None:
    """Deliver pending notifications: the in-app inbox always, WeChat where possible."""
    summary = outbox_delivery.drain(limit=limit)
    wechat = "，".join(f"{WECHAT_LABELS.get(k, k)} {n}" for k, n in sorted(summary.wechat.items()))
    click.echo(
        f"处理 {summary.claimed} 条：送达 {summary.delivered}，待重试 {summary.retry_scheduled}，"
        f"失败 {summary.failed}；站内消息 {summary.inbox_written} 条；"
        f"微信：{wechat or '无'}；获取 access_token {summary.token_fetches} 次。"
    )
    if summary.lease_lost:
        click.echo(f"{summary.lease_lost} 条处理超时，已由其他进程接手。", err=True)


@stats_cli.command("report")
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--region", default="", help="行政区划代码，如 120000；默认全部地区")
@click.option("--months", default=12, show_default=True, type=click.IntRange(1, 60))
def stats_report(out: Path, region: str, months: int) -> None:
    """Draw a monthly chart (PNG) of cases received and decided, on-time and satisfaction rates."""
    if region and not is_region_code(region):
        click.echo(f"行政区划代码“{region}”不正确", err=True)
        sys.exit(1)
    prefix = region_prefix(region) if region else ""
    rows = stats.monthly_figures(prefix, months)
    place = (region_name(region) or region) if region else "全部地区"
    title = f"{place}行政许可办理情况（近{months}个月）"
    # The one import inside a function in app/: matplotlib costs seconds, paid by this
    # command only (tests/unit/test_layers.py lists it as the allowed exception).
    from app.jobs.stats_chart import draw_monthly_chart

    draw_monthly_chart(rows, title, out, current_app.config.get("PDF_FONT_PATH", ""))
    click.echo(f"已生成 {out}（{rows[0].label} 至 {rows[-1].label}）")


def register_operations_cli(app: Flask) -> None:
    for group in (licences_cli, reminders_cli, outbox_cli, stats_cli):
        app.cli.add_command(group)
