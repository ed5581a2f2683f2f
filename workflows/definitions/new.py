"""A first application: acceptance, review (with on-site inspection where the permit type
requires it), decision, delivery."""

from workflows.definitions.common import (
    ACCEPT,
    DECISION,
    DEEMED_ACCEPT,
    INSPECTION,
    INTAKE,
    REVIEW,
    build,
)
from workflows.definitions.modes import MODES

NEW = build("new", (*INTAKE, ACCEPT, DEEMED_ACCEPT, *REVIEW, *INSPECTION, *DECISION, *MODES))
