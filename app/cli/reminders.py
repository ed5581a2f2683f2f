"""``flask reminders scan``: today's expiry reminders, one per licence per threshold."""

from __future__ import annotations

from datetime import datetime

import click
from flask.cli import AppGroup

from app.cli.progress import run_with_progress
from app.licences import reminders

reminders_cli = AppGroup("reminders", help="到期提醒")


def _threshold_label(days: int) -> str:
    return "到期当日及已到期" if days == 0 else f"到期前{days}天"


@reminders_cli.command("scan")
@click.option("--date", "on", type=click.DateTime(formats=["%Y-%m-%d"]), help="扫描日期，默认今天")
def reminders_scan(on: datetime | None) -> None:
    """Write today's expiry reminders: one per licence per threshold, only the nearest sent."""
    summary = run_with_progress(
        lambda progress: reminders.scan(on.date() if on else None, progress)
    )
    click.echo(f"{summary.today:%Y-%m-%d} 到期提醒扫描完成：")
    for days, count in summary.thresholds.items():
        click.echo(f"  {_threshold_label(days)}：发送 {count.sent}，跳过 {count.skipped}")
    click.echo(
        f"合计发送 {summary.sent}，跳过 {summary.skipped}；临近到期的许可证 "
        f"{summary.licences_in_range} 张，其中 {summary.unclaimed} 张所属企业尚无人认领，未提醒。"
    )
