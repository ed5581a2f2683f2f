"""Instant approval (秒批, 即时办理): decide at ``submit`` when the catalogue's conditions hold.

At submit the conditions the catalogue lists for the case's permit type and kind are
evaluated on the stored case. When every one holds, the same transaction accepts, decides
and issues the licence as the system (timeline role ``system``, the rules that held in the
comment); a share of such approvals is put on the post-check queue. Otherwise the case
takes the standard path and ``instant_unmet`` in the response lists what failed.
"""

from __future__ import annotations

import hashlib

from app import timekeeping
from app.domain import materials
from app.domain.case_facts import SystemAction
from app.extensions import db
from app.licences.lifecycle import direct_extension_eligible
from app.models import Application, Licence
from app.services.modes import commitments, post_checks
from permits.instant import InstantCondition

UNMET_KEY = "instant_unmet"


def _holds(application: Application, condition: InstantCondition) -> bool:
    statuses = materials.material_statuses(application)
    if condition.material is not None:
        return any(s.material.code == condition.material and s.documents for s in statuses)
    if condition.code == "all_materials_present":
        return all(s.documents for s in statuses if s.material.required) and not (
            materials.supplement_outstanding(application)
        )
    if condition.code == "no_bad_credit":
        return not application.enterprise.bad_credit
    if condition.code == "direct_extension":
        return _direct_extension(application)
    return False


def _direct_extension(application: Application) -> bool:
    """Judged afresh at submit: the form may have changed since the draft was created."""
    if application.kind != "renewal" or application.licence_id is None:
        return False
    licence = db.session.get_one(Licence, application.licence_id)
    permit_type = materials.permit_type_of(application)
    return direct_extension_eligible(licence, permit_type, application.form or {})


def evaluate(application: Application) -> tuple[list[InstantCondition], list[InstantCondition]]:
    """The conditions that hold and those that do not; both empty when none are listed."""
    permit_type = materials.permit_type_of(application)
    conditions = permit_type.instant.get(application.kind, ())
    held = [c for c in conditions if _holds(application, c)]
    return held, [c for c in conditions if c not in held]


def sampled_for_post_check(number: str, rate: float) -> bool:
    """Whether a case is among the ``rate`` share checked afterwards; stable per case number,
    so a retried request draws the same answer."""
    if rate <= 0:
        return False
    digest = hashlib.sha256(number.encode("utf-8")).digest()
    return int.from_bytes(digest[:4], "big") / 2**32 < rate


def after_submit(application: Application, take_system_action: SystemAction) -> None:
    """Approve at once when every condition holds, else record the unmet ones; no commit."""
    held, unmet = evaluate(application)
    modes = dict(application.modes or {})
    modes.pop(UNMET_KEY, None)
    if not held and not unmet:
        return
    if unmet:
        modes[UNMET_KEY] = [c.as_dict() for c in unmet]
        application.modes = modes
        return
    application.modes = modes or None
    take_system_action(
        application,
        "instant_approve",
        "system",
        {
            "rules": [c.code for c in held],
            "comment": "秒批，符合条件：" + "；".join(c.label for c in held),
        },
    )
    moment = timekeeping.now()
    application.accepted_at = application.decided_at = moment
    commitments.after_approval(application)  # a commitment is always checked afterwards
    rate = materials.permit_type_of(application).post_check_rate
    if sampled_for_post_check(application.number, rate):
        post_checks.schedule(application, "instant")


def unmet_conditions(application: Application) -> list[dict] | None:
    """The instant-approval conditions the case did not meet at submission, as stored."""
    return (application.modes or {}).get(UNMET_KEY)
