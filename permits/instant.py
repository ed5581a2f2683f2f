"""Instant approval (秒批, 即时办理): the named conditions under which an item needs only a
verification of documents and may be decided at once.

The catalogue lists, per permit type and kind, which of these conditions must all hold; the
app evaluates each on the stored case. A condition is either one of ``RULES`` or
``material:<code>`` — that material of the catalogue has a document on the case.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

RULES: dict[str, str] = {
    "all_materials_present": "申请材料齐全（无容缺、无待补正的材料）",
    "direct_extension": "符合直接延期条件（有效期内无吊销、声明未发生死亡事故、无失信记录）",
    "no_bad_credit": "企业无失信记录",
}
MATERIAL_PREFIX = "material:"


@dataclass(frozen=True)
class InstantCondition:
    """One named, testable condition; ``material`` is set for a ``material:<code>`` rule."""

    code: str
    label: str
    material: str | None = None

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "label": self.label}


def condition(code: str, material_names: dict[str, str]) -> InstantCondition | None:
    """The condition called ``code``, or None when it names no rule or no such material."""
    if code.startswith(MATERIAL_PREFIX):
        material = code.removeprefix(MATERIAL_PREFIX)
        name = material_names.get(material)
        if name is None:
            return None
        return InstantCondition(code, f"已提交{name}", material)
    label = RULES.get(code)
    return InstantCondition(code, label) if label else None


def unmet(conditions: Iterable[InstantCondition], held: set[str]) -> list[InstantCondition]:
    """The conditions whose code is not among those that ``held``."""
    return [item for item in conditions if item.code not in held]
