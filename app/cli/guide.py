"""``flask guide reindex|load-faq``: the guide search index and its FAQ."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from app.services import guide_search

guide_cli = AppGroup("guide", help="办事指南搜索")


@guide_cli.command("reindex")
def guide_reindex() -> None:
    """Rebuild the search index of the guides, material lists and FAQ."""
    count = guide_search.rebuild(force=True)
    click.echo(f"已重建索引：{count} 段")


@guide_cli.command("load-faq")
@click.argument("file", required=False, type=click.Path(exists=True, dir_okay=False))
def guide_load_faq(file: str | None) -> None:
    """Add or update FAQ entries from a YAML file (default: permits/faq.yaml)."""
    count = guide_search.load_faq_file(Path(file) if file else None)
    click.echo(f"已载入常见问题 {count} 条")
