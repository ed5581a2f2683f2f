"""Command-line tools of the enterprise services: appointment reminders, the guide index."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup

from app import timekeeping
from app.errors import AppError
from app.jobs import deadline_alerts
from app.services import appointments, guide_search, office

appointments_cli = AppGroup("appointments", help="线上预约")
guide_cli = AppGroup("guide", help="办事指南搜索")
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


@appointments_cli.command("remind")
@click.option("--date", "day", type=click.DateTime(["%Y-%m-%d"]), help="按此日期计算（默认今天）")
def appointments_remind(day) -> None:
    """Daily: remind every booking of tomorrow's slots (idempotent)."""
    today: date | None = day.date() if day else None
    count = appointments.send_reminders(today)
    click.echo(f"已生成 {count} 条预约提醒")


@guide_cli.command("reindex")
def guide_reindex() -> None:
    """Rebuild the search index of the guides, material lists and FAQ."""
    count = guide_search.rebuild(force=True)
    click.echo(f"已重建索引：{count} 段")


@guide_cli.command("load-faq")
@click.argument("file", required=False, type=click.Path(exists=True, dir_okay=False))
def guide_load_faq(file: str | None) -> None:
    """Add or update FAQ entries from a YAML file (default: permits/faq.yaml)."""
    count = guide_search.load_faq_file(Path(file) if file else None)
    click.echo(f"已载入常见问题 {count} 条")


def register_services_cli(app: Flask) -> None:
    app.cli.add_command(appointments_cli)
    app.cli.add_command(guide_cli)
    app.cli.add_command(office_cli)
