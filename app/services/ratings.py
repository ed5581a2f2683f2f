"""好差评: the applicant rates a closed case once, 1 to 5, with a comment.

Every case the office finished can be rated — a licence delivered, an application denied
(不予许可) or refused at acceptance (不予受理) — because 好差评 judges the service, not the
outcome. A withdrawn case cannot: the office decided nothing. A bad rating (1–2) must say
why, so the office can put it right (差评整改).
"""

from __future__ import annotations

from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError

from app import timekeeping
from app.domain import access, events
from app.domain.transaction import commit
from app.errors import Conflict, Forbidden, field_error
from app.extensions import db
from app.models import Rating, User

RATEABLE_STATES = ("delivered", "denied", "not_accepted")
BAD_SCORE = 2


def _already_rated() -> Conflict:
    return Conflict("该申请已评价过，每件事项只能评价一次", code="ALREADY_RATED")


def rate_application(user: User, application_id: int, score: int, comment: str) -> Rating:
    """Record the applicant's one rating of a closed case."""
    if user.is_staff:
        raise Forbidden("只有申请人可以评价办件服务", code="RATING_APPLICANT_ONLY")
    application = access.get_application(user, application_id)
    if application.state not in RATEABLE_STATES:
        raise Conflict("办结后方可评价", code="CASE_NOT_CLOSED")
    comment = comment.strip()
    if score <= BAD_SCORE and not comment:
        raise field_error("comment", "差评请说明原因，以便我们改进", "RATING_REASON_REQUIRED")
    if db.session.scalar(select(exists().where(Rating.application_id == application.id))):
        raise _already_rated()
    rating = Rating(
        application_id=application.id,
        user_id=user.id,
        score=score,
        comment=comment,
        created_at=timekeeping.now(),
    )
    db.session.add(rating)
    events.rating_created(rating, application)
    try:
        commit()
    except IntegrityError as exc:  # the same tap arrived twice at once
        db.session.rollback()
        raise _already_rated() from exc
    return rating


def rating_view(rating: Rating) -> dict:
    return {
        "id": rating.id,
        "application_id": rating.application_id,
        "score": rating.score,
        "comment": rating.comment,
        "created_at": timekeeping.local_iso(rating.created_at),
    }
