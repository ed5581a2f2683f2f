"""The workflow of each kind of application: ``new``, ``renewal``, ``change``.

All three are built from the shared states and transitions in ``common.py``.
"""

from __future__ import annotations

from workflows.definitions.change import CHANGE
from workflows.definitions.new import NEW
from workflows.definitions.renewal import RENEWAL
from workflows.engine import Workflow

WORKFLOWS: dict[str, Workflow] = {"new": NEW, "renewal": RENEWAL, "change": CHANGE}


def get_workflow(kind: str) -> Workflow:
    """The workflow of an application ``kind``; KeyError for a kind that has none."""
    return WORKFLOWS[kind]
