"""``flask audit verify``: recompute every case's timeline hash chain."""

from __future__ import annotations

import sys

import click
from flask.cli import AppGroup

from app.domain import timeline

audit_cli = AppGroup("audit", help="审计")


@audit_cli.command("verify")
def audit_verify() -> None:
    """Recompute every case's timeline hash chain and name the first broken entry."""
    broken = 0
    case_ids = timeline.all_case_ids_with_entries()
    for case_id in case_ids:
        problem = timeline.verify_chain(case_id)
        if problem:
            broken += 1
            click.echo(f"申请 {problem.application_id} 第 {problem.seq} 条：{problem.reason}")
    if broken:
        click.echo(f"发现 {broken} 个申请的时间线被改动。", err=True)
        sys.exit(1)
    click.echo(f"已核验 {len(case_ids)} 个申请的时间线，全部完好。")
