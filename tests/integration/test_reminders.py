"""The expiry reminder scan: one reminder per licence per threshold, only the nearest sent."""

from __future__ import annotations

import os
import threading
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.licences import reminders
from app.models import Licence, OutboxMessage, Reminder
from permits.catalogue import get_permit_type
from tests.conftest import FROZEN_NOW

TODAY = date(2026, 11, 23)  # FROZEN_NOW in Shanghai
ON_POSTGRESQL = "postgresql" in (os.environ.get("TEST_DATABASE_URL") or "")


@pytest.fixture
def holder(make, frozen_now):
    """An enterprise with a manager, who receives the reminders."""
    manager = make.applicant()
    return make.enterprise(manager)


def licence_expiring_in(make, enterprise, days: int, **overrides) -> Licence:
    until = TODAY + timedelta(days=days)
    return make.licence(
        enterprise,
        valid_from=(until - timedelta(days=3 * 365)).isoformat(),
        valid_until=until.isoformat(),
        **overrides,
    )


def recorded(licence: Licence) -> dict[int, str]:
    rows = db.session.execute(
        select(Reminder.threshold_days, Reminder.status).where(Reminder.licence_id == licence.id)
    ).all()
    return dict(rows)


def messages_for(licence: Licence) -> list[OutboxMessage]:
    return [
        m
        for m in db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
        if m.payload.get("licence_id") == licence.id
    ]


def test_each_licence_gets_its_nearest_threshold_and_the_farther_ones_are_skipped(make, holder):
    far = licence_expiring_in(make, holder, 100)
    mid = licence_expiring_in(make, holder, 45)
    today = licence_expiring_in(make, holder, 0)
    expired = licence_expiring_in(make, holder, -3)
    long_expired = licence_expiring_in(make, holder, -40)
    not_yet = licence_expiring_in(make, holder, 121)

    summary = reminders.scan()

    assert recorded(far) == {120: "sent"}
    assert recorded(mid) == {60: "sent", 90: "skipped", 120: "skipped"}
    assert recorded(today) == {0: "sent", 7: "skipped", 30: "skipped", 60: "skipped",
                               90: "skipped", 120: "skipped"}  # fmt: skip
    assert recorded(expired) == recorded(today)
    assert recorded(long_expired) == recorded(not_yet) == {}
    assert summary.thresholds[120].sent == 1
    assert summary.thresholds[60].sent == 1
    assert summary.thresholds[0].sent == 2
    assert summary.thresholds[120].skipped == 3
    assert summary.sent == 4
    assert list(summary.thresholds) == [120, 90, 60, 30, 7, 0]
    for licence in (far, mid, today, expired):
        assert len(messages_for(licence)) == 1
        assert messages_for(licence)[0].user_id == holder.manager_id


def test_scanning_twice_writes_nothing_new(make, holder):
    licences = [licence_expiring_in(make, holder, days) for days in (100, 45, 7, 0, -1)]
    first = reminders.scan()
    before = db.session.scalar(select(func.count()).select_from(Reminder))
    second = reminders.scan()
    assert first.sent == 5
    assert (second.sent, second.skipped) == (0, 0)
    assert db.session.scalar(select(func.count()).select_from(Reminder)) == before
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == len(licences)


def test_as_days_pass_each_threshold_is_sent_once(make, holder, frozen_now):
    licence = licence_expiring_in(make, holder, 95)
    sent_on = {}
    for day in range(0, 101):
        frozen_now(FROZEN_NOW + timedelta(days=day))
        summary = reminders.scan()
        for threshold, count in summary.thresholds.items():
            if count.sent:
                sent_on[threshold] = day
    assert sent_on == {120: 0, 90: 5, 60: 35, 30: 65, 7: 88, 0: 95}
    assert set(recorded(licence).values()) == {"sent"}
    assert len(messages_for(licence)) == 6


def test_the_message_names_the_licence_its_expiry_and_what_to_do(make, holder):
    soon = licence_expiring_in(make, holder, 30, number="津安经〔2023〕000777")
    gone = licence_expiring_in(make, holder, -2, number="津安经〔2023〕000778")
    last_day = licence_expiring_in(make, holder, 0, number="津安经〔2023〕000779")
    early = licence_expiring_in(make, holder, 110, number="津安经〔2023〕000780")
    reminders.scan()

    (message,) = messages_for(soon)
    assert message.topic == "reminder"
    assert message.title == "许可证即将到期"
    assert message.body == (
        "您的危险化学品经营许可证（编号津安经〔2023〕000777）将于2026年12月23日到期，"
        "现可在线申请延续，请尽快办理。"
    )
    assert message.payload == {
        "licence_id": soon.id,
        "licence_number": "津安经〔2023〕000777",
        "permit_type": "hazchem-trading",
        "permit_type_name": "危险化学品经营许可证",
        "valid_until": "2026-12-23",
        "threshold_days": 30,
    }
    assert message.dedupe_key == f"reminder:{soon.id}:30"
    assert messages_for(gone)[0].title == "许可证已到期"
    assert "已于2026年11月21日到期" in messages_for(gone)[0].body
    assert messages_for(last_day)[0].title == "许可证今日到期"
    assert "到期前90日起可在线申请延续" in messages_for(early)[0].body


def test_licences_nobody_can_be_told_about_are_left_for_later(make, holder):
    revoked = licence_expiring_in(make, holder, 10, terminal_status="revoked")
    superseded = licence_expiring_in(make, holder, 10, terminal_status="superseded")
    unclaimed_firm = make.enterprise(None)
    unclaimed = licence_expiring_in(make, unclaimed_firm, 10)

    summary = reminders.scan()
    assert recorded(revoked) == recorded(superseded) == recorded(unclaimed) == {}
    assert (summary.licences_in_range, summary.unclaimed, summary.sent) == (1, 1, 0)

    unclaimed_firm.manager_id = make.applicant().id  # the enterprise is claimed
    db.session.commit()
    reminders.scan()
    assert recorded(unclaimed) == {30: "sent", 60: "skipped", 90: "skipped", 120: "skipped"}


def test_a_licence_whose_renewal_is_under_way_is_not_reminded(make, holder):
    licence = licence_expiring_in(make, holder, 20)
    case = make.case_in_state(holder, "under_review", holder.manager)
    case.kind, case.licence_id = "renewal", licence.id
    db.session.commit()
    assert reminders.scan().sent == 0
    assert recorded(licence) == {}

    case.state = "withdrawn"
    db.session.commit()
    assert reminders.scan().sent == 1


def test_the_command_prints_a_summary_per_threshold(make, holder, runner):
    licence_expiring_in(make, holder, 45)
    licence_expiring_in(make, holder, 0)
    result = runner.invoke(args=["reminders", "scan"])
    assert result.exit_code == 0, result.output
    assert "2026-11-23 到期提醒扫描完成" in result.output
    assert "到期前120天：发送 0，跳过 2" in result.output
    assert "到期前60天：发送 1，跳过 1" in result.output
    assert "到期前7天：发送 0，跳过 1" in result.output
    assert "到期当日及已到期：发送 1，跳过 0" in result.output
    assert "合计发送 2，跳过 7" in result.output

    again = runner.invoke(args=["reminders", "scan", "--date", "2026-11-23"])
    assert "合计发送 0，跳过 0" in again.output


def test_a_scan_reports_progress_up_to_every_licence_in_range(make, holder):
    for days in (3, 50, 100, 200):
        licence_expiring_in(make, holder, days)
    reports = []
    reminders.scan(progress=lambda stage, done, total: reports.append((done, total)))
    assert reports[-1] == (3, 3)
    assert [done for done, _ in reports] == sorted(done for done, _ in reports)


@pytest.mark.skipif(
    not ON_POSTGRESQL, reason="overlapping scans need concurrent writers (TEST_DATABASE_URL)"
)
def test_overlapping_scans_still_write_one_reminder_per_threshold(app, make, holder):
    offsets = [days for days in range(-5, 121) for _ in range(3)]  # all within 120 days
    licences = [licence_expiring_in(make, holder, days) for days in offsets]
    start = threading.Barrier(3)
    summaries, errors = [], []

    def worker() -> None:
        with app.app_context():
            start.wait()
            try:
                summaries.append(reminders.scan(TODAY))
            except Exception as exc:
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert sum(s.sent for s in summaries) == len(licences)
    duplicates = db.session.execute(
        select(Reminder.licence_id, Reminder.threshold_days)
        .group_by(Reminder.licence_id, Reminder.threshold_days)
        .having(func.count() > 1)
    ).all()
    assert duplicates == []
    per_licence = db.session.execute(
        select(Reminder.licence_id, func.count())
        .where(Reminder.status == "sent")
        .group_by(Reminder.licence_id)
    ).all()
    assert {count for _, count in per_licence} == {1}
    assert len(per_licence) == len(licences)
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == len(licences)


def test_small_batches_split_between_days_and_change_nothing(make, holder, monkeypatch):
    monkeypatch.setattr(reminders, "BATCH_LICENCES", 2)
    licences = [licence_expiring_in(make, holder, days) for days in (10, 10, 10, 11, 12, 25)]
    hazchem_trading = get_permit_type("hazchem-trading")
    band = next(b for b in reminders.bands(hazchem_trading, TODAY) if b.nearest == 30)
    per_day = {TODAY + timedelta(days=d): n for d, n in {10: 3, 11: 1, 12: 1, 25: 1}.items()}
    windows = [(w.first, w.last, size) for w, size in reminders.batches(band, per_day)]
    assert windows == [
        (TODAY + timedelta(days=10), TODAY + timedelta(days=10), 3),  # one day is never split
        (TODAY + timedelta(days=11), TODAY + timedelta(days=24), 2),
        (TODAY + timedelta(days=25), TODAY + timedelta(days=30), 1),
    ]
    summary = reminders.scan()
    assert summary.thresholds[30].sent == 6
    expected = {30: "sent", 60: "skipped", 90: "skipped", 120: "skipped"}
    assert all(recorded(licence) == expected for licence in licences)
