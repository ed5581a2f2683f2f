"""The workflow engine: states, transitions, guards and effects as data.

python-statemachine was considered: it binds the state to a Python object that lives
across calls, while here every request rebuilds the case from the database and asks one
question (what may this actor do now? what happens if they do X?). A few dataclasses and
two functions answer that without the library's object lifecycle.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

from workflows.errors import (
    ActionDataInvalid,
    ActionForbidden,
    TransitionNotAllowed,
    UnknownAction,
    WorkflowError,
)


class Effect(StrEnum):
    START_ACCEPTANCE_CLOCK = "start_acceptance_clock"  # Art. 32: 5 working days to accept/refuse
    STOP_CLOCK = "stop_clock"  # no statutory limit runs any more
    START_DECISION_CLOCK = "start_decision_clock"  # Art. 42 / the permit type's own limit
    PAUSE_CLOCK = "pause_clock"  # Art. 45: expert review, testing … do not count
    RESUME_CLOCK = "resume_clock"  # the paused working days move the due date
    START_DELIVERY_CLOCK = "start_delivery_clock"  # Art. 44: deliver within 10 days
    NOTIFY_APPLICANT = "notify_applicant"  # an outbox row for the enterprise's manager
    RECORD_SUPPLEMENT_REQUEST = "record_supplement_request"  # 一次性告知: the complete list
    RECORD_VERDICT = "record_verdict"  # a reviewer's verdict on one material
    RECORD_INSPECTION = "record_inspection"  # the on-site inspection's result
    RECORD_RECOMMENDATION = "record_recommendation"  # the reviewer's approve/deny advice
    ISSUE_LICENCE = "issue_licence"  # number, validity, licence row; supersedes the old one
    CREATE_SHIPMENT = "create_shipment"  # carrier and tracking number of the mailed licence
    CLOSE_CASE = "close_case"  # the case is finished


@dataclass(frozen=True)
class State:
    name: str
    label: str
    terminal: bool = False


@dataclass(frozen=True)
class Actor:
    """Who asks: staff roles, or ``{"applicant"}`` for the owning enterprise's manager."""

    roles: frozenset[str]


@dataclass(frozen=True)
class CaseFacts:
    """Everything guards may look at, built by the app from the stored case."""

    state: str
    missing_materials: tuple[str, ...] = ()
    deferred_materials: tuple[str, ...] = ()
    rejected_materials: tuple[str, ...] = ()
    unverified_materials: tuple[str, ...] = ()
    inspection_required: bool = False
    inspection_result: str | None = None
    direct_extension: bool = False
    recommendation: str | None = None


@dataclass(frozen=True)
class Field:
    """A field of an action's body: ``kind`` is "str", "date" or "list" (of strings)."""

    name: str
    label: str
    required: bool = True
    kind: str = "str"
    choices: tuple[str, ...] | None = None
    max_length: int = 2000


# A guard looks at the facts and, when it matters, the action's cleaned data; ``data`` is
# None while listing available actions, and data-dependent guards then pass.
Guard = Callable[[CaseFacts, Mapping[str, Any] | None], WorkflowError | None]


@dataclass(frozen=True)
class Transition:
    action: str
    sources: frozenset[str]
    target: str | None  # None: stay in the same state
    roles: frozenset[str]
    label: str = ""
    fields: tuple[Field, ...] = ()
    guards: tuple[Guard, ...] = ()
    when: Callable[[CaseFacts], bool] | None = None
    effects: tuple[Effect, ...] = ()


@dataclass(frozen=True)
class Outcome:
    action: str
    from_state: str
    to_state: str
    effects: tuple[Effect, ...]
    data: dict[str, Any] = field(default_factory=dict)


def _clean_field(spec: Field, value: Any) -> tuple[Any, str | None]:
    """The cleaned value, or an error message in Chinese."""
    if value is None or value == "" or value == []:
        return None, (f"请填写{spec.label}" if spec.required else None)
    if spec.kind == "list":
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            return None, f"{spec.label}须为非空的文本列表"
        return list(dict.fromkeys(value)), None
    if not isinstance(value, str):
        return None, f"{spec.label}须为文本"
    value = value.strip()
    if not value:
        return None, (f"请填写{spec.label}" if spec.required else None)
    if spec.kind == "date":
        try:
            return date.fromisoformat(value), None
        except ValueError:
            return None, f"{spec.label}须为YYYY-MM-DD格式的日期"
    if spec.choices is not None and value not in spec.choices:
        return None, f"{spec.label}须为以下之一：{'、'.join(spec.choices)}"
    if len(value) > spec.max_length:
        return None, f"{spec.label}不得超过{spec.max_length}个字符"
    return value, None


@dataclass(frozen=True)
class Workflow:
    name: str
    initial: str
    states: Mapping[str, State]
    transitions: tuple[Transition, ...]

    def label(self, state: str) -> str:
        return self.states[state].label if state in self.states else state

    def is_terminal(self, state: str) -> bool:
        return state in self.states and self.states[state].terminal

    def actions(self) -> list[str]:
        return list(dict.fromkeys(t.action for t in self.transitions))

    def _candidates(self, facts: CaseFacts, action: str) -> list[Transition]:
        return [
            t
            for t in self.transitions
            if t.action == action and facts.state in t.sources and (t.when is None or t.when(facts))
        ]

    def available(self, facts: CaseFacts, actor: Actor) -> list[str]:
        """Actions ``actor`` may take now: right state, right role, every guard holding."""
        if self.is_terminal(facts.state):
            return []
        found = []
        for action in self.actions():
            transitions = self._candidates(facts, action)
            if not transitions or not (transitions[0].roles & actor.roles):
                continue
            if all(guard(facts, None) is None for guard in transitions[0].guards):
                found.append(action)
        return found

    def apply(
        self, facts: CaseFacts, action: str, actor: Actor, data: Mapping[str, Any]
    ) -> Outcome:
        """The outcome of ``action``, or the reason it may not be taken (see errors.py)."""
        every = [t for t in self.transitions if t.action == action]
        if not every:
            raise UnknownAction(f"没有名为“{action}”的操作", code="ACTION_UNKNOWN")
        if not any(t.roles & actor.roles for t in every):
            raise ActionForbidden("您的岗位无权执行此操作")
        candidates = self._candidates(facts, action)
        if not candidates or not (candidates[0].roles & actor.roles):
            label = every[0].label or action
            raise TransitionNotAllowed(
                f"申请当前处于“{self.label(facts.state)}”状态，不能执行“{label}”"
            )
        transition = candidates[0]
        cleaned, errors = {}, {}
        for spec in transition.fields:
            value, problem = _clean_field(spec, data.get(spec.name))
            if problem:
                errors[spec.name] = [problem]
            elif value is not None:
                cleaned[spec.name] = value
        for guard in transition.guards:
            failure = guard(facts, None)
            if failure is not None:
                raise failure
        if errors:
            raise ActionDataInvalid(errors)
        for guard in transition.guards:
            failure = guard(facts, cleaned)
            if failure is not None:
                raise failure
        return Outcome(
            action=action,
            from_state=facts.state,
            to_state=transition.target or facts.state,
            effects=transition.effects,
            data=cleaned,
        )
