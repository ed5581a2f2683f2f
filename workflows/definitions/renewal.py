"""Renewal (延续): like a new application, but an eligible enterprise's renewal skips review
and inspection (直接延期) and goes from acceptance straight to the decision."""

from dataclasses import replace

from workflows.definitions.common import (
    ACCEPT,
    DECISION,
    INSPECTION,
    INTAKE,
    REVIEW,
    build,
)

DIRECT_ACCEPT = replace(
    ACCEPT, target="pending_decision", when=lambda facts: facts.direct_extension
)
REVIEWED_ACCEPT = replace(ACCEPT, when=lambda facts: not facts.direct_extension)

RENEWAL = build(
    "renewal", (*INTAKE, DIRECT_ACCEPT, REVIEWED_ACCEPT, *REVIEW, *INSPECTION, *DECISION)
)
