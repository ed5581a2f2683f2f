"""``flask cases sweep``: deemed acceptance (Art. 32) and deemed renewal (Art. 50)."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from app.jobs.sweep import sweep

cases_cli = AppGroup("cases", help="案件")


@cases_cli.command("sweep")
@click.option(
    "--date",
    "as_of",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="按该日期判断（YYYY-MM-DD），默认今天",
)
def cases_sweep(as_of) -> None:
    """Deemed acceptance (Art. 32) and deemed renewal (Art. 50); safe to run again."""
    summary = sweep(as_of.date() if as_of else None)
    accepted, approved = len(summary.deemed_accepted), len(summary.deemed_approved)
    click.echo(
        f"视为受理 {accepted} 件，视为准予延续 {approved} 件，已被新证替代 {summary.superseded} 张"
    )
    for number in summary.deemed_accepted:
        click.echo(f"视为受理：{number}")
    for number in summary.deemed_approved:
        click.echo(f"视为准予延续：{number}")
    for number, reason in summary.failed:
        click.echo(f"未处理：{number}：{reason}", err=True)
