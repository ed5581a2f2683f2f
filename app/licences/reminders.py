"""Expiry reminders: one per licence per threshold of its permit type, however often we scan.

Each permit type lists its thresholds in days before expiry (``reminder_days``, e.g. 120, 90,
60, 30, 7 and 0 = "expires today"). A licence ``d`` days from expiry has reached every
threshold ``t ≥ d``; the nearest of them (the smallest) is *sent* — an outbox row for the
enterprise's manager — and any farther one not yet recorded is *skipped*, so a licence that
is imported late, or missed by scans that did not run, gets one message, not four.

The scan is set-based: licences are taken by expiry date in windows of whole days that never
straddle a threshold (so every licence in a window has the same nearest threshold) and hold
about ``BATCH_LICENCES`` licences, and each window is one transaction of two
``INSERT … SELECT`` statements over the index on ``valid_until``: first the outbox rows of
licences whose nearest reminder is not recorded yet (``dedupe_key`` unique), then the
reminders of every threshold reached (``UNIQUE (licence_id, threshold_days)``), both
``ON CONFLICT DO NOTHING``. A second scan running at the same moment waits on the first one's
uncommitted keys and then inserts nothing; rows are inserted in licence id order so two scans
take those keys in the same order and cannot deadlock.

Not reminded: superseded or revoked licences, licences with a renewal under way (filed and not
yet closed), licences that expired more than ``LATE_NOTICE_DAYS`` ago, and licences of an
enterprise nobody has claimed yet — for those nothing is recorded, so the manager who claims
the enterprise gets the nearest reminder at the next scan (the summary counts them).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import (
    Integer,
    String,
    and_,
    case,
    cast,
    exists,
    func,
    literal,
    literal_column,
    select,
    true,
    union_all,
)

from app import timekeeping
from app.extensions import db
from app.models import Application, Enterprise, Licence, OutboxMessage, Reminder
from app.sql import dialect_insert
from permits.catalogue import PermitType, get_catalogue
from workflows.definitions.common import BEFORE_APPROVAL

LATE_NOTICE_DAYS = 30  # an "expired" notice still goes out this long after the expiry day
BATCH_LICENCES = 20_000  # licences per transaction, roughly: whole expiry days are never split
ONE_DAY = timedelta(days=1)
TOPIC = "reminder"
# Filed and not refused: an approved renewal's new licence waits for the old one to end.
RENEWAL_UNDER_WAY = tuple(
    sorted((BEFORE_APPROVAL - {"draft"}) | {"approved", "dispatched", "delivered"})
)

Progress = Callable[[str, int, int], None]  # (stage, licences done, licences in range)


@dataclass
class ThresholdCount:
    sent: int = 0
    skipped: int = 0


@dataclass
class ScanSummary:
    today: date
    licences_in_range: int = 0  # live licences whose expiry is within some threshold
    unclaimed: int = 0  # of those, held by an enterprise without a manager: not reminded
    thresholds: dict[int, ThresholdCount] = field(default_factory=dict)

    @property
    def sent(self) -> int:
        return sum(count.sent for count in self.thresholds.values())

    @property
    def skipped(self) -> int:
        return sum(count.skipped for count in self.thresholds.values())


@dataclass(frozen=True)
class Window:
    """Licences of one type expiring in [first, last]; all share the same nearest threshold."""

    permit_type: PermitType
    first: date
    last: date
    nearest: int
    due: tuple[int, ...]  # every threshold reached, nearest first


def bands(permit_type: PermitType, today: date) -> Iterator[Window]:
    """The expiry ranges of ``permit_type`` with a threshold due today, nearest first.

    The band of threshold 0 is split in two: licences that expired already and those that
    expire today get different messages.
    """
    thresholds = sorted(set(permit_type.reminder_days))
    for index, threshold in enumerate(thresholds):
        due = tuple(thresholds[index:])
        last = today + timedelta(days=threshold)
        if index > 0:
            first = today + timedelta(days=thresholds[index - 1] + 1)
        elif threshold == 0:
            expired_since = today - timedelta(days=LATE_NOTICE_DAYS)
            yield Window(permit_type, expired_since, today - ONE_DAY, threshold, due)
            first = today
        else:
            first = today
        yield Window(permit_type, first, last, threshold, due)


def batches(band: Window, per_day: dict[date, int]) -> Iterator[tuple[Window, int]]:
    """``band`` cut into windows of whole expiry days holding about ``BATCH_LICENCES``."""
    first, size, day = band.first, 0, band.first
    while day <= band.last:
        count = per_day.get(day, 0)
        if count and size and size + count > BATCH_LICENCES:
            yield replace(band, first=first, last=day - ONE_DAY), size
            size = 0
        if count:
            if not size:
                first = day  # a batch starts on its first day with licences
            size += count
        day += ONE_DAY
    if size:
        yield replace(band, first=first, last=band.last), size


def _text(value: str) -> Any:
    """A bound string PostgreSQL can type (an untyped parameter next to ``||`` is ambiguous)."""
    return cast(literal(value), String)


def _date_text(column: Any) -> Any:
    """``2027-01-31`` → ``2027年01月31日``, in SQL on both backends."""
    iso = cast(column, String)
    return (
        func.substr(iso, 1, 4)
        + _text("年")
        + func.substr(iso, 6, 2)
        + _text("月")
        + func.substr(iso, 9, 2)
        + _text("日")
    )


def _message(window: Window, today: date) -> tuple[str, Any]:
    """Title and SQL body of the reminder sent for licences of ``window``."""
    permit_type = window.permit_type
    held = _text(f"您的{permit_type.name}（编号") + Licence.number + _text("）")
    if window.last < today:
        tail = "到期，不得继续从事许可事项；如需继续经营，请重新申请。"
        return "许可证已到期", held + _text("已于") + _date_text(Licence.valid_until) + _text(tail)
    if window.first == today and window.nearest == 0:
        return "许可证今日到期", held + _text("有效期今日届满，请尽快在线申请延续。")
    if window.nearest <= permit_type.renewal_window_days:
        advice = "现可在线申请延续，请尽快办理。"
    else:
        advice = f"到期前{permit_type.renewal_window_days}日起可在线申请延续。"
    body = held + _text("将于") + _date_text(Licence.valid_until) + _text("到期，" + advice)
    return "许可证即将到期", body


def _payload(window: Window) -> Any:
    items = {
        "licence_id": Licence.id,
        "licence_number": Licence.number,
        "permit_type": Licence.permit_type,
        "permit_type_name": _text(window.permit_type.name),
        "valid_until": cast(Licence.valid_until, String),
        "threshold_days": literal(window.nearest, Integer),
    }
    build = (
        func.jsonb_build_object
        if db.session.get_bind().dialect.name == "postgresql"
        else func.json_object
    )
    arguments: list[Any] = []
    for key, value in items.items():
        arguments += [literal_column(f"'{key}'"), value]
    return build(*arguments)


def _manager() -> Any:
    """The holder's manager, looked up by key for each licence of the window.

    A window holds a few thousand licences; joined instead, the planner hashes every claimed
    enterprise (a sequential scan of the table) for every window's two statements.
    """
    return (
        select(Enterprise.manager_id)
        .where(Enterprise.id == Licence.enterprise_id)
        .scalar_subquery()
    )


def _candidates(window: Window) -> Any:
    """Licences of the window whose manager can be told and whose renewal is not under way."""
    renewal_under_way = exists().where(
        Application.licence_id == Licence.id,
        Application.kind == "renewal",
        Application.state.in_(RENEWAL_UNDER_WAY),
    )
    return and_(
        Licence.permit_type == window.permit_type.code,
        Licence.terminal_status.is_(None),
        Licence.valid_until >= window.first,
        Licence.valid_until <= window.last,
        _manager().is_not(None),
        ~renewal_under_way,
    )


def _enqueue_nearest(window: Window, today: date, now: datetime) -> None:
    """One outbox row per licence whose nearest reminder has not been recorded."""
    title, body = _message(window, today)
    recorded = exists().where(
        Reminder.licence_id == Licence.id, Reminder.threshold_days == window.nearest
    )
    rows = (
        select(
            _manager(),
            _text(TOPIC),
            _text(title),
            body,
            _payload(window),
            _text(f"{TOPIC}:") + cast(Licence.id, String) + _text(f":{window.nearest}"),
            _text("pending"),
            literal(0, Integer),
            literal(now, OutboxMessage.next_attempt_at.type),
            literal(now, OutboxMessage.created_at.type),
        )
        .select_from(Licence)
        .where(_candidates(window), ~recorded)
        .order_by(Licence.id)
    )
    columns = [
        "user_id",
        "topic",
        "title",
        "body",
        "payload",
        "dedupe_key",
        "status",
        "attempts",
        "next_attempt_at",
        "created_at",
    ]
    statement = dialect_insert(OutboxMessage.__table__).from_select(columns, rows)
    db.session.execute(statement.on_conflict_do_nothing(index_elements=["dedupe_key"]))


def _record(window: Window, now: datetime) -> list[tuple[int, str]]:
    """Record every due threshold for the window's licences; (threshold, status) of each new one.

    Counted from ``RETURNING``: psycopg reports no rowcount for this ``INSERT … SELECT``.
    """
    due = union_all(*[select(literal(t, Integer).label("threshold")) for t in window.due])
    thresholds = due.subquery("due")
    status = case((thresholds.c.threshold == window.nearest, "sent"), else_="skipped")
    rows = (
        select(
            Licence.id,
            thresholds.c.threshold,
            cast(status, String),
            literal(now, Reminder.created_at.type),
        )
        .select_from(Licence)
        .join(thresholds, true())
        .where(_candidates(window))
        .order_by(Licence.id, thresholds.c.threshold)
    )
    statement = dialect_insert(Reminder.__table__).from_select(
        ["licence_id", "threshold_days", "status", "created_at"], rows
    )
    inserted = db.session.execute(
        statement.on_conflict_do_nothing(index_elements=["licence_id", "threshold_days"]).returning(
            Reminder.threshold_days, Reminder.status
        )
    )
    return [(row.threshold_days, row.status) for row in inserted]


def _expiry_counts(permit_type: PermitType, first: date, last: date) -> dict[date, tuple[int, int]]:
    """Live licences per expiry day in [first, last]: (all, unclaimed)."""
    rows = db.session.execute(
        select(
            Licence.valid_until,
            func.count(),
            func.count() - func.count(Enterprise.manager_id),
        )
        .join(Enterprise, Enterprise.id == Licence.enterprise_id)
        .where(
            Licence.permit_type == permit_type.code,
            Licence.terminal_status.is_(None),
            Licence.valid_until >= first,
            Licence.valid_until <= last,
        )
        .group_by(Licence.valid_until)
    ).all()
    return {row[0]: (int(row[1]), int(row[2])) for row in rows}


def scan(today: date | None = None, progress: Progress | None = None) -> ScanSummary:
    """Record and enqueue every reminder due on ``today`` (the office's today by default)."""
    today = today or timekeeping.today()
    now = timekeeping.now()
    summary = ScanSummary(today=today)
    plan: list[tuple[Window, int]] = []
    for permit_type in get_catalogue().values():
        type_bands = list(bands(permit_type, today))
        if not type_bands:
            continue
        counts = _expiry_counts(permit_type, type_bands[0].first, type_bands[-1].last)
        per_day = {day: in_range for day, (in_range, _) in counts.items()}
        summary.licences_in_range += sum(per_day.values())
        summary.unclaimed += sum(unclaimed for _, unclaimed in counts.values())
        for band in type_bands:
            plan += batches(band, per_day)
            for threshold in band.due:
                summary.thresholds.setdefault(threshold, ThresholdCount())
    db.session.commit()
    done = 0
    for window, size in plan:
        _scan_window(window, today, now, summary)
        done += size
        if progress is not None:
            progress("扫描临近到期的许可证", done, summary.licences_in_range)
    summary.thresholds = dict(sorted(summary.thresholds.items(), reverse=True))
    return summary


def _scan_window(window: Window, today: date, now: datetime, summary: ScanSummary) -> None:
    """One transaction: the nearest reminder's messages, then every due reminder."""
    _enqueue_nearest(window, today, now)
    for threshold, status in _record(window, now):
        count = summary.thresholds[threshold]
        if status == "sent":
            count.sent += 1
        else:
            count.skipped += 1
    db.session.commit()
