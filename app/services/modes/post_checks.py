"""Post-check (事后核查) of licences issued at once (秒批) or on commitment (告知承诺), and the
approvers' revocation queue that failed checks lead to."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from app import timekeeping
from app.domain import access, timeline
from app.domain.transaction import commit
from app.errors import Conflict, NotFound
from app.extensions import db
from app.models import Application, Licence, PostCheck, User
from permits.identifiers import region_prefix

# unconfirmed: no national text sets the period; offices commonly check within 30 days.
POST_CHECK_DAYS = 30


def schedule(application: Application, reason: str) -> PostCheck:
    """Put the case's new licence on the post-check queue (once per licence); no commit."""
    existing = db.session.scalar(
        select(PostCheck).where(PostCheck.licence_id == application.issued_licence_id)
    )
    if existing is not None:
        return existing
    check = PostCheck(
        licence_id=application.issued_licence_id,
        application_id=application.id,
        region_code=application.region_code,
        reason=reason,
        due_on=timekeeping.today() + timedelta(days=POST_CHECK_DAYS),
        status="pending",
        comment="",
    )
    db.session.add(check)
    return check


def _queue(user: User, status: str, page: int, page_size: int) -> tuple[list[PostCheck], int]:
    query = select(PostCheck).where(
        PostCheck.status == status,
        PostCheck.region_code.startswith(region_prefix(access.staff_region(user))),
    )
    if status == "failed":  # revoked licences leave the revocation queue
        query = query.join(Licence, Licence.id == PostCheck.licence_id).where(
            Licence.terminal_status.is_(None)
        )
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    items = db.session.scalars(
        query.order_by(PostCheck.due_on, PostCheck.id)
        .offset((page - 1) * page_size)
        .limit(page_size)
    )
    return list(items), int(total)


def pending(user: User, page: int, page_size: int) -> tuple[list[PostCheck], int]:
    """Licences in the caller's region waiting for their post-check, earliest due first."""
    return _queue(user, "pending", page, page_size)


def revocations(user: User, page: int, page_size: int) -> tuple[list[PostCheck], int]:
    """Failed post-checks whose licence still stands: the approvers' revocation queue."""
    return _queue(user, "failed", page, page_size)


def record(user: User, licence_id: int, result: str, comment: str) -> PostCheck:
    """A reviewer's post-check result; ``fail`` sends the licence to the revocation queue."""
    check = db.session.scalar(
        select(PostCheck).where(PostCheck.licence_id == licence_id).with_for_update()
    )
    if check is None or not access.in_region(user, check.region_code):
        raise NotFound("没有待核查的许可证", code="POST_CHECK_NOT_FOUND")
    if check.status != "pending":
        raise Conflict("该许可证已完成事后核查", code="POST_CHECK_DONE")
    check.status = "passed" if result == "pass" else "failed"
    check.comment = comment
    check.checked_by = user.id
    check.checked_at = timekeeping.now()
    application = db.session.get_one(Application, check.application_id)
    timeline.append(
        application,
        user=user,
        role="reviewer",
        action="post_check",
        from_state=application.state,
        to_state=application.state,
        comment=comment,
        data={"licence_id": licence_id, "result": result},
    )
    commit()
    return check
