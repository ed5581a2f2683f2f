"""Why the engine refused an action; each error has a stable ``code`` and a Chinese ``message``."""

from __future__ import annotations


class WorkflowError(Exception):
    code = "WORKFLOW_ERROR"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        self.message = message
        if code is not None:
            self.code = code
        super().__init__(message)


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
    """A condition of the transition does not hold (409), e.g. materials still missing."""

    def __init__(self, message: str, *, code: str, details: tuple[str, ...] = ()) -> None:
        super().__init__(message, code=code)
        self.details = details


class ActionDataInvalid(WorkflowError):
    """The action's own fields are missing or wrong (422); ``errors`` maps field → messages."""

    code = "VALIDATION_FAILED"

    def __init__(self, errors: dict[str, list[str]]) -> None:
        self.errors = errors
        first_field, first_messages = next(iter(errors.items()))
        super().__init__(f"{first_field}：{first_messages[0]}")
