"""What the workflow engine is asked with: the case's facts, the caller as an actor.

Both the application resource (which actions to offer) and the case service (which action
to take) ask the engine the same question; this is where its inputs are built, once.
"""

from __future__ import annotations

from collections.abc import Callable

from app import timekeeping
from app.domain import agency, materials
from app.errors import VersionConflict, field_error
from app.models import Application, User
from workflows.engine import Actor, CaseFacts

EDITABLE_STATES = ("draft", "supplement_required")
SUBMIT_ACTIONS = frozenset({"submit", "resubmit"})

# Taking an action on the office's behalf inside the current transaction (no commit):
# ``(application, action, role, data)``. The case service passes its own to the modes.
SystemAction = Callable[[Application, str, str, dict], None]

# An effect's handler gets the case, the action's fields and the acting user (None for a
# system action such as a deemed decision or a delivery confirmed by the carrier); what it
# returns (an issued licence, a shipment) is not used.
EffectHandler = Callable[[Application, dict, User | None], object]


def case_facts(
    application: Application, statuses: list[materials.MaterialStatus] | None = None
) -> CaseFacts:
    """What the workflow guards may look at, derived from the stored case (``statuses``: its
    material statuses, when the caller has computed them already)."""
    if statuses is None:
        statuses = materials.material_statuses(application)
    permit_type = materials.permit_type_of(application)
    missing = [s.material.code for s in materials.missing_required(statuses)]
    missing += [c for c in materials.supplement_outstanding(application) if c not in missing]
    return CaseFacts(
        state=application.state,
        missing_materials=tuple(missing),
        deferred_materials=tuple(
            s.material.code for s in statuses if _deferred_outstanding(application, s)
        ),
        rejected_materials=tuple(s.material.code for s in statuses if s.status == "rejected"),
        unverified_materials=tuple(s.material.code for s in statuses if s.status == "uploaded"),
        inspection_required=permit_type.inspection_required
        and application.kind != "change"
        and permit_type.inspection_exemption(
            application.kind, application.form or {}, application.region_code
        )
        is None,
        inspection_result=application.inspection_result,
        direct_extension=application.direct_extension,
        recommendation=application.recommendation,
        review_levels=permit_type.review_levels,
        supplement_requested=application.supplement_request is not None,
        deadline_extended=application.deadline_extended_days is not None,
        today=timekeeping.today(),
        material_names={s.material.code: s.material.name for s in statuses},
    )


def material_names(facts: CaseFacts, codes: list[str]) -> str:
    """``codes`` as the applicant reads them: the materials' Chinese names, joined by 、."""
    return "、".join(facts.material_names.get(code, code) for code in codes)


def _deferred_outstanding(application: Application, status: materials.MaterialStatus) -> bool:
    """容缺: a deferrable material missing at acceptance stays outstanding until it is
    uploaded and (where the case is reviewed) verified."""
    if not (status.material.required and status.deferrable):
        return False
    if status.status == "deferred":
        return True
    if application.accepted_at is None or application.direct_extension:
        return False
    first_upload = status.documents[0].created_at
    return first_upload > application.accepted_at and status.status != "verified"


def check_version(application: Application, version: int | None) -> None:
    if version is None:
        message = "请提供数据版本号（version）"
        raise field_error("version", message, "VERSION_REQUIRED")
    if version != application.version:
        raise VersionConflict(f"申请已被更新（当前版本 {application.version}），请刷新后重试")


def actor_for(user: User, application: Application) -> Actor:
    if user.is_staff:
        return agency.agent_actor(user, application) or Actor(roles=frozenset(user.roles))
    return Actor(roles=frozenset({"applicant"}))
