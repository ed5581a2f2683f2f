"""``flask staff``: create, deactivate, reset the password of and list staff accounts."""

from __future__ import annotations

import sys

import click
from flask.cli import AppGroup

from app.errors import AppError
from app.services import identity, staff_accounts

staff_cli = AppGroup("staff", help="管理工作人员账号")


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
