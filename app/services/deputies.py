"""Deputies (代理): who stands in for an absent staff member, for which days.

A staff member names their own deputy, or an admin of their region does. While the range
covers the office's today, the absent member's cases are in the deputy's queue
(``?assignee=me``), the deputy takes the reviewer's steps on them and the timeline says on
whose behalf (``on_behalf_of``); ``least_loaded`` passes the absent member over.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from app import timekeeping
from app.domain import access
from app.domain.transaction import commit
from app.errors import Forbidden, NotFound, field_error
from app.extensions import db
from app.models import StaffDeputy, User


def _staff_member(user: User, staff_id: int) -> User:
    """The staff member whose deputies ``user`` manages: themselves, or (admin) their region's."""
    member = db.session.get(User, staff_id)
    if (
        member is None
        or not member.is_staff
        or not access.in_region(user, member.region_code or "")
    ):
        raise NotFound("工作人员不存在", code="STAFF_NOT_FOUND")
    if member.id != user.id and "admin" not in user.roles:
        raise Forbidden("只能为本人设置代理人（管理员可为本辖区工作人员设置）")
    return member


def add_deputy(user: User, staff_id: int, data: dict) -> StaffDeputy:
    member = _staff_member(user, staff_id)
    deputy = db.session.get(User, data["deputy_id"])
    if (
        deputy is None
        or not deputy.is_staff
        or not deputy.active
        or deputy.id == member.id
        or not access.in_region(user, deputy.region_code or "")
    ):
        raise field_error("deputy_id", "代理人须为本辖区在岗的其他工作人员", "DEPUTY_INVALID")
    starts_on: date = data["starts_on"]
    ends_on: date = data["ends_on"]
    if ends_on < starts_on:
        raise field_error("ends_on", "结束日期不能早于开始日期", "DATE_RANGE_INVALID")
    if ends_on < timekeeping.today():
        raise field_error("ends_on", "结束日期不能早于今天", "DATE_RANGE_INVALID")
    row = StaffDeputy(
        staff_id=member.id,
        deputy_id=deputy.id,
        starts_on=starts_on,
        ends_on=ends_on,
        created_by=user.id,
    )
    db.session.add(row)
    commit()
    return row


def list_deputies(user: User, staff_id: int) -> list[StaffDeputy]:
    member = _staff_member(user, staff_id)
    return list(
        db.session.scalars(
            select(StaffDeputy)
            .where(StaffDeputy.staff_id == member.id)
            .order_by(StaffDeputy.starts_on, StaffDeputy.id)
        )
    )


def remove_deputy(user: User, staff_id: int, row_id: int) -> None:
    member = _staff_member(user, staff_id)
    row = db.session.get(StaffDeputy, row_id)
    if row is None or row.staff_id != member.id:
        raise NotFound("代理记录不存在", code="DEPUTY_NOT_FOUND")
    db.session.delete(row)
    commit()
