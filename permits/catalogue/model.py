"""What a catalogue file becomes: frozen ``PermitType`` objects and their parts."""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from jsonschema import Draft202012Validator

from permits.instant import InstantCondition

KINDS = ("new", "renewal", "change")
LIMITS = ("acceptance", "decision", "change_decision", "delivery")
EXTENSION_CONDITIONS = ("no_revocation_in_period", "no_fatal_accident_declared")
PAUSE_STAGES = ("expert_review", "inspection", "hearing")
DEFAULT_REVIEW_LEVELS = 2
DEFAULT_EXTENSION_DAYS = 10  # 《行政许可法》Art. 42: 20 days, extendable by 10


class CatalogueError(Exception):
    """A catalogue file that cannot be used; names the file and every problem found in it."""

    def __init__(self, file: str, problems: Sequence[str]) -> None:
        self.file = file
        self.problems = list(problems)
        super().__init__(f"许可事项清单文件 {file} 有误：" + "；".join(self.problems))


@dataclass(frozen=True)
class Condition:
    """When a material applies, judged on the form: ``field`` equals or contains ``value``."""

    field: str
    operator: str  # "equals" | "contains"
    value: Any

    def holds(self, form: Mapping[str, Any]) -> bool:
        answer = form.get(self.field)
        if self.operator == "contains":
            return isinstance(answer, list) and self.value in answer
        return bool(answer == self.value)

    def as_dict(self) -> dict[str, Any]:
        return {"field": self.field, self.operator: self.value}


@dataclass(frozen=True)
class Material:
    """One document an applicant uploads; ``deferrable`` ones may follow later (容缺受理)."""

    code: str
    name: str
    required: bool
    deferrable: bool
    kinds: tuple[str, ...]
    when: Condition | None = None
    commitment_text: str | None = None  # 告知承诺制: the text signed instead of the document

    @property
    def commitment_allowed(self) -> bool:
        return self.commitment_text is not None

    def applies(self, kind: str, form: Mapping[str, Any]) -> bool:
        return kind in self.kinds and (self.when is None or self.when.holds(form))

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "required": self.required,
            "deferrable": self.deferrable,
            "kinds": list(self.kinds),
            "when": self.when.as_dict() if self.when else None,
            "commitment_allowed": self.commitment_allowed,
            "commitment_text": self.commitment_text,
        }


@dataclass(frozen=True)
class DirectExtension:
    """Whether a renewal may skip review (直接延期), and the condition keys the app evaluates."""

    allowed: bool
    conditions: tuple[str, ...]


@dataclass(frozen=True)
class ClockPause:
    """A stage whose time does not count toward the decision limit, and the rule saying so."""

    stage: str  # one of PAUSE_STAGES
    basis: str


@dataclass(frozen=True)
class InspectionExemption:
    """A condition under which a ``kind`` case needs no on-site inspection.

    ``provinces`` (2-digit prefixes) confines a provincial practice to its province; empty
    means everywhere. ``practice`` says where the rule comes from, shown to staff.
    """

    kind: str
    field: str
    values: tuple[str, ...]
    label: str
    practice: str
    provinces: tuple[str, ...] = ()

    def holds(self, kind: str, form: Mapping[str, Any], region_code: str) -> bool:
        if kind != self.kind or form.get(self.field) not in self.values:
            return False
        return not self.provinces or region_code[:2] in self.provinces


@dataclass(frozen=True)
class PermitType:
    """One permit type of the catalogue, as its file describes it."""

    code: str
    name: str
    authority_level: str  # "province" | "city" | "county"
    authority_note: str
    legal_basis: tuple[str, ...]
    type_code: str  # electronic-licence type code in 1.2.156.3005.2.{type_code}.…
    acceptance_limit_days: int
    decision_limit_days: int
    change_decision_limit_days: int | None
    delivery_limit_days: int
    working_days: dict[str, bool]  # limit name → counted in working days
    validity_years: int
    renewal_window_days: int
    reminder_days: tuple[int, ...]  # days before expiry, descending; 0 = the expiry day
    inspection_required: bool
    direct_extension: DirectExtension
    number_template: str
    licence_template: str  # the layout in pdf_templates/, shared by types that look alike
    holder_label: str  # the label of the holder's row on the licence: 企业名称, 单位名称, 姓名
    holder: str  # "enterprise" | "person"
    guide: str
    materials: tuple[Material, ...]
    form_schema: dict[str, dict[str, Any]]
    licence_fields: dict[str, str]  # form field → label printed on the licence
    examples: dict[str, dict[str, Any]]  # read through ``example_forms``, which copies
    instant: dict[str, tuple[InstantCondition, ...]] = field(default_factory=dict)
    post_check_rate: float = 0.0  # share of instant approvals put on the post-check queue
    extension_days: int = DEFAULT_EXTENSION_DAYS  # Art. 42 extension of the decision limit
    clock_pauses: tuple[ClockPause, ...] = ()
    inspection_exemptions: tuple[InspectionExemption, ...] = ()
    # 2: reviewer → approver; 3: reviewer → section chief's check (审核) → approver
    review_levels: int = DEFAULT_REVIEW_LEVELS

    @cached_property
    def _required_only_validator(self) -> Draft202012Validator:
        """A validator of the new-application form that only decides which top-level fields
        are required, built once per permit type.

        A licence list asks ``missing_particulars`` for every licence it shows; the full
        schema would also validate every property's value (patterns, list items), which
        cannot make a top-level field required and cost most of the list's time. The
        ``required``, ``if``/``then`` and ``allOf`` rules stay (a conditional rule reads the
        properties it tests in its own ``if``); the top-level property schemas go.
        """
        schema = {
            keyword: rule
            for keyword, rule in self.form_schema["new"].items()
            if keyword not in ("properties", "additionalProperties", "patternProperties")
        }
        return Draft202012Validator(schema)

    def missing_particulars(self, form: Mapping[str, Any]) -> list[str]:
        """Licence fields the new-application form would require for ``form`` but it lacks.

        A licence must print every particular its type requires (经营场所, 许可范围 …), so a
        missing or blank one blocks issue; a conditional one (储存场所 only with storage)
        counts when its condition holds.
        """
        filled = {key: value for key, value in form.items() if value not in ("", [], None)}
        validator = self._required_only_validator
        required = {
            name
            for error in validator.iter_errors(filled)
            if error.validator == "required" and not error.path
            for name in error.validator_value
            if name not in filled
        }
        return [name for name in self.licence_fields if name in required]

    def clock_pause(self, stage: str) -> ClockPause | None:
        """The rule under which time spent in ``stage`` does not count, if any."""
        return next((pause for pause in self.clock_pauses if pause.stage == stage), None)

    def inspection_exemption(
        self, kind: str, form: Mapping[str, Any], region_code: str
    ) -> InspectionExemption | None:
        """The exemption that spares this case the on-site inspection, if one holds."""
        return next(
            (rule for rule in self.inspection_exemptions if rule.holds(kind, form, region_code)),
            None,
        )

    @property
    def kinds(self) -> tuple[str, ...]:
        return tuple(kind for kind in KINDS if kind in self.form_schema)

    @property
    def example_forms(self) -> dict[str, dict[str, Any]]:
        """A filled, valid form per kind; a fresh copy, so callers may edit it freely."""
        return copy.deepcopy(self.examples)

    def materials_for(self, kind: str, form: Mapping[str, Any]) -> list[Material]:
        """The materials an application of ``kind`` with this ``form`` must list."""
        self._check_kind(kind)
        return [material for material in self.materials if material.applies(kind, form)]

    def decision_limit(self, kind: str) -> int:
        """Days from acceptance to the decision for ``kind`` (changes may have their own)."""
        self._check_kind(kind)
        if kind == "change" and self.change_decision_limit_days is not None:
            return self.change_decision_limit_days
        return self.decision_limit_days

    def summary(self) -> dict[str, Any]:
        """The catalogue list entry of the API contract."""
        return {
            "code": self.code,
            "name": self.name,
            "authority_level": self.authority_level,
            "validity_years": self.validity_years,
            "decision_limit_days": self.decision_limit_days,
            "kinds": list(self.kinds),
            "renewal_window_days": self.renewal_window_days,
            "holder": self.holder,
        }

    def detail(self) -> dict[str, Any]:
        """The catalogue item of the API contract: materials, form schemas and guide added."""
        return {
            **self.summary(),
            "authority_note": self.authority_note,
            "legal_basis": list(self.legal_basis),
            "acceptance_limit_days": self.acceptance_limit_days,
            "change_decision_limit_days": self.change_decision_limit_days,
            "delivery_limit_days": self.delivery_limit_days,
            "working_days": dict(self.working_days),
            "inspection_required": self.inspection_required,
            "review_levels": self.review_levels,
            "direct_extension": {
                "allowed": self.direct_extension.allowed,
                "conditions": list(self.direct_extension.conditions),
            },
            "reminder_days": list(self.reminder_days),
            "extension_days": self.extension_days,
            "clock_pauses": [
                {"stage": pause.stage, "basis": pause.basis} for pause in self.clock_pauses
            ],
            "inspection_exemptions": [
                {
                    "kind": rule.kind,
                    "field": rule.field,
                    "values": list(rule.values),
                    "label": rule.label,
                    "practice": rule.practice,
                    "provinces": list(rule.provinces),
                }
                for rule in self.inspection_exemptions
            ],
            "materials": [material.as_dict() for material in self.materials],
            "form_schema": copy.deepcopy(self.form_schema),
            "guide": self.guide,
            "instant": {
                kind: {"conditions": [item.as_dict() for item in conditions]}
                for kind, conditions in self.instant.items()
            },
        }

    def _check_kind(self, kind: str) -> None:
        if kind not in self.form_schema:
            raise ValueError(f"permit type {self.code} has no kind {kind!r}")
