"""Renewal (延续, Art. 50): like a new application, except that a renewal eligible for direct
extension (直接延期) goes from acceptance straight to the decision, skipping review and
inspection, and that a renewal not decided before the licence expires is approved by law."""

from dataclasses import replace

from workflows.definitions.common import (
    ACCEPT,
    DECISION,
    DEEMED_ACCEPT,
    INSPECTION,
    INTAKE,
    OFFICE_OWES,
    REVIEW,
    build,
    t,
)
from workflows.definitions.modes import MODES
from workflows.engine import CaseFacts, Effect


def eligible_for_direct_extension(facts: CaseFacts) -> bool:
    return facts.direct_extension


# Listed before the plain ACCEPT, which is the branch taken otherwise.
DIRECT_EXTENSION_ACCEPT = replace(
    ACCEPT, target="pending_decision", when=eligible_for_direct_extension, note="直接延期"
)

DIRECT_EXTENSION_DEEMED_ACCEPT = replace(
    DEEMED_ACCEPT, target="pending_decision", when=eligible_for_direct_extension, note="直接延期"
)

# Art. 50: no decision before the licence expires counts as approval; the sweep takes it.
DEEMED_APPROVE = t(
    "deemed_approve",
    OFFICE_OWES,
    "approved",
    "system",
    "依法视为准予延续",
    effects=(
        Effect.STOP_CLOCK,
        Effect.ISSUE_LICENCE,
        Effect.START_DELIVERY_CLOCK,
        Effect.NOTIFY_APPLICANT,
    ),
)

RENEWAL = build(
    "renewal",
    (
        *INTAKE,
        DIRECT_EXTENSION_ACCEPT,
        ACCEPT,
        DIRECT_EXTENSION_DEEMED_ACCEPT,
        DEEMED_ACCEPT,
        *REVIEW,
        *INSPECTION,
        *DECISION,
        DEEMED_APPROVE,
        *MODES,
    ),
)
