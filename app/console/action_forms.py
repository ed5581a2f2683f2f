"""Turning workflow transitions into HTML forms and posted forms back into action data.

The fields come from the transition itself (``workflows`` definitions), so an action added
to a workflow gets its form here without console changes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from werkzeug.datastructures import MultiDict

from workflows.engine import Transition

# Actions drawn as a control on each material row instead of a form of their own.
PER_MATERIAL = ("verify_material",)
# Actions whose list field is drawn as a checklist of the case's materials.
MATERIAL_CHECKLIST = ("request_supplement",)
DANGEROUS = ("reject", "deny")
LIST_SPLIT = re.compile(r"[,，、\s]+")


@dataclass(frozen=True)
class ActionForm:
    action: str
    label: str
    transition: Transition
    per_material: bool
    checklist: bool
    dangerous: bool


def action_forms(transitions: list[Transition]) -> list[ActionForm]:
    return [
        ActionForm(
            action=t.action,
            label=t.label or t.action,
            transition=t,
            per_material=t.action in PER_MATERIAL,
            checklist=t.action in MATERIAL_CHECKLIST,
            dangerous=t.action in DANGEROUS,
        )
        for t in transitions
    ]


def _supplement_comment(form: MultiDict, material_names: dict[str, str]) -> str:
    """一次性告知: the overall note followed by one line per material with its reason."""
    lines = [form.get("comment", "").strip()]
    for code in form.getlist("missing_materials"):
        reason = form.get(f"reason:{code}", "").strip()
        name = material_names.get(code, code)
        lines.append(f"{name}：{reason}" if reason else name)
    return "\n".join(line for line in lines if line)


def action_data(transition: Transition, form: MultiDict, material_names: dict[str, str]) -> dict:
    """The action's body from a posted form; empty fields are left out so the engine names
    the missing required ones."""
    data: dict = {}
    for field in transition.fields:
        if field.kind == "map":  # one input per material: "<field>:<material code>"
            prefix = f"{field.name}:"
            entries = {
                key.removeprefix(prefix): value.strip()
                for key, value in form.items()
                if key.startswith(prefix) and value.strip()
            }
            if entries:
                data[field.name] = entries
            continue
        if field.kind == "list":
            values = [
                item for v in form.getlist(field.name) for item in LIST_SPLIT.split(v) if item
            ]
            if values:
                data[field.name] = values
            continue
        value = form.get(field.name, "").strip()
        if value:
            data[field.name] = value
    if transition.action in MATERIAL_CHECKLIST:
        comment = _supplement_comment(form, material_names)
        if comment:
            data["comment"] = comment
    return data
