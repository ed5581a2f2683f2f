"""``flask stats report``: the office's monthly chart (PNG)."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from app.jobs import stats
from permits.identifiers import is_region_code, region_prefix
from permits.numbering import region_name

stats_cli = AppGroup("stats", help="统计")


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
