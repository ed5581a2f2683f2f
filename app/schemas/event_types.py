"""The event types of the integration feed, the scope each needs, and their data's JSON Schema.

One table drives the feed's checks, what a client sees of an event's data, and the OpenAPI
components (``EventData…``), so the document cannot drift from what is sent.

Personal data: events never carry an ID number in full, a phone or an address. The
enterprise's identity (name, credit code) and a rating's free-text comment are shown only to
clients holding ``cases:read``; licence events as a whole need ``licences:read``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

PREFIX = "cn.zerovisit."
SCOPES = ("events:read", "licences:read", "cases:read")
# Keys of an event's data a client sees only with the scope named.
GATED_KEYS = {"enterprise": "cases:read", "comment": "cases:read"}


@dataclass(frozen=True)
class EventType:
    name: str  # e.g. cn.zerovisit.case.submitted
    title: str
    scope: str  # the scope a client needs to read events of this type
    schema: str  # the data schema's component name


_S = {"type": "string"}
_INT = {"type": "integer"}
_DATE = {"type": "string", "format": "date"}
_CODES = {
    "permit_type": {**_S, "description": "事项代码，如 hazchem-trading"},
    "item_code": {**_S, "description": "事项基本编码"},
    "implementation_code": {**_S, "description": "实施编码"},
    "region_code": {**_S, "description": "受理地行政区划代码"},
}
_ENTERPRISE = {
    "type": "object",
    "description": "申请企业（仅 cases:read 权限可见）",
    "properties": {"name": _S, "credit_code": {**_S, "description": "统一社会信用代码"}},
}

CASE_DATA: dict[str, Any] = {
    "type": "object",
    "description": "办件过程信息",
    "required": ["application_id", "application_number", "kind", "action", "to_state"],
    "properties": {
        "application_id": _INT,
        "application_number": {**_S, "description": "办件编号"},
        "kind": {"enum": ["new", "renewal", "change"], "description": "新办、延续、变更"},
        **_CODES,
        "action": {**_S, "description": "引起变化的操作，如 submit、accept、approve"},
        "from_state": {**_S, "nullable": True},
        "to_state": _S,
        "outcome": {"enum": ["approved", "denied"], "description": "仅 decided：准予或不予许可"},
        "enterprise": _ENTERPRISE,
    },
}
LICENCE_DATA: dict[str, Any] = {
    "type": "object",
    "description": "证照信息（需 licences:read 权限）",
    "required": ["licence_id", "number", "permit_type", "valid_from", "valid_until"],
    "properties": {
        "licence_id": _INT,
        "number": {**_S, "description": "许可证编号"},
        "identifier": {**_S, "description": "电子证照标识"},
        **_CODES,
        "holder_name": {**_S, "description": "持证单位名称"},
        "holder_credit_code": {**_S, "description": "持证单位统一社会信用代码"},
        "person_name": {**_S, "description": "持证人姓名（个人证件）"},
        "id_number_masked": {**_S, "description": "持证人身份证号（脱敏）"},
        "issuer_name": _S,
        "issued_on": _DATE,
        "valid_from": _DATE,
        "valid_until": _DATE,
        "application_id": {**_INT, "nullable": True},
        "supersedes_number": {**_S, "nullable": True, "description": "被替代的旧证编号"},
        "revoke_reason": {**_S, "description": "仅 revoked：撤销理由"},
    },
}
RATING_DATA: dict[str, Any] = {
    "type": "object",
    "description": "好差评",
    "required": ["application_id", "application_number", "score"],
    "properties": {
        "application_id": _INT,
        "application_number": _S,
        **_CODES,
        "score": {"type": "integer", "minimum": 1, "maximum": 5},
        "first_score": {
            "type": "integer",
            "minimum": 1,
            "maximum": 5,
            "description": "仅 rating.updated：差评整改后重新评价前的原评分",
        },
        "comment": {**_S, "description": "评价内容（仅 cases:read 权限可见）"},
    },
}
DATA_SCHEMAS = {
    "EventDataCase": CASE_DATA,
    "EventDataLicence": LICENCE_DATA,
    "EventDataRating": RATING_DATA,
}

_CASE = (
    ("submitted", "申请已提交"),
    ("accepted", "已受理"),
    ("not_accepted", "不予受理"),
    ("supplement_requested", "要求补正"),
    ("decided", "已作出许可决定"),
    ("delivered", "证照已送达"),
)
_LICENCE = (("issued", "证照已签发"), ("revoked", "证照已撤销"), ("superseded", "证照已被替代"))

EVENT_TYPES: dict[str, EventType] = {
    t.name: t
    for t in (
        *(
            EventType(f"{PREFIX}case.{n}", title, "events:read", "EventDataCase")
            for n, title in _CASE
        ),
        *(
            EventType(f"{PREFIX}licence.{n}", title, "licences:read", "EventDataLicence")
            for n, title in _LICENCE
        ),
        EventType(f"{PREFIX}rating.created", "收到好差评", "events:read", "EventDataRating"),
        EventType(f"{PREFIX}rating.updated", "重新评价", "events:read", "EventDataRating"),
    )
}

# A case step is reported when the case enters one of these states.
CASE_EVENT_BY_STATE = {
    "submitted": "case.submitted",
    "accepted": "case.accepted",
    "not_accepted": "case.not_accepted",
    "supplement_required": "case.supplement_requested",
    "approved": "case.decided",
    "denied": "case.decided",
    "delivered": "case.delivered",
}


def readable_types(scopes: list[str]) -> list[str]:
    """The event types a client holding ``scopes`` may read (none without ``events:read``)."""
    if "events:read" not in scopes:
        return []
    return [t.name for t in EVENT_TYPES.values() if t.scope in scopes]


def visible_data(data: dict[str, Any], scopes: list[str] | None) -> dict[str, Any]:
    """The data a client sees: keys gated by a scope it lacks are left out (None: all)."""
    if scopes is None:
        return dict(data)
    return {k: v for k, v in data.items() if GATED_KEYS.get(k, "events:read") in scopes}
