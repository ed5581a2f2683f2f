"""The committed diagrams are the definitions."""

from __future__ import annotations

from pathlib import Path

from workflows.definitions import WORKFLOWS
from workflows.diagram import render_markdown, to_mermaid

DOC = Path(__file__).resolve().parents[2] / "docs" / "workflows.md"


def test_docs_workflows_md_matches_the_definitions():
    assert DOC.read_text(encoding="utf-8") == render_markdown(WORKFLOWS), (
        "docs/workflows.md is stale: run `flask --app app workflows diagram`"
    )


def test_diagram_shows_every_action_and_ends_terminal_states():
    for workflow in WORKFLOWS.values():
        diagram = to_mermaid(workflow)
        for action in workflow.actions():
            assert f"（{action}，" in diagram
        assert "delivered --> [*]" in diagram
