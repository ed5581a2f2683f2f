"""Conditions of transitions, each a function of the facts (and, where needed, the data).

Each returns None when it holds, or the ``GuardFailed`` to raise, with a stable code and
a Chinese message the applicant or officer can act on.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from workflows.engine import CaseFacts
from workflows.errors import ActionDataInvalid, GuardFailed, WorkflowError

Data = Mapping[str, Any] | None


def _listed(codes: tuple[str, ...]) -> str:
    return "、".join(codes)


def materials_complete(facts: CaseFacts, data: Data) -> GuardFailed | None:
    """Every required, non-deferrable material is uploaded (submit, resubmit)."""
    if facts.missing_materials:
        return GuardFailed(
            f"以下材料尚未上传：{_listed(facts.missing_materials)}",
            code="MATERIALS_MISSING",
            details=facts.missing_materials,
        )
    return None


def _approving(data: Data) -> bool:
    return data is None or data.get("recommendation") == "approve"


def no_rejected_materials(facts: CaseFacts, data: Data) -> GuardFailed | None:
    """A material the reviewer rejected must be uploaded again and verified."""
    if facts.rejected_materials and (data is None or _approving(data)):
        return GuardFailed(
            f"以下材料未通过核验，须重新上传：{_listed(facts.rejected_materials)}",
            code="MATERIALS_REJECTED",
            details=facts.rejected_materials,
        )
    return None


def recommendation_supported(facts: CaseFacts, data: Data) -> GuardFailed | None:
    """Recommending approval needs every material verified and, where required, a passed
    inspection. Checked only once the recommendation is known (data given)."""
    if data is None or data.get("recommendation") != "approve":
        return None
    rejected = no_rejected_materials(facts, data)
    if rejected is not None:
        return rejected
    if facts.unverified_materials:
        return GuardFailed(
            f"以下材料尚未核验：{_listed(facts.unverified_materials)}",
            code="MATERIALS_UNVERIFIED",
            details=facts.unverified_materials,
        )
    if facts.deferred_materials:
        return deferred_materials_supplied(facts, data)
    if facts.inspection_required and facts.inspection_result != "pass":
        return GuardFailed("现场核查尚未通过，不能建议准予许可", code="INSPECTION_NOT_PASSED")
    return None


def deferred_materials_supplied(facts: CaseFacts, data: Data) -> GuardFailed | None:
    """容缺受理: the licence is issued only after every deferred material is supplied
    and verified."""
    if facts.deferred_materials:
        return GuardFailed(
            f"容缺材料补齐并核验通过前不得批准：{_listed(facts.deferred_materials)}",
            code="DEFERRED_MATERIALS_OUTSTANDING",
            details=facts.deferred_materials,
        )
    return None


def approval_allowed(facts: CaseFacts, data: Data) -> GuardFailed | None:
    """The approver may not grant while a material stands rejected or deferred."""
    return deferred_materials_supplied(facts, data) or (
        GuardFailed(
            f"以下材料未通过核验，须重新上传：{_listed(facts.rejected_materials)}",
            code="MATERIALS_REJECTED",
            details=facts.rejected_materials,
        )
        if facts.rejected_materials
        else None
    )


def reason_for_rejected_verdict(facts: CaseFacts, data: Data) -> WorkflowError | None:
    """A rejected material needs a reason the applicant can act on."""
    if data is not None and data.get("verdict") == "rejected" and not data.get("comment"):
        return ActionDataInvalid({"comment": ["退回材料须说明理由"]})
    return None
