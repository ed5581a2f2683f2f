"""Command-line tools of the level-3 controls: staff second factor, key rotation of the
sealed personal data."""

from __future__ import annotations

import io
import sys

import click
import segno
from flask import Flask
from flask.cli import AppGroup

from app.errors import AppError
from app.extensions import db
from app.models.sealed import keyring
from app.services import pii_keys, staff_accounts, totp

pii_cli = AppGroup("pii", help="个人信息加密")


def _staff_or_exit(username: str):
    try:
        return staff_accounts.find_staff(username)
    except AppError as exc:
        click.echo(exc.detail, err=True)
        sys.exit(1)


@click.command("totp-enrol")
@click.option("--username", required=True)
def staff_totp_enrol(username: str) -> None:
    """Give a staff account a new TOTP secret; print its otpauth:// URI and a QR code."""
    uri = totp.enrol(_staff_or_exit(username))
    picture = io.StringIO()
    segno.make(uri, error="m").terminal(out=picture, compact=True)
    click.echo(picture.getvalue(), nl=False)
    click.echo(uri)
    click.echo(f"请 {username} 用验证器扫描上面的二维码。")


@click.command("totp-reset")
@click.option("--username", required=True)
def staff_totp_reset(username: str) -> None:
    """Remove a staff account's second factor (a lost phone); enrol again before login."""
    totp.reset(_staff_or_exit(username))
    click.echo(f"已清除 {username} 的动态验证码，请重新绑定。")


@pii_cli.command("rotate-key")
@click.option("--batch-size", default=500, show_default=True, type=click.IntRange(1, 100_000))
def pii_rotate_key(batch_size: int) -> None:
    """Re-seal every personal value under the current PII_KEY (old keys in PII_PREVIOUS_KEYS).

    Safe to stop and run again: each batch commits on its own and finished rows are skipped.
    """
    ring = keyring()

    def progress(table: str, done: int, total: int) -> None:
        click.echo(f"{table}: {done}/{total}")

    with db.engine.connect() as connection:
        changed = pii_keys.seal_all(
            connection, ring, batch_size=batch_size, commit=connection.commit, progress=progress
        )
    click.echo(
        f"已用密钥 {ring.current.key_id}（{ring.cipher}）重新加密 {sum(changed.values())} 行："
        + "，".join(f"{table} {count}" for table, count in changed.items())
    )


def register_security_cli(app: Flask) -> None:
    app.cli.add_command(pii_cli)
    staff = app.cli.commands["staff"]
    staff.add_command(staff_totp_enrol)
    staff.add_command(staff_totp_reset)
