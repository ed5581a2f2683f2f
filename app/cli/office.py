"""``flask office …``: how a region's cases get their owner, and the deadline alerts."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from app import timekeeping
from app.errors import AppError
from app.jobs import deadline_alerts
from app.services import office

office_cli = AppGroup("office", help="承办：案件分配方式、期限预警")


@office_cli.command("set-assignment")
@click.option("--region", required=True, help="行政区划代码，如 120000")
@click.option("--mode", required=True, type=click.Choice(["manual", "least_loaded"]))
def office_set_assignment(region: str, mode: str) -> None:
    """How a region's accepted cases get their owner: manual or least_loaded."""
    try:
        row = office.set_assignment(None, region, mode)
    except AppError as exc:
        raise click.ClickException(exc.detail) from exc
    label = "受理时自动分配给在办案件最少的审查人员" if mode == "least_loaded" else "手工指定或认领"
    click.echo(f"{row.region_code} 的案件分配方式：{mode}（{label}）")


@office_cli.command("deadline-alerts")
def office_deadline_alerts() -> None:
    """Send today's deadline warnings and overdue escalations (idempotent)."""
    summary = deadline_alerts.scan(timekeeping.today())
    click.echo(f"期限预警 {summary.warned} 条，超期督办 {summary.escalated} 条")
