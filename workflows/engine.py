"""The workflow engine: states, transitions, guards and effects as data, and one interpreter.

The application row keeps the state. For each request the app builds a ``CaseFacts`` from
the database and asks a ``Workflow`` one of two questions: which actions may this actor
take now (``available``), and what happens if they take this one (``apply``). The answer to
the second is an ``Outcome`` — the new state and the effects the app must carry out — or a
``WorkflowError`` saying why not. Nothing here touches Flask or the database.

python-statemachine was considered: it binds the state to a Python object that lives across
calls and fires callbacks on it, while here every request rebuilds the case and evaluates
it once, statelessly. A few frozen dataclasses answer that without the library's object
lifecycle.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

from workflows.errors import (
    ActionDataInvalid,
    ActionForbidden,
    GuardFailed,
    TransitionNotAllowed,
    UnknownAction,
    WorkflowError,
)


class Effect(StrEnum):
    """What the app must do after a transition, besides storing the new state."""

    START_ACCEPTANCE_CLOCK = "start_acceptance_clock"  # Art. 32: 5 working days to accept/refuse
    STOP_CLOCK = "stop_clock"  # no statutory limit runs any more
    START_DECISION_CLOCK = "start_decision_clock"  # Art. 42 / the permit type's own limit
    # Art. 32: accepted by law, the decision limit counts from the day of receipt
    START_DECISION_CLOCK_FROM_RECEIPT = "start_decision_clock_from_receipt"
    PAUSE_CLOCK = "pause_clock"  # Art. 45: the stage does not count, where the type says so
    RESUME_CLOCK = "resume_clock"  # the paused working days move the due date
    START_DELIVERY_CLOCK = "start_delivery_clock"  # Art. 44: deliver within 10 days
    NOTIFY_APPLICANT = "notify_applicant"  # tell the enterprise's manager what happened
    RECORD_SUPPLEMENT_REQUEST = "record_supplement_request"  # 一次性告知: the complete list
    RECORD_VERDICT = "record_verdict"  # a reviewer's verdict on one material
    RECORD_INSPECTION = "record_inspection"  # the on-site inspection's result
    RECORD_RECOMMENDATION = "record_recommendation"  # the reviewer's approve/deny advice
    EXTEND_DEADLINE = "extend_deadline"  # Art. 42: the decision limit runs the type's extra days
    ISSUE_LICENCE = "issue_licence"  # number, validity, licence document; supersedes the old one
    CREATE_SHIPMENT = "create_shipment"  # carrier and tracking number of the mailed licence
    CLOSE_CASE = "close_case"  # the case is finished
    RECORD_PRE_REVIEW = "record_pre_review"  # 先期预审: the clerk's comments per material
    OPEN_JOINT_REVIEW = "open_joint_review"  # 联合审查: the units asked for an opinion
    RECORD_OPINION = "record_opinion"  # one unit's opinion in a joint review
    # 三级审批: the chief's check; "disagree" sends the case back like a return for review
    RECORD_CHECK = "record_check"
    RETURN_FOR_REVIEW = "return_for_review"  # clear the recommendation, tell the reviewer


@dataclass(frozen=True)
class State:
    """A state of a case; ``clock`` names the statutory clock running in it (informational)."""

    name: str
    label: str
    terminal: bool = False
    clock: str | None = None


@dataclass(frozen=True)
class Actor:
    """Who asks: staff roles, or ``{"applicant"}`` for the owning enterprise's manager."""

    roles: frozenset[str]


@dataclass(frozen=True)
class CaseFacts:
    """Everything guards may look at, built by the app from the stored case."""

    state: str
    missing_materials: tuple[str, ...] = ()  # required, non-deferrable, no document
    deferred_materials: tuple[str, ...] = ()  # 容缺: required but deferrable, not yet supplied
    rejected_materials: tuple[str, ...] = ()  # latest verdict "rejected", no newer upload
    unverified_materials: tuple[str, ...] = ()  # latest upload has no "ok" verdict
    inspection_required: bool = False  # from the permit type
    inspection_result: str | None = None  # "pass" | "fail" | None
    direct_extension: bool = False  # a renewal eligible for 直接延期
    recommendation: str | None = None  # "approve" | "deny" | None
    review_levels: int = 2  # from the permit type: 3 puts a chief's check before the decision
    supplement_requested: bool = False  # 一次性告知 already given (Art. 32)
    deadline_extended: bool = False  # the Art. 42 extension already granted
    today: date | None = None  # the office's date, for fields that may not lie in the past
    material_names: Mapping[str, str] = field(default_factory=dict)  # code → Chinese name


FIELD_KINDS = ("str", "date", "list", "map")


@dataclass(frozen=True)
class Field:
    """A field of an action's body; ``label`` is its Chinese name in messages.

    ``kind`` is "str" (stripped text, optionally one of ``choices``), "date" (``YYYY-MM-DD``,
    cleaned to a ``date``), "list" (a non-empty list of texts, cleaned without duplicates) or
    "map" (an object of texts by key, e.g. a comment per material).
    """

    name: str
    label: str
    required: bool = True
    kind: str = "str"
    choices: tuple[str, ...] | None = None
    max_length: int = 2000

    def __post_init__(self) -> None:
        if self.kind not in FIELD_KINDS:
            raise ValueError(f"field {self.name!r}: unknown kind {self.kind!r}")


@dataclass(frozen=True)
class Route:
    """A target chosen by the value of one of the action's fields (``check``: the chief's
    ``opinion`` agree → decision, disagree → back to review); ``targets`` pairs each value
    of the field with the state it leads to."""

    field: str
    targets: tuple[tuple[str, str], ...]

    def target(self, data: Mapping[str, Any]) -> str:
        return dict(self.targets)[data[self.field]]


# A guard looks at the facts and, when given, the action's cleaned data. It returns None
# when it holds; a ``GuardFailed`` when the case does not allow the action now; or an
# ``ActionDataInvalid`` for a rule across fields (a rejected verdict needs a reason).
# ``available`` passes data=None: a guard then skips whatever depends on the data.
Guard = Callable[[CaseFacts, Mapping[str, Any] | None], WorkflowError | None]


@dataclass(frozen=True)
class Transition:
    """One way an action moves a case; several with the same action and source are branches.

    Among the branches, the first whose ``when`` holds (or that has none) is taken.
    ``target`` None keeps the case in its state; a ``route`` instead picks the target from
    a (required, choice) field of the action. ``note`` is a Chinese remark for diagrams,
    e.g. the condition a branch stands for.
    """

    action: str
    sources: frozenset[str]
    target: str | None
    roles: frozenset[str]
    label: str = ""
    fields: tuple[Field, ...] = ()
    guards: tuple[Guard, ...] = ()
    when: Callable[[CaseFacts], bool] | None = None
    effects: tuple[Effect, ...] = ()
    note: str = ""
    route: Route | None = None

    def targets(self) -> tuple[str, ...]:
        """Every state this transition may lead to (none: it keeps the case's state)."""
        if self.route is not None:
            return tuple(target for _, target in self.route.targets)
        return () if self.target is None else (self.target,)


@dataclass(frozen=True)
class Outcome:
    """What an action does: the move, the effects to carry out, and the cleaned fields."""

    action: str
    from_state: str
    to_state: str
    effects: tuple[Effect, ...]
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Workflow:
    """A kind of case: its states and transitions, interpreted per request.

    A transition may list sources that are not states of this workflow (shared building
    blocks name every state before approval); a case is never in them, so they never match.
    """

    name: str
    initial: str
    states: Mapping[str, State]
    transitions: tuple[Transition, ...]

    def __post_init__(self) -> None:
        reached = {self.initial} | {s for t in self.transitions for s in t.targets()}
        undefined = sorted(reached - set(self.states))
        if undefined:
            raise ValueError(f"workflow {self.name!r} moves to undefined states {undefined}")
        leaving_terminal = [
            t.action for t in self.transitions if any(self.is_terminal(s) for s in t.sources)
        ]
        if leaving_terminal:
            raise ValueError(f"workflow {self.name!r}: {leaving_terminal} leave a terminal state")

    def label(self, state: str) -> str:
        """The Chinese label of ``state`` (the name itself when it is not a state here)."""
        return self.states[state].label if state in self.states else state

    def is_terminal(self, state: str) -> bool:
        return state in self.states and self.states[state].terminal

    def actions(self) -> list[str]:
        """Every action of this workflow, in definition order."""
        return list(dict.fromkeys(t.action for t in self.transitions))

    def available(self, facts: CaseFacts, actor: Actor) -> list[str]:
        """Actions ``actor`` may take now: right state, right role, every guard holding.

        Fields are not checked, and guards skip what depends on them: "recommend" stays
        available while only a recommendation to approve would be refused.
        """
        return [
            action
            for action in self.actions()
            if (transition := self._branch(facts, action)) is not None
            and transition.roles & actor.roles
            and _first_refusal(transition, facts, None) is None
        ]

    def apply(
        self, facts: CaseFacts, action: str, actor: Actor, data: Mapping[str, Any]
    ) -> Outcome:
        """The outcome of ``action``, or the reason it may not be taken.

        Checked in this order: the action exists, the actor's roles may ever take it, the
        case is in a state it starts from, the guards hold, and finally the fields.
        """
        every = [t for t in self.transitions if t.action == action]
        if not every:
            raise UnknownAction(f"没有“{action}”这项操作")
        title = every[0].label or action
        if not any(t.roles & actor.roles for t in every):
            raise ActionForbidden(f"您无权执行“{title}”")
        transition = self._branch(facts, action)
        if transition is None or not transition.roles & actor.roles:
            raise TransitionNotAllowed(
                f"申请当前处于“{self.label(facts.state)}”状态，不能执行“{title}”"
            )
        refusal = _first_refusal(transition, facts, None)
        if refusal is not None:
            raise refusal
        cleaned = _clean_data(transition, facts, data)
        if transition.route is not None:
            to_state = transition.route.target(cleaned)
        else:
            to_state = transition.target or facts.state
        return Outcome(
            action=action,
            from_state=facts.state,
            to_state=to_state,
            effects=transition.effects,
            data=cleaned,
        )

    def transition_for(self, facts: CaseFacts, action: str) -> Transition | None:
        """The transition ``action`` would take now (its label and fields draw a form)."""
        return self._branch(facts, action)

    def _branch(self, facts: CaseFacts, action: str) -> Transition | None:
        """The transition ``action`` takes from the case's state, if any."""
        for transition in self.transitions:
            if (
                transition.action == action
                and facts.state in transition.sources
                and (transition.when is None or transition.when(facts))
            ):
                return transition
        return None


def _first_refusal(
    transition: Transition, facts: CaseFacts, data: Mapping[str, Any] | None
) -> WorkflowError | None:
    for guard in transition.guards:
        refusal = guard(facts, data)
        if refusal is not None:
            return refusal
    return None


def _clean_data(
    transition: Transition, facts: CaseFacts, data: Mapping[str, Any]
) -> dict[str, Any]:
    """The cleaned fields, after the guards that depend on them.

    Every problem with the input is reported at once: field errors and the guards' rules
    across fields share one ``ActionDataInvalid``. A data-dependent ``GuardFailed`` is only
    raised for input that is otherwise valid.
    """
    cleaned: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for spec in transition.fields:
        value, problem = _clean_field(spec, data.get(spec.name))
        if problem is not None:
            errors[spec.name] = [problem]
        elif value is not None:
            cleaned[spec.name] = value
    refusals = [guard(facts, cleaned) for guard in transition.guards]
    for refusal in refusals:
        if isinstance(refusal, ActionDataInvalid):
            for name, messages in refusal.errors.items():
                errors.setdefault(name, []).extend(messages)
    if errors:
        raise ActionDataInvalid(errors)
    for refusal in refusals:
        if isinstance(refusal, GuardFailed):
            raise refusal
    return cleaned


ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _clean_field(spec: Field, value: Any) -> tuple[Any, str | None]:
    """``(cleaned value, None)``, or ``(None, Chinese message)``; an absent optional field
    cleans to None."""
    if isinstance(value, str):
        value = value.strip()
    if value is None or value == "" or (isinstance(value, list) and not value):
        return None, (f"请填写{spec.label}" if spec.required else None)
    if spec.kind == "list":
        return _clean_list(spec, value)
    if spec.kind == "map":
        return _clean_map(spec, value)
    if not isinstance(value, str):
        return None, f"{spec.label}须为文本"
    if spec.kind == "date":
        return _clean_date(spec, value)
    if spec.choices is not None and value not in spec.choices:
        return None, f"{spec.label}须为以下之一：{'、'.join(spec.choices)}"
    if len(value) > spec.max_length:
        return None, f"{spec.label}不得超过{spec.max_length}个字符"
    return value, None


def _clean_list(spec: Field, value: Any) -> tuple[list[str] | None, str | None]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        return None, f"{spec.label}须为非空的文本列表"
    items = list(dict.fromkeys(item.strip() for item in value))
    if not all(items):
        return None, f"{spec.label}不得含空白项"
    if any(len(item) > spec.max_length for item in items):
        return None, f"{spec.label}的每一项不得超过{spec.max_length}个字符"
    return items, None


def _clean_map(spec: Field, value: Any) -> tuple[dict[str, str] | None, str | None]:
    if not isinstance(value, dict) or not all(
        isinstance(key, str) and isinstance(item, str) for key, item in value.items()
    ):
        return None, f"{spec.label}须为以文本为值的对象"
    items = {key.strip(): item.strip() for key, item in value.items() if item.strip()}
    if any(len(item) > spec.max_length for item in items.values()):
        return None, f"{spec.label}的每一项不得超过{spec.max_length}个字符"
    return items or None, None


def _clean_date(spec: Field, value: str) -> tuple[date | None, str | None]:
    """Strictly ``YYYY-MM-DD``: ``date.fromisoformat`` alone would also take 20261130."""
    problem = f"{spec.label}须为YYYY-MM-DD格式的日期"
    if not ISO_DATE.fullmatch(value):
        return None, problem
    try:
        return date.fromisoformat(value), None
    except ValueError:
        return None, problem
