"""The couriers the office mails licences with, as data: a code and a Chinese name each.

The dispatcher sends the code with ``dispatch``, the courier posts to
``/webhooks/courier/<code>``, and the label prints the name. The list itself
(``CARRIERS``) lives beside the Shipment model, which names its carrier with it.
"""

from __future__ import annotations

from app.errors import field_error
from app.models.delivery import CARRIERS


def carrier_list() -> list[dict[str, str]]:
    return [{"code": code, "name": name} for code, name in CARRIERS.items()]


def carrier_name(code: str) -> str:
    """The carrier's Chinese name (a shipment recorded before there were codes keeps its text)."""
    return CARRIERS.get(code, code)


def carrier_code(value: str) -> str:
    """The known carrier code ``value`` names (case-insensitive), or a 422 listing the choices."""
    code = value.strip().lower()
    if code not in CARRIERS:
        choices = "、".join(f"{name}（{code}）" for code, name in CARRIERS.items())
        message = f"快递公司须为以下代码之一：{choices}"
        raise field_error("carrier", message, "CARRIER_UNKNOWN")
    return code
