"""Conditions of transitions: each a function of the facts and, where needed, the data.

Each returns None when it holds, or the error to raise: a ``GuardFailed`` with a stable code
and a Chinese message the applicant or officer can act on, or (for a rule across an action's
fields) an ``ActionDataInvalid``. With data None — while listing the available actions —
the parts that depend on the data are skipped.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from workflows.engine import CaseFacts
from workflows.errors import ActionDataInvalid, GuardFailed

Data = Mapping[str, Any] | None


def _listed(facts: CaseFacts, codes: tuple[str, ...]) -> str:
    """Materials by their Chinese names, as a person reads them (the codes stay in details)."""
    return "、".join(facts.material_names.get(code, code) for code in codes)


def materials_complete(facts: CaseFacts, data: Data) -> GuardFailed | None:
    """Every required, non-deferrable material is uploaded (submit, resubmit)."""
    if facts.missing_materials:
        return GuardFailed(
            f"以下材料尚未上传：{_listed(facts, facts.missing_materials)}",
            code="MATERIALS_MISSING",
            details=facts.missing_materials,
        )
    return None


def no_rejected_materials(facts: CaseFacts, data: Data) -> GuardFailed | None:
    """A material the reviewer rejected must be uploaded again and verified."""
    if facts.rejected_materials:
        return GuardFailed(
            f"以下材料未通过核验，须重新上传：{_listed(facts, facts.rejected_materials)}",
            code="MATERIALS_REJECTED",
            details=facts.rejected_materials,
        )
    return None


def materials_verified(facts: CaseFacts, data: Data) -> GuardFailed | None:
    """Every uploaded material carries an "ok" verdict on its latest upload."""
    if facts.unverified_materials:
        return GuardFailed(
            f"以下材料尚未核验：{_listed(facts, facts.unverified_materials)}",
            code="MATERIALS_UNVERIFIED",
            details=facts.unverified_materials,
        )
    return None


def deferred_materials_supplied(facts: CaseFacts, data: Data) -> GuardFailed | None:
    """容缺受理: the licence is issued only after every deferred material is supplied
    (and, where the case is reviewed, verified: the facts keep it listed until then)."""
    if facts.deferred_materials:
        return GuardFailed(
            f"容缺材料补齐并核验通过前不得批准：{_listed(facts, facts.deferred_materials)}",
            code="DEFERRED_MATERIALS_OUTSTANDING",
            details=facts.deferred_materials,
        )
    return None


def inspection_passed(facts: CaseFacts, data: Data) -> GuardFailed | None:
    """Where the permit type requires an on-site inspection, it has been passed."""
    if facts.inspection_required and facts.inspection_result != "pass":
        return GuardFailed("现场核查尚未通过，不能建议准予许可", code="INSPECTION_NOT_PASSED")
    return None


def recommendation_supported(facts: CaseFacts, data: Data) -> GuardFailed | None:
    """Recommending approval needs every material verified, the deferred ones supplied and,
    where required, a passed inspection; a denial may always be recommended.

    Deferred materials are checked here, not only at approval: materials are verified only
    during review, so a case sent on with gaps could never be approved.
    """
    if data is None or data.get("recommendation") != "approve":
        return None
    for guard in (
        no_rejected_materials,
        materials_verified,
        deferred_materials_supplied,
        inspection_passed,
    ):
        refusal = guard(facts, data)
        if refusal is not None:
            return refusal
    return None


def approval_allowed(facts: CaseFacts, data: Data) -> GuardFailed | None:
    """The approver may not grant while a material stands deferred or rejected."""
    return deferred_materials_supplied(facts, data) or no_rejected_materials(facts, data)


def reason_for_rejected_verdict(facts: CaseFacts, data: Data) -> ActionDataInvalid | None:
    """Rejecting a material needs a reason the applicant can act on."""
    if data is not None and data.get("verdict") == "rejected" and not data.get("comment"):
        return ActionDataInvalid({"comment": ["退回材料须说明理由"]})
    return None


def supplement_not_yet_requested(facts: CaseFacts, data: Data) -> GuardFailed | None:
    """一次性告知 (Art. 32): the office tells everything missing once; no second request."""
    if facts.supplement_requested:
        return GuardFailed(
            "本申请已一次性告知过补正内容，不能再次要求补正", code="SUPPLEMENT_ALREADY_REQUESTED"
        )
    return None


def deadline_not_yet_extended(facts: CaseFacts, data: Data) -> GuardFailed | None:
    """Art. 42 allows one extension of the decision limit."""
    if facts.deadline_extended:
        return GuardFailed("本申请的审批期限已延长过一次", code="DEADLINE_ALREADY_EXTENDED")
    return None


def inspection_date_not_past(facts: CaseFacts, data: Data) -> ActionDataInvalid | None:
    """An inspection is scheduled for today or later, never in the past."""
    day = data.get("date") if data is not None else None
    if day is not None and facts.today is not None and day < facts.today:
        return ActionDataInvalid({"date": ["核查日期不能早于今天"]})
    return None


def reason_for_disagreement(facts: CaseFacts, data: Data) -> ActionDataInvalid | None:
    """A chief who does not agree sends the case back to review and says why."""
    if data is not None and data.get("opinion") == "disagree" and not data.get("comment"):
        return ActionDataInvalid({"comment": ["不同意审查意见须说明理由"]})
    return None
