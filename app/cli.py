"""Command-line tools for the office: staff, demo data, audit, diagrams, calendar, worker."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext

from app.cli_integration import register_integration_cli
from app.cli_operations import register_operations_cli
from app.cli_services import register_services_cli
from app.demo import DEMO_PASSWORD, STAFF, demo_accounts_present, load_demo_data
from app.domain import clock, timeline
from app.errors import AppError
from app.jobs.sweep import sweep
from app.services import identity, staff_accounts
from app.worker import Worker
from permits.working_days import load_schedule, statutory_days_missing, validate_schedule_file
from workflows.definitions import WORKFLOWS
from workflows.diagram import render_markdown

staff_cli = AppGroup("staff", help="管理工作人员账号")
demo_cli = AppGroup("demo", help="演示数据")
audit_cli = AppGroup("audit", help="审计")
workflows_cli = AppGroup("workflows", help="流程定义")
calendar_cli = AppGroup("calendar", help="法定工作日历")
cases_cli = AppGroup("cases", help="案件")

WORKFLOWS_DOC = Path("docs") / "workflows.md"


@staff_cli.command("create")
@click.option("--username", required=True)
@click.option("--password", required=True, prompt=True, hide_input=True)
@click.option("--role", "roles", multiple=True, required=True)
@click.option("--region", required=True, help="行政区划代码，如 120000")
def staff_create(username: str, password: str, roles: tuple[str, ...], region: str) -> None:
    """Create a staff account with roles and a jurisdiction."""
    try:
        user = identity.create_staff(username, password, list(roles), region)
    except AppError as exc:
        for field, messages in exc.errors.items():
            click.echo(f"{field}: {'；'.join(messages)}", err=True)
        sys.exit(1)
    click.echo(f"已创建工作人员 {user.username}（{', '.join(user.roles)}，{user.region_code}）")


# --- staff accounts: deactivate, reset-password, list (the console's administration too) ---


def _staff_or_exit(username: str):
    try:
        return staff_accounts.find_staff(username)
    except AppError as exc:
        click.echo(exc.detail, err=True)
        sys.exit(1)


@staff_cli.command("deactivate")
@click.option("--username", required=True)
def staff_deactivate(username: str) -> None:
    """Deactivate an account: no more logins; its tokens and sessions stop working."""
    user = staff_accounts.set_active(_staff_or_exit(username), False)
    click.echo(f"已停用工作人员 {user.username}")


@staff_cli.command("reset-password")
@click.option("--username", required=True)
@click.option("--password", required=True, prompt=True, hide_input=True, confirmation_prompt=True)
def staff_reset_password(username: str, password: str) -> None:
    """Set a new password (console sessions opened with the old one end)."""
    try:
        user = staff_accounts.reset_password(_staff_or_exit(username), password)
    except AppError as exc:
        click.echo(exc.detail, err=True)
        sys.exit(1)
    click.echo(f"已重置 {user.username} 的密码")


@staff_cli.command("list")
def staff_list() -> None:
    """List staff accounts with roles, region and whether they are active."""
    for user in staff_accounts.list_staff():
        state = "在用" if user.active else "已停用"
        click.echo(f"{user.username:<16} {','.join(user.roles):<28} {user.region_code}  {state}")


# --- end of staff accounts block ---


@demo_cli.command("load-if-empty")
def demo_load_if_empty() -> None:
    """Load demo enterprises, cases and staff when the database has no users; show the accounts."""
    if not current_app.config["DEMO_DATA_ALLOWED"]:
        click.echo("生产环境不加载演示数据", err=True)
        sys.exit(1)
    if load_demo_data() is None:
        click.echo("数据库已有数据，跳过演示数据。")
    if demo_accounts_present():
        click.echo(f"演示账号（工作人员，密码均为 {DEMO_PASSWORD}）：")
        for username, roles, region in STAFF:
            click.echo(f"  {username:<12} {','.join(roles):<28} {region}")
        click.echo(
            '申请人：在 WECHAT_MODE=fake 下用 code "demo-applicant" 登录 POST /api/v1/auth/wechat'
        )
    base = f"http://127.0.0.1:{current_app.config['PORT']}"
    click.echo(f"接口文档：{base}/api/docs    工作人员控制台：{base}/console/")
    click.echo(f"健康检查：{base}/api/v1/health")


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


@workflows_cli.command("diagram")
@click.option("--check", is_flag=True, help="只检查 docs/workflows.md 是否与定义一致")
def workflows_diagram(check: bool) -> None:
    """Write the Mermaid diagram of each workflow to docs/workflows.md."""
    content = render_markdown(WORKFLOWS)
    if check:
        current = WORKFLOWS_DOC.read_text(encoding="utf-8") if WORKFLOWS_DOC.exists() else ""
        if current != content:
            click.echo(
                "docs/workflows.md 与流程定义不一致，请运行 flask workflows diagram", err=True
            )
            sys.exit(1)
        click.echo("docs/workflows.md 与流程定义一致。")
        return
    WORKFLOWS_DOC.parent.mkdir(exist_ok=True)
    WORKFLOWS_DOC.write_text(content, encoding="utf-8")
    click.echo(f"已写入 {WORKFLOWS_DOC}")


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


@click.command("worker")
@click.option("--interval", default=5.0, show_default=True, type=click.FloatRange(min=0))
@click.option("--iterations", type=click.IntRange(min=1), help="运行指定轮数后退出（测试用）")
@with_appcontext
def worker_command(interval: float, iterations: int | None) -> None:
    """Deliver the outbox every INTERVAL seconds and run the daily jobs once per office day."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    worker = Worker(interval=interval)
    worker.stop_on_signals()
    names = "、".join(job.name for job in worker.jobs) or "无"
    click.echo(f"后台任务已启动：每 {interval:g} 秒投递消息；每日任务：{names}。")
    ticks = worker.run(iterations)
    click.echo(f"后台任务已停止（共运行 {ticks} 轮）。")


def register_cli(app: Flask) -> None:
    for group in (staff_cli, demo_cli, audit_cli, workflows_cli, calendar_cli, cases_cli):
        app.cli.add_command(group)
    app.cli.add_command(worker_command)
    register_operations_cli(app)
    register_services_cli(app)
    register_integration_cli(app)
