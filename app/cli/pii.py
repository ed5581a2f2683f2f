"""``flask pii rotate-key``: re-seal the stored personal data under the current PII_KEY."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from app.extensions import db
from app.models.sealed import keyring
from app.services import pii_keys

pii_cli = AppGroup("pii", help="个人信息加密")


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
