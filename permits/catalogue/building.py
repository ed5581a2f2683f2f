"""Turning a checked catalogue file into its ``PermitType``."""

from __future__ import annotations

from typing import Any

from permits.catalogue.model import (
    DEFAULT_EXTENSION_DAYS,
    DEFAULT_REVIEW_LEVELS,
    KINDS,
    ClockPause,
    Condition,
    DirectExtension,
    InspectionExemption,
    Material,
    PermitType,
)
from permits.instant import condition

# Art. 45: hearings, testing, expert review … do not count toward the limit.
DEFAULT_CLOCK_PAUSES = (
    {"stage": "expert_review", "basis": "《中华人民共和国行政许可法》第四十五条"},
    {"stage": "hearing", "basis": "《中华人民共和国行政许可法》第四十五条"},
)


def _condition(when: dict[str, Any] | None) -> Condition | None:
    if when is None:
        return None
    operator = "contains" if "contains" in when else "equals"
    return Condition(field=when["field"], operator=operator, value=when[operator])


def _material(data: dict[str, Any]) -> Material:
    return Material(
        code=data["code"],
        name=data["name"],
        required=data["required"],
        deferrable=data["deferrable"],
        kinds=tuple(kind for kind in KINDS if kind in data["kinds"]),
        when=_condition(data.get("when")),
        commitment_text=(
            data["commitment_text"].strip() if data.get("commitment_allowed") else None
        ),
    )


def build(data: dict[str, Any]) -> PermitType:
    return PermitType(
        code=data["code"],
        name=data["name"],
        authority_level=data["authority_level"],
        authority_note=data["authority_note"],
        legal_basis=tuple(data["legal_basis"]),
        type_code=data["type_code"],
        acceptance_limit_days=data["acceptance_limit_days"],
        decision_limit_days=data["decision_limit_days"],
        change_decision_limit_days=data["change_decision_limit_days"],
        delivery_limit_days=data["delivery_limit_days"],
        working_days=data["working_days"],
        validity_years=data["validity_years"],
        renewal_window_days=data["renewal_window_days"],
        reminder_days=tuple(data["reminder_days"]),
        inspection_required=data["inspection_required"],
        direct_extension=DirectExtension(
            allowed=data["direct_extension"]["allowed"],
            conditions=tuple(data["direct_extension"]["conditions"]),
        ),
        number_template=data["number_template"],
        licence_template=data["licence_template"],
        holder_label=data["holder_label"],
        holder=data["holder"],
        guide=data["guide"].strip(),
        materials=tuple(_material(material) for material in data["materials"]),
        form_schema={
            kind: data["form_schema"][kind] for kind in KINDS if kind in data["form_schema"]
        },
        licence_fields=data["licence_fields"],
        examples=data["example_forms"],
        extension_days=data.get("extension_days", DEFAULT_EXTENSION_DAYS),
        review_levels=data.get("review_levels", DEFAULT_REVIEW_LEVELS),
        clock_pauses=tuple(
            ClockPause(item["stage"], item["basis"])
            for item in data.get("clock_pauses", DEFAULT_CLOCK_PAUSES)
        ),
        inspection_exemptions=tuple(
            InspectionExemption(
                kind=item["kind"],
                field=item["field"],
                values=tuple(item["values"]),
                label=item["label"],
                practice=item["practice"],
                provinces=tuple(item.get("provinces", ())),
            )
            for item in data.get("inspection_exemptions", ())
        ),
        **_instant(data),
    )


def _instant(data: dict[str, Any]) -> dict[str, Any]:
    if "instant" not in data:
        return {}
    rule = data["instant"]
    conditions = {}
    for kind in KINDS:
        if kind in rule["kinds"]:
            names = {m["code"]: m["name"] for m in data["materials"] if kind in m["kinds"]}
            conditions[kind] = tuple(condition(code, names) for code in rule["kinds"][kind])
    return {"instant": conditions, "post_check_rate": float(rule["post_check_rate"])}
