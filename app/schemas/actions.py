"""The body of ``POST /applications/{id}/actions``: validation and its OpenAPI description.

The server validates in two steps, as before: ``ActionSchema`` checks the envelope
(``action``, ``version``, ``comment``'s length) and keeps the other fields, which the
workflow engine then cleans against the transition's ``Field`` list (Chinese messages).

The document describes one schema per action, generated from the same workflow
definitions (``workflows/definitions``), so an action or a field added there is documented
without another edit: ``ActionRequest`` is a ``oneOf`` of them with a discriminator on
``action``; each says its label, the roles that may take it and the states it moves between.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from apispec import APISpec
from marshmallow import INCLUDE, Schema, fields, validate

from app.models import ROLE_LABELS
from workflows.definitions import WORKFLOWS
from workflows.engine import Field, Transition


class ActionSchema(Schema):
    """The action name, the version read, and the action's own fields (kept as given)."""

    class Meta:
        unknown = INCLUDE

    action = fields.String(required=True, validate=validate.Length(min=1, max=64))
    version = fields.Integer()
    comment = fields.String(validate=validate.Length(max=2000))


# What a field's label alone does not tell a client: where its allowed values come from.
FIELD_NOTES = {
    "material": "材料代码，见申请的 materials",
    "missing_materials": "材料代码，见申请的 materials",
    "carrier": "快递公司代码，见 GET /api/v1/carriers",
}


def _field_schema(spec: Field) -> dict[str, Any]:
    note = f"：{FIELD_NOTES[spec.name]}" if spec.name in FIELD_NOTES else ""
    if spec.kind == "list":
        return {
            "type": "array",
            "minItems": 1,
            "items": {"type": "string", "minLength": 1, "maxLength": spec.max_length},
            "description": f"{spec.label}（不重复的文本列表）{note}",
        }
    schema: dict[str, Any] = {"type": "string", "description": spec.label + note}
    if spec.kind == "date":
        schema.update(format="date", description=f"{spec.label}（YYYY-MM-DD）")
    elif spec.choices is not None:
        schema["enum"] = list(spec.choices)
    else:
        schema["maxLength"] = spec.max_length
    return schema


def _component_name(action: str) -> str:
    return "".join(part.capitalize() for part in action.split("_")) + "Action"


def _transitions_by_action() -> dict[str, list[Transition]]:
    """Every action of every workflow kind, with all the transitions that take it."""
    found: dict[str, list[Transition]] = {}
    for workflow in WORKFLOWS.values():
        for transition in workflow.transitions:
            found.setdefault(transition.action, []).append(transition)
    return found


def _state_label(state: str) -> str:
    for workflow in WORKFLOWS.values():
        if state in workflow.states:
            return f"{state}（{workflow.label(state)}）"
    return state


def _description(transitions: Iterable[Transition]) -> str:
    transitions = list(transitions)
    roles = sorted({role for t in transitions for role in t.roles})
    moves = []
    for transition in transitions:
        sources = "、".join(_state_label(s) for s in sorted(transition.sources))
        targets = transition.targets()
        target = "、".join(_state_label(s) for s in targets) if targets else "状态不变"
        note = f"（{transition.note}）" if transition.note else ""
        moves.append(f"{sources} → {target}{note}")
    return (
        f"{transitions[0].label}。可执行角色：{'、'.join(ROLE_LABELS.get(r, r) for r in roles)}。"
        f"适用状态：{'；'.join(dict.fromkeys(moves))}。"
    )


def action_component(action: str, transitions: list[Transition]) -> dict[str, Any]:
    """The JSON Schema of one action's body."""
    properties: dict[str, Any] = {
        "action": {"type": "string", "enum": [action], "description": "动作名称"},
        "version": {"type": "integer", "description": "读取时的数据版本号（也可用 If-Match）"},
    }
    required = ["action"]
    for spec in transitions[0].fields:
        properties[spec.name] = _field_schema(spec)
        if spec.required:
            required.append(spec.name)
    return {
        "type": "object",
        # Generated clients name classes after a title: the Chinese label goes to x-title.
        "x-title": transitions[0].label,
        "description": _description(transitions),
        "properties": properties,
        "required": required,
    }


def register_action_components(spec: APISpec) -> str:
    """Add one schema per action and ``ActionRequest`` (their ``oneOf``); returns its name."""
    mapping: dict[str, str] = {}
    for action, transitions in _transitions_by_action().items():
        name = _component_name(action)
        spec.components.schema(name, action_component(action, transitions))
        mapping[action] = f"#/components/schemas/{name}"
    spec.components.schema(
        "ActionRequest",
        {
            "description": "工作流动作：按 action 区分，各动作的字段、取值与可执行角色见各自说明。"
            "当前可执行的动作见申请的 actions。",
            "oneOf": [{"$ref": ref} for ref in mapping.values()],
            "discriminator": {"propertyName": "action", "mapping": mapping},
        },
    )
    return "ActionRequest"
