"""Chinese names the console shows for codes (roles, verdicts, field choices) and Jinja
filters; display only — no rule lives here."""

from __future__ import annotations

from typing import Any

from flask import Blueprint

from app.domain.assignment import OFFICE_ACTION_LABELS
from app.domain.carriers import carrier_name
from app.licences.lifecycle import STATUS_LABELS
from app.models import ROLE_LABELS
from app.schemas.notification import TOPIC_LABELS
from permits.catalogue import get_permit_type
from permits.identifiers import mask_phone
from workflows.definitions import get_workflow

CHOICE_LABELS = {
    "ok": "符合",
    "rejected": "不符合",
    "pass": "合格",
    "fail": "不合格",
    "approve": "建议准予许可",
    "deny": "建议不予许可",
    "agree": "同意",
    "disagree": "不同意",
}
MATERIAL_STATUS_LABELS = {
    "missing": "未上传",
    "uploaded": "待核验",
    "verified": "核验通过",
    "rejected": "核验不通过",
    "deferred": "容缺后补",
    "committed": "已承诺",
}
KIND_LABELS = {"new": "新申请", "renewal": "延续", "change": "变更"}
SHIPMENT_STATUS_LABELS = {
    "created": "已交寄",
    "in_transit": "运输中",
    "delivered": "已签收",
    "failed": "投递失败",
}


def permit_name(code: str) -> str:
    permit_type = get_permit_type(code)
    return permit_type.name if permit_type else code


def state_label(state: str, kind: str = "new") -> str:
    return get_workflow(kind).label(state)


def action_label(action: str, kind: str = "new") -> str:
    workflow = get_workflow(kind)
    for transition in workflow.transitions:
        if transition.action == action and transition.label:
            return transition.label
    others = {"create": "创建申请", "deemed_accept": "依法视为受理", "urge": "催办"}
    return {**others, **OFFICE_ACTION_LABELS}.get(action, action)


def masked_phone(value: str | None) -> str:
    return mask_phone(value) if value else ""


def display(value: Any) -> str:
    """A form value as text: lists joined, nested objects as 'key: value'."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list):
        return "；".join(display(v) for v in value)
    if isinstance(value, dict):
        return "，".join(f"{k}：{display(v)}" for k, v in value.items())
    return str(value)


def when(value: str | None) -> str:
    """An ISO timestamp as 'YYYY-MM-DD HH:MM' (office local time, as stored)."""
    return value[:16].replace("T", " ") if value else "—"


def describe(value: Any, spec: dict) -> str:
    """A form value as text, nested objects and lists labelled with the schema's titles."""
    if isinstance(value, dict):
        properties = spec.get("properties", {})
        return "，".join(
            f"{properties.get(k, {}).get('title', k)}：{describe(v, properties.get(k, {}))}"
            for k, v in value.items()
        )
    if isinstance(value, list):
        item_spec = spec.get("items", {}) if isinstance(spec.get("items"), dict) else {}
        return "；".join(describe(v, item_spec) for v in value) or "—"
    return display(value)


def register_filters(bp: Blueprint) -> None:
    filters = {
        "role_label": lambda r: ROLE_LABELS.get(r, r or ""),
        "choice_label": lambda c: CHOICE_LABELS.get(c, c),
        "material_status": lambda s: MATERIAL_STATUS_LABELS.get(s, s),
        "kind_label": lambda k: KIND_LABELS.get(k, k),
        "topic_label": lambda t: TOPIC_LABELS.get(t, "其他"),
        "licence_status": lambda s: STATUS_LABELS.get(s, s),
        "shipment_status": lambda s: SHIPMENT_STATUS_LABELS.get(s, s),
        "permit_name": permit_name,
        "carrier_name": carrier_name,
        "state_label": state_label,
        "action_label": action_label,
        "masked_phone": masked_phone,
        "display": display,
        "when": when,
        "percent": lambda v: "—" if v is None else f"{v * 100:.1f}%",
    }
    for name, function in filters.items():
        bp.add_app_template_filter(function, name)
