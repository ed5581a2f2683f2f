"""``flask outbox drain``: deliver pending notifications (inbox always, WeChat where possible)."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from app.jobs import outbox_delivery

outbox_cli = AppGroup("outbox", help="消息投递")

WECHAT_LABELS = {
    "sent": "已发送",
    "unsubscribed": "用户未订阅",
    "no_consent": "用户未同意该模板",
    "no_openid": "无微信账号",
    "disabled": "未启用",
    "failed": "失败",
}


@outbox_cli.command("drain")
@click.option("--limit", default=500, show_default=True, type=click.IntRange(min=1))
def outbox_drain(limit: int) -> None:
    """Deliver pending notifications: the in-app inbox always, WeChat where possible."""
    summary = outbox_delivery.drain(limit=limit)
    wechat = "，".join(f"{WECHAT_LABELS.get(k, k)} {n}" for k, n in sorted(summary.wechat.items()))
    click.echo(
        f"处理 {summary.claimed} 条：送达 {summary.delivered}，待重试 {summary.retry_scheduled}，"
        f"失败 {summary.failed}；站内消息 {summary.inbox_written} 条；"
        f"微信：{wechat or '无'}；获取 access_token {summary.token_fetches} 次。"
    )
    if summary.lease_lost:
        click.echo(f"{summary.lease_lost} 条处理超时，已由其他进程接手。", err=True)
