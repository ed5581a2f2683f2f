"""Command-line tools of the integration API: machine clients and webhook deliveries."""

from __future__ import annotations

import sys

import click
from flask.cli import AppGroup

from app import timekeeping
from app.errors import AppError
from app.jobs import webhook_delivery
from app.schemas.event_types import SCOPES
from app.services import api_clients

clients_cli = AppGroup("clients", help="对接系统的客户端")
webhooks_cli = AppGroup("webhooks", help="事件推送")


@clients_cli.command("create")
@click.option("--name", required=True, help="对接系统名称，如 省政务服务平台")
@click.option("--scopes", "scopes", required=True, multiple=True, help=f"{'、'.join(SCOPES)}")
@click.argument("more_scopes", nargs=-1)
def clients_create(name: str, scopes: tuple[str, ...], more_scopes: tuple[str, ...]) -> None:
    """Create a client; its secret is printed once and cannot be shown again.

    ``--scopes events:read licences:read`` (the contract's form), ``--scopes a --scopes b``
    and ``--scopes a,b`` all work.
    """
    named = [s.strip() for value in (*scopes, *more_scopes) for s in value.split(",") if s.strip()]
    try:
        client, secret = api_clients.create_client(name, named)
    except AppError as exc:
        click.echo(exc.detail, err=True)
        sys.exit(1)
    click.echo(f"client_id: {client.client_id}")
    click.echo(f"client_secret: {secret}")
    click.echo(f"权限范围: {' '.join(client.scopes)}（密钥只显示这一次，请妥善交付对方）")


@clients_cli.command("list")
def clients_list() -> None:
    """Every client: id, name, scopes, and whether it is revoked."""
    for client in api_clients.list_clients():
        state = (
            f"已吊销 {timekeeping.local_iso(client.revoked_at)}" if client.revoked_at else "有效"
        )
        click.echo(f"{client.client_id}\t{client.name}\t{' '.join(client.scopes)}\t{state}")


@clients_cli.command("revoke")
@click.argument("client_id")
def clients_revoke(client_id: str) -> None:
    """Revoke a client: its tokens stop working at once."""
    try:
        client = api_clients.revoke_client(client_id)
    except AppError as exc:
        click.echo(exc.detail, err=True)
        sys.exit(1)
    click.echo(f"已吊销客户端 {client.client_id}（{client.name}）")


@webhooks_cli.command("deliver")
def webhooks_deliver() -> None:
    """One round of webhook deliveries (the worker does this every few seconds)."""
    summary = webhook_delivery.run()
    click.echo(
        f"新排队 {summary.queued}，送达 {summary.delivered}，"
        f"失败待重试 {summary.failed}，停用地址 {summary.disabled}"
    )
