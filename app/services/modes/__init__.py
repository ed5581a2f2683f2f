"""The service modes' hooks into the case service and the application resource, in one place."""

from __future__ import annotations

from app.domain import agency
from app.domain.case_facts import EffectHandler, SystemAction
from app.models import Application, User
from app.services.modes import commitments, instant, joint_review, pre_review
from workflows.engine import Effect


def effect_handlers() -> dict[Effect, EffectHandler]:
    """Handlers of the modes' workflow effects, merged into ``cases``' own."""
    return {
        Effect.RECORD_PRE_REVIEW: pre_review.record,
        Effect.OPEN_JOINT_REVIEW: joint_review.open_review,
        Effect.RECORD_OPINION: joint_review.record_opinion,
    }


def after_action(application: Application, action: str, take_system_action: SystemAction) -> None:
    """What the system does in the same transaction after a user's action; no commit.

    ``take_system_action`` is the case service's own, passed down so the modes never import
    the service that calls them."""
    if action == "submit":
        instant.after_submit(application, take_system_action)
    elif action == "approve":
        commitments.after_approval(application)
    elif action == "give_opinion" and joint_review.all_answered(application):
        take_system_action(
            application, "close_joint_review", "system", {"comment": "各单位联合审查意见已齐"}
        )


def filter_actions(user: User, application: Application, actions: list[str]) -> list[str]:
    """Narrow the workflow's answer: an agent's consent, a joint review's pending units."""
    allowed = agency.allowed_actions(user, application)
    if allowed is not None:
        actions = [a for a in actions if a in allowed]
    if "give_opinion" in actions and not joint_review.awaits(application, user):
        actions = [a for a in actions if a != "give_opinion"]
    return actions
