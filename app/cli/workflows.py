"""``flask workflows diagram``: the Mermaid diagrams of docs/workflows.md, written or checked."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import AppGroup

from workflows.definitions import WORKFLOWS
from workflows.diagram import render_markdown

workflows_cli = AppGroup("workflows", help="流程定义")

WORKFLOWS_DOC = Path("docs") / "workflows.md"


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
