"""The office dashboard: the figures of GET /stats, for a period and a region, with bars."""

from __future__ import annotations

from datetime import date

from flask import render_template, request

from app.console.blueprint import bp
from app.console.session import current_staff, staff_page
from app.domain import access
from app.jobs import stats
from app.schemas.stats import StatsSchema
from permits.identifiers import region_prefix
from workflows.definitions.common import STATES

MONTHS_SHOWN = 12


def _date_arg(name: str) -> date | None:
    try:
        return date.fromisoformat(request.args.get(name, ""))
    except ValueError:
        return None


@bp.route("/dashboard")
@staff_page("admin", "approver")
def dashboard():
    """Statistics for the office head: received/decided by month, rates, licences."""
    user = current_staff()
    region = request.args.get("region", "").strip() or user.region_code
    notice = None
    if not access.in_region(user, region):
        notice = f"区划 {region} 不在您的管辖范围内，已显示 {user.region_code}。"
        region = user.region_code
    first, last = _date_arg("from"), _date_arg("to")
    if first and last and first > last:
        first, last = last, first
    figures = StatsSchema().dump(stats.region_figures(region, first, last))
    months = stats.monthly_figures(region_prefix(region), MONTHS_SHOWN, last)
    peak = max([m.received for m in months] + [m.decided for m in months] + [1])
    return render_template(
        "console/dashboard.html",
        figures=figures,
        months=months,
        peak=peak,
        region=region,
        first=first,
        last=last,
        notice=notice,
        state_labels={s.name: s.label for s in STATES},
    )
