"""Why the engine refused an action.

Each error carries a stable upper-snake ``code`` and a Chinese ``message`` fit to show a
user as it is. Turning them into HTTP problems is the edge's business (app/web/problems.py); each
docstring names the status the API contract expects.
"""

from __future__ import annotations

from collections.abc import Iterable


class WorkflowError(Exception):
    """Base of every refusal of the engine."""

    code = "WORKFLOW_ERROR"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class UnknownAction(WorkflowError):
    """Not an action of this workflow at all (422)."""

    code = "ACTION_UNKNOWN"


class ActionForbidden(WorkflowError):
    """None of the actor's roles may ever take this action in this workflow (403)."""

    code = "ACTION_FORBIDDEN"


class TransitionNotAllowed(WorkflowError):
    """The action exists and the role may take it, but not in the case's current state (409)."""

    code = "TRANSITION_NOT_ALLOWED"


class GuardFailed(TransitionNotAllowed):
    """A condition of the transition does not hold (409), e.g. materials still missing.

    ``code`` names the condition (``MATERIALS_MISSING`` …); ``details`` lists what is at
    fault, e.g. the material codes, for a client that wants to point at them.
    """

    def __init__(self, message: str, *, code: str, details: Iterable[str] = ()) -> None:
        super().__init__(message)
        self.code = code
        self.details: list[str] = list(details)


class ActionDataInvalid(WorkflowError):
    """The action's own fields are missing or wrong (422); ``errors`` maps field → messages."""

    code = "VALIDATION_FAILED"

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__("；".join(message for messages in errors.values() for message in messages))
        self.errors = errors
