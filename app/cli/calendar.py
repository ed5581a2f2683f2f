"""``flask calendar check|load``: the announced holiday schedules the statutory clock reads."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import AppGroup

from app.domain import clock
from app.errors import AppError
from permits.working_days import load_schedule, statutory_days_missing, validate_schedule_file

calendar_cli = AppGroup("calendar", help="法定工作日历")


@calendar_cli.command("check")
@click.argument("files", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path))
def calendar_check(files: tuple[Path, ...]) -> None:
    """Validate holiday schedule files (a State Council notice as data) and show which years
    the clock knows."""
    problems = 0
    for path in files:
        found = validate_schedule_file(path)
        if not found:
            schedule = load_schedule(path)
            found = [f"未列为放假：{day}" for day in statutory_days_missing(schedule)]
            if not found:
                click.echo(
                    f"{path}: {schedule.year}年，{schedule.source}；"
                    f"放假{len(schedule.holidays)}天，调休上班{len(schedule.workdays)}天"
                )
        for problem in found:
            problems += 1
            click.echo(f"{path}: {problem}", err=True)
    years = sorted(clock.calendar().covered_years())
    click.echo(f"已知节假日安排的年份：{years[0]}–{years[-1]}" if years else "没有节假日数据")
    click.echo("其他年份按法定节假日规则（不含调休）计算")
    if problems:
        sys.exit(1)


@calendar_cli.command("load")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def calendar_load(file: Path) -> None:
    """Load a year's announced schedule and recompute the running cases' due dates."""
    try:
        year, moved = clock.install_schedule(file)
    except AppError as exc:
        for problem in exc.errors.get("file", [exc.detail]):
            click.echo(f"{file}: {problem}", err=True)
        sys.exit(1)
    click.echo(f"已载入{year}年节假日安排；重新计算期限的申请 {len(moved)} 件")
    for change in moved:
        click.echo(f"{change.application_number}: {change.old_due} → {change.new_due}")
