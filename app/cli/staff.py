"""``flask staff``: create, deactivate, reset the password of and list staff accounts; bind
and reset their second factor (TOTP)."""

from __future__ import annotations

import io
import sys

import click
import segno
from flask.cli import AppGroup

from app.errors import AppError
from app.services import identity, staff_accounts, totp

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


# --- second factor (TOTP, RFC 6238) ---


@staff_cli.command("totp-enrol")
@click.option("--username", required=True)
def staff_totp_enrol(username: str) -> None:
    """Give a staff account a new TOTP secret; print its otpauth:// URI and a QR code."""
    uri = totp.enrol(_staff_or_exit(username))
    picture = io.StringIO()
    segno.make(uri, error="m").terminal(out=picture, compact=True)
    click.echo(picture.getvalue(), nl=False)
    click.echo(uri)
    click.echo(f"请 {username} 用验证器扫描上面的二维码。")


@staff_cli.command("totp-reset")
@click.option("--username", required=True)
def staff_totp_reset(username: str) -> None:
    """Remove a staff account's second factor (a lost phone); enrol again before login."""
    totp.reset(_staff_or_exit(username))
    click.echo(f"已清除 {username} 的动态验证码，请重新绑定。")
