"""Online appointments (线上预约): staff publish slots, applicants book and cancel them.

A slot is never overbooked, whatever runs at once: a booking takes its place with one
conditional ``UPDATE … SET booked = booked + 1 WHERE booked < capacity`` (the database
settles the race: a second booking of the last place finds the condition false and gets 409
``SLOT_FULL``), and a check constraint keeps ``booked`` within ``capacity`` regardless.
A reminder goes to each booking the day before (``send_reminders``, daily, idempotent).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select, update

from app import timekeeping
from app.domain import access, bulk
from app.domain.outbox import enqueue
from app.domain.transaction import commit
from app.errors import Conflict, Forbidden, NotFound, field_error, fields_error
from app.extensions import db
from app.models import Appointment, AppointmentSlot, User
from app.models.appointment import PURPOSES
from app.timekeeping import OFFICE_TZ
from permits.identifiers import region_prefix

PUBLISHER_ROLES = ("clerk", "inspector", "admin")


def _local(moment: datetime) -> datetime:
    return moment.astimezone(OFFICE_TZ)


def _day_bounds(day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time.min, tzinfo=OFFICE_TZ)
    return start, start + timedelta(days=1)


def publish_slot(user: User, data: dict) -> AppointmentSlot:
    """A new slot in the staff member's region."""
    if not user.is_staff or not set(PUBLISHER_ROLES) & set(user.roles):
        raise Forbidden("您没有发布预约时段的权限")
    starts, ends = data["starts_at"], data["ends_at"]
    errors: dict[str, list[str]] = {}
    if starts.tzinfo is None or ends.tzinfo is None:
        errors["starts_at"] = ["时间须带时区，如 2026-11-25T09:00:00+08:00"]
    elif ends <= starts:
        errors["ends_at"] = ["结束时间须晚于开始时间"]
    elif starts <= timekeeping.now():
        errors["starts_at"] = ["只能发布将来的时段"]
    if errors:
        raise fields_error(errors)
    slot = AppointmentSlot(
        region_code=user.region_code,
        purpose=data["purpose"],
        starts_at=starts,
        ends_at=ends,
        capacity=data["capacity"],
        booked=0,
        created_by=user.id,
        created_at=timekeeping.now(),
    )
    db.session.add(slot)
    commit()
    return slot


@dataclass(frozen=True)
class SlotFilter:
    day: date | None = None
    purpose: str | None = None
    region_code: str | None = None


def list_slots(user: User, filters: SlotFilter) -> list[AppointmentSlot]:
    """Slots of one day (default: from now on); staff see their region's, applicants any."""
    query = select(AppointmentSlot)
    if filters.day is not None:
        first, after = _day_bounds(filters.day)
        query = query.where(AppointmentSlot.starts_at >= first, AppointmentSlot.starts_at < after)
    else:
        query = query.where(AppointmentSlot.starts_at >= timekeeping.now())
    if filters.purpose:
        query = query.where(AppointmentSlot.purpose == filters.purpose)
    if user.is_staff:
        prefix = region_prefix(user.region_code or "")
        query = query.where(AppointmentSlot.region_code.startswith(prefix))
    elif filters.region_code:
        query = query.where(AppointmentSlot.region_code == filters.region_code)
    return list(db.session.scalars(query.order_by(AppointmentSlot.starts_at, AppointmentSlot.id)))


def _slot_or_404(slot_id: int) -> AppointmentSlot:
    slot = db.session.get(AppointmentSlot, slot_id)
    if slot is None:
        raise NotFound("预约时段不存在", code="SLOT_NOT_FOUND")
    return slot


def book(user: User, data: dict) -> Appointment:
    """Book a place in a slot; 409 ``SLOT_FULL`` when none is left, even under races."""
    if user.is_staff:
        raise Forbidden("工作人员不能预约")
    slot = _slot_or_404(data["slot_id"])
    if data["purpose"] != slot.purpose:
        message = f"该时段用于“{PURPOSES[slot.purpose]}”"
        raise field_error("purpose", message, "PURPOSE_MISMATCH")
    if slot.starts_at <= timekeeping.now():
        raise Conflict("该时段已开始或已结束，请选择其他时段", code="SLOT_PAST")
    application_id = data.get("application_id")
    if application_id is not None:
        access.get_application(user, application_id)
    mine = db.session.scalar(
        select(func.count()).where(
            Appointment.slot_id == slot.id,
            Appointment.user_id == user.id,
            Appointment.status == "booked",
        )
    )
    if mine:
        raise Conflict("您已预约该时段", code="ALREADY_BOOKED")
    taken = bulk.execute(
        update(AppointmentSlot)
        .where(AppointmentSlot.id == slot.id, AppointmentSlot.booked < AppointmentSlot.capacity)
        .values(booked=AppointmentSlot.booked + 1)
        .execution_options(synchronize_session=False)
    )
    if taken != 1:
        db.session.rollback()
        raise Conflict("该时段已约满，请选择其他时段", code="SLOT_FULL")
    db.session.expire(slot, ["booked"])
    appointment = Appointment(
        slot_id=slot.id,
        user_id=user.id,
        application_id=application_id,
        purpose=slot.purpose,
        status="booked",
        created_at=timekeeping.now(),
    )
    db.session.add(appointment)
    commit()
    return appointment


def _own(user: User, appointment_id: int, *, lock: bool = False) -> Appointment:
    query = select(Appointment).where(Appointment.id == appointment_id)
    if lock:
        query = query.with_for_update(of=Appointment)
    appointment = db.session.scalars(query).first()
    if appointment is None or appointment.user_id != user.id:
        raise NotFound("预约不存在", code="APPOINTMENT_NOT_FOUND")
    return appointment


def cancel(user: User, appointment_id: int) -> None:
    """Cancel one's own booking before it starts and give the place back."""
    appointment = _own(user, appointment_id, lock=True)
    if appointment.status == "cancelled":
        return  # a retried cancel is harmless
    if appointment.slot.starts_at <= timekeeping.now():
        raise Conflict("预约时段已开始，不能取消", code="APPOINTMENT_STARTED")
    appointment.status = "cancelled"
    appointment.cancelled_at = timekeeping.now()
    db.session.execute(
        update(AppointmentSlot)
        .where(AppointmentSlot.id == appointment.slot_id, AppointmentSlot.booked > 0)
        .values(booked=AppointmentSlot.booked - 1)
        .execution_options(synchronize_session=False)
    )
    db.session.expire(appointment.slot, ["booked"])
    commit()


def list_appointments(user: User, include_cancelled: bool) -> list[Appointment]:
    """Applicants: their own bookings; staff: bookings of their region's slots."""
    query = select(Appointment).join(AppointmentSlot, Appointment.slot_id == AppointmentSlot.id)
    if user.is_staff:
        prefix = region_prefix(user.region_code or "")
        query = query.where(AppointmentSlot.region_code.startswith(prefix))
    else:
        query = query.where(Appointment.user_id == user.id)
    if not include_cancelled:
        query = query.where(Appointment.status == "booked")
    return list(db.session.scalars(query.order_by(AppointmentSlot.starts_at, Appointment.id)))


def send_reminders(today: date | None = None) -> int:
    """Remind every booking of tomorrow's slots once; returns how many were enqueued."""
    today = today or timekeeping.today()
    first, after = _day_bounds(today + timedelta(days=1))
    due = db.session.scalars(
        select(Appointment)
        .join(AppointmentSlot, Appointment.slot_id == AppointmentSlot.id)
        .where(
            Appointment.status == "booked",
            Appointment.reminded_at.is_(None),
            AppointmentSlot.starts_at >= first,
            AppointmentSlot.starts_at < after,
        )
        .with_for_update(of=Appointment, skip_locked=True)
    ).all()
    now = timekeeping.now()
    for appointment in due:
        start = _local(appointment.slot.starts_at)
        enqueue(
            appointment.user_id,
            "appointment",
            f"预约提醒：明天{start:%H:%M}{PURPOSES[appointment.purpose]}",
            f"您预约的{PURPOSES[appointment.purpose]}将于{start:%Y年%m月%d日 %H:%M}开始，"
            "如不能按时参加请提前取消。",
            {"appointment_id": appointment.id, "starts_at": start.isoformat()},
            dedupe_key=f"appointment-reminder:{appointment.id}",
        )
        appointment.reminded_at = now
    commit()
    return len(due)
