"""The couriers the office mails licences with, as data: a code and a Chinese name each.

The dispatcher sends the code with ``dispatch``, the courier posts to
``/webhooks/courier/<code>``, and the label prints the name.
"""

from __future__ import annotations

from app.errors import ValidationFailed

# The couriers the office mails with: code (in the dispatch body and the webhook path) → name.
CARRIERS: dict[str, str] = {
    "sf": "顺丰速运",
    "ems": "中国邮政EMS",
    "jd": "京东物流",
    "zto": "中通快递",
    "yto": "圆通速递",
    "sto": "申通快递",
    "yunda": "韵达快递",
    "jtexpress": "极兔速递",
    "deppon": "德邦快递",
}


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
        raise ValidationFailed(message, code="CARRIER_UNKNOWN", errors={"carrier": [message]})
    return code
