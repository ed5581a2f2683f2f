"""Finding licences the caller may see, listing them, revoking them."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import joinedload

from app import timekeeping
from app.domain import access, timeline
from app.domain.outbox import enqueue
from app.domain.transaction import commit
from app.errors import Conflict, NotFound, VersionConflict
from app.extensions import db
from app.licences.lifecycle import licence_status, note_successors, successor_exists
from app.models import Application, Enterprise, Licence, User
from app.models.blind_index import id_number_indexes
from permits.catalogue import get_catalogue
from permits.identifiers import id_number_problem, region_prefix


def _scoped(query: Select, user: User) -> Select:
    if user.is_staff:
        prefix = region_prefix(access.staff_region(user))
        return query.where(Licence.region_code.startswith(prefix))
    return query.join(Enterprise, Licence.enterprise_id == Enterprise.id).where(
        Enterprise.manager_id == user.id
    )


def _held_by(user: User):
    """An applicant's licences, by their enterprises' ids: with one enterprise (the usual
    case) an equality, so the (enterprise_id, valid_until, id) index yields the page in order
    instead of every licence being read and sorted."""
    held = list(db.session.scalars(select(Enterprise.id).where(Enterprise.manager_id == user.id)))
    if len(held) == 1:
        return Licence.enterprise_id == held[0]
    return Licence.enterprise_id.in_(held)


def get_licence(user: User, licence_id: int, *, lock: bool = False) -> Licence:
    query = _scoped(select(Licence).where(Licence.id == licence_id), user)
    if lock:
        query = query.with_for_update(of=Licence)
    licence = db.session.scalars(query).first()
    if licence is None:
        raise NotFound("许可证不存在", code="LICENCE_NOT_FOUND")
    return licence


def _status_condition(status: str):
    """SQL for a derived status, so filters and counts stay in the database."""
    today = timekeeping.today()
    standing = Licence.terminal_status.is_(None)
    ended = and_(standing, Licence.valid_until < today)
    live = and_(standing, Licence.valid_until >= today, Licence.valid_from <= today)
    if status == "revoked":
        return Licence.terminal_status == status
    if status == "superseded":  # marked, or renewed and past its last day (see licence_status)
        return or_(Licence.terminal_status == status, and_(ended, successor_exists()))
    if status == "expired":
        return and_(ended, ~successor_exists())
    if status == "pending":
        return and_(standing, Licence.valid_from > today)
    expiring = or_(
        *[
            and_(
                Licence.permit_type == code,
                Licence.valid_until <= today + timedelta(days=p.renewal_window_days),
            )
            for code, p in get_catalogue().items()
        ]
    )
    return and_(live, expiring) if status == "expiring" else and_(live, ~expiring)


def _text_condition(text: str):
    """A licence whose number, holder enterprise name or credit code contains ``text``, or,
    when ``text`` is a whole 居民身份证号码, a person's licence with that number (found by its
    keyed blind index: the number itself is sealed)."""
    pattern = f"%{text.replace('%', '').replace('_', '')}%"
    holders = select(Enterprise.id).where(
        or_(Enterprise.name.ilike(pattern), Enterprise.credit_code.ilike(pattern))
    )
    conditions = [Licence.number.ilike(pattern), Licence.enterprise_id.in_(holders)]
    candidate = text.strip().upper()
    if len(candidate) == 18 and id_number_problem(candidate, timekeeping.today()) is None:
        conditions.append(Licence.holder_id_index.in_(id_number_indexes(candidate)))
    return or_(*conditions)


def list_licences(
    user: User,
    *,
    enterprise_id: int | None,
    status: str | None,
    expiring_within_days: int | None,
    page: int,
    page_size: int,
    text: str | None = None,
) -> tuple[list[Licence], int]:
    query = (
        _scoped(select(Licence), user) if user.is_staff else select(Licence).where(_held_by(user))
    )
    if text:
        query = query.where(_text_condition(text.strip()))
    if enterprise_id is not None:
        query = query.where(Licence.enterprise_id == enterprise_id)
    if status:
        query = query.where(_status_condition(status))
    if expiring_within_days is not None:
        today = timekeeping.today()
        query = query.where(
            Licence.terminal_status.is_(None),
            Licence.valid_until >= today,
            Licence.valid_until <= today + timedelta(days=expiring_within_days),
        )
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    items = db.session.scalars(
        query.options(joinedload(Licence.enterprise))
        .order_by(Licence.valid_until, Licence.id)
        .offset((page - 1) * page_size)
        .limit(page_size)
    )
    listed = list(items)
    note_successors(listed)
    return listed, int(total or 0)


def revoke_licence(user: User, licence_id: int, reason: str, version: int | None) -> Licence:
    """Revoke (撤销) a licence; verification answers "revoked" from now on."""
    licence = get_licence(user, licence_id, lock=True)
    if version is not None and version != licence.version:
        raise VersionConflict("许可证已被更新，请刷新后重试")
    if licence_status(licence) in ("revoked", "superseded"):
        raise Conflict("该许可证已失效，不能撤销", code="LICENCE_NOT_ACTIVE")
    licence.terminal_status = "revoked"
    licence.revoked_at = timekeeping.now()
    licence.revoke_reason = reason
    if licence.application_id:
        application = db.session.get_one(Application, licence.application_id)
        timeline.append(
            application,
            user=user,
            role="approver",
            action="revoke_licence",
            from_state=application.state,
            to_state=application.state,
            comment=reason,
            data={"licence_id": licence.id, "number": licence.number},
        )
    enqueue(
        licence.enterprise.manager_id,
        topic="licence",
        title="许可证已撤销",
        body=f"您的许可证{licence.number}已被撤销。理由：{reason}。如不服，可依法申请行政复议或提起行政诉讼。",
        payload={"licence_id": licence.id},
        dedupe_key=f"revoke:{licence.id}",
    )
    commit()
    return licence
