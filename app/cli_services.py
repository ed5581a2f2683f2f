"""Command-line tools of the enterprise services: appointment reminders, the guide index."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup

from app.services import appointments, guide_search

appointments_cli = AppGroup("appointments", help="线上预约")
guide_cli = AppGroup("guide", help="办事指南搜索")


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
