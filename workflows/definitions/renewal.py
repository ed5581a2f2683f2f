"""Renewal (延续, Art. 50): like a new application, except that a renewal eligible for direct
extension (直接延期) goes from acceptance straight to the decision, skipping review and
inspection."""

from dataclasses import replace

from workflows.definitions.common import ACCEPT, DECISION, INSPECTION, INTAKE, REVIEW, build
from workflows.definitions.modes import MODES
from workflows.engine import CaseFacts


def eligible_for_direct_extension(facts: CaseFacts) -> bool:
    return facts.direct_extension


# Listed before the plain ACCEPT, which is the branch taken otherwise.
DIRECT_EXTENSION_ACCEPT = replace(
    ACCEPT, target="pending_decision", when=eligible_for_direct_extension, note="直接延期"
)

RENEWAL = build(
    "renewal", (*INTAKE, DIRECT_EXTENSION_ACCEPT, ACCEPT, *REVIEW, *INSPECTION, *DECISION, *MODES)
)
