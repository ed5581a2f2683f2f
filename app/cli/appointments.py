"""``flask appointments remind``: the daily reminder of tomorrow's bookings."""

from __future__ import annotations

from datetime import date

import click
from flask.cli import AppGroup

from app.services import appointments

appointments_cli = AppGroup("appointments", help="线上预约")


@appointments_cli.command("remind")
@click.option("--date", "day", type=click.DateTime(["%Y-%m-%d"]), help="按此日期计算（默认今天）")
def appointments_remind(day) -> None:
    """Daily: remind every booking of tomorrow's slots (idempotent)."""
    today: date | None = day.date() if day else None
    count = appointments.send_reminders(today)
    click.echo(f"已生成 {count} 条预约提醒")
