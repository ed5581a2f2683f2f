"""三级审批 and returns for review: the effects of ``check`` and ``return_for_review``.

A permit type with ``review_levels: 3`` puts the section chief's check (审核) between the
reviewer's recommendation and the approver's decision. A chief who disagrees, or an approver
(or chief) who returns the case, sends it back to review: the recommendation no longer
stands, and the reviewer who made it is told in their inbox why it came back.
"""

from __future__ import annotations

from sqlalchemy import select

from app.domain.case_facts import EffectHandler
from app.domain.outbox import enqueue
from app.extensions import db
from app.models import Application, TimelineEntry, User
from workflows.engine import Effect

TOPIC = "case_returned"


def _recommending_reviewer(application: Application) -> int | None:
    """Who made the recommendation now sent back: the last ``recommend`` of the case."""
    return db.session.scalar(
        select(TimelineEntry.actor_id)
        .where(TimelineEntry.application_id == application.id, TimelineEntry.action == "recommend")
        .order_by(TimelineEntry.seq.desc())
        .limit(1)
    )


def return_to_review(application: Application, data: dict, user: User | None) -> None:
    """The case is back in review: clear the recommendation and tell its reviewer why."""
    reviewer_id = _recommending_reviewer(application)
    application.recommendation = None
    who = user.display_name or user.username if user is not None else "系统"
    enqueue(
        reviewer_id,
        topic=TOPIC,
        title="申请退回审查",
        body=f"申请{application.number}已由{who}退回审查，请重新审查。"
        f"理由：{data.get('comment', '')}",
        payload={
            "application_id": application.id,
            "action": "return_for_review",
            "state": application.state,
        },
        # one message per return: the version moves with every change of the case
        dedupe_key=f"returned:{application.id}:{application.version}",
    )


def record_check(application: Application, data: dict, user: User | None) -> None:
    """The chief's opinion is kept in the timeline; a disagreement returns the case."""
    if data.get("opinion") == "disagree":
        return_to_review(application, data, user)


def effect_handlers() -> dict[Effect, EffectHandler]:
    """Handlers of the review chain's effects, merged into ``cases``' own."""
    return {
        Effect.RECORD_CHECK: record_check,
        Effect.RETURN_FOR_REVIEW: return_to_review,
    }
