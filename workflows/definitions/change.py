"""Change (变更) of name, principal, registered address or storage monitoring: reviewed on
the papers, with no on-site inspection (no inspection state, no inspection actions)."""

from workflows.definitions.common import ACCEPT, DECISION, DEEMED_ACCEPT, INTAKE, REVIEW, build
from workflows.definitions.modes import MODES

CHANGE = build(
    "change", (*INTAKE, ACCEPT, DEEMED_ACCEPT, *REVIEW, *DECISION, *MODES), without=("inspection",)
)
