"""好差评: the applicant rates a closed case once, 1 to 5, with a comment.

Every case the office finished can be rated — a licence delivered, an application denied
(不予许可) or refused at acceptance (不予受理) — because 好差评 judges the service, not the
outcome. A withdrawn case cannot: the office decided nothing. A bad rating (1–2) must say
why, so the office can put it right (差评整改, ``rating_cases``); once the office has told the
applicant its outcome, they may rate the case once more.

The five grades are GB/T 39734's: 5 非常满意, 4 满意, 3 基本满意, 2 不满意, 1 非常不满意.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app import timekeeping
from app.domain import access, events
from app.domain.transaction import commit
from app.errors import Conflict, Forbidden, field_error
from app.extensions import db
from app.models import Rating, User
from app.services import rating_cases

RATEABLE_STATES = ("delivered", "denied", "not_accepted")
BAD_SCORE = 2


def _already_rated() -> Conflict:
    return Conflict("该申请已评价过，每件事项只能评价一次", code="ALREADY_RATED")


def rate_application(user: User, application_id: int, score: int, comment: str) -> Rating:
    """Record the applicant's rating of a closed case (or their one re-rating)."""
    if user.is_staff:
        raise Forbidden("只有申请人可以评价办件服务", code="RATING_APPLICANT_ONLY")
    application = access.get_application(user, application_id)
    if application.state not in RATEABLE_STATES:
        raise Conflict("办结后方可评价", code="CASE_NOT_CLOSED")
    comment = comment.strip()
    if score <= BAD_SCORE and not comment:
        raise field_error("comment", "差评请说明原因，以便我们改进", "RATING_REASON_REQUIRED")
    rating = db.session.scalars(
        select(Rating).where(Rating.application_id == application.id).with_for_update(of=Rating)
    ).first()
    if rating is None:
        rating = Rating(
            application_id=application.id, user_id=user.id, created_at=timekeeping.now()
        )
        db.session.add(rating)
    elif rating_cases.may_rerate(rating):
        rating.first_score = rating.score
        rating.rerated_at = timekeeping.now()
    else:
        raise _already_rated()
    rating.score, rating.comment = score, comment
    # each rating is a 好差评 evaluation the province receives; a re-rating replaces the first
    events.rating_event(rating, application)
    try:
        db.session.flush()
        if score <= BAD_SCORE:
            rating_cases.open_for(rating, application.region_code)
        commit()
    except IntegrityError as exc:  # the same tap arrived twice at once
        db.session.rollback()
        raise _already_rated() from exc
    return rating
