"""Draining the outbox against a local fake WeChat server: once each, nothing lost.

Every test runs a real HTTP server (``fake_wechat.FakeWechatServer``) and points
``WECHAT_API_BASE`` at it, so the whole path — token, cache, send, errors — is exercised.
"""

from __future__ import annotations

import os
import threading
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.domain.outbox import enqueue
from app.extensions import db
from app.jobs import outbox_delivery
from app.models import (
    Notification,
    OutboxMessage,
    SubscriptionConsent,
    User,
    WechatAccessToken,
)
from tests.conftest import FROZEN_NOW
from tests.integration.fake_wechat import refused_base_url

ON_POSTGRESQL = "postgresql" in (os.environ.get("TEST_DATABASE_URL") or "")


def recipient(openid: str | None, consents: int = 100) -> User:
    """A user who accepted the case and reminder templates ``consents`` times each."""
    user = User(kind="applicant", openid=openid, roles=[])
    db.session.add(user)
    db.session.flush()
    for template_id in ("tmpl-case", "tmpl-reminder"):
        db.session.add(
            SubscriptionConsent(
                user_id=user.id, template_id=template_id, status="accepted", remaining=consents
            )
        )
    db.session.commit()
    return user


def message(user: User, n: int = 1, topic: str = "case") -> OutboxMessage:
    row = enqueue(
        user.id,
        topic,
        f"申请已受理{n}",
        f"您的申请ZV2026{n:06d}已受理，法定办结时限自今日起计算，请留意后续通知和办理进度。",
        {"application_id": n},
        dedupe_key=f"test:{user.id}:{n}:{topic}",
    )
    db.session.commit()
    return row


def rows() -> list[OutboxMessage]:
    db.session.expire_all()
    return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def inbox_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Notification))


def later(move_to, minutes: int) -> None:
    move_to(FROZEN_NOW + timedelta(minutes=minutes))


def test_each_message_reaches_the_inbox_and_wechat_once_with_one_token_fetch(wechat):
    users = [recipient(f"openid-{i}") for i in range(3)]
    clerk = recipient(None)  # staff and the like have no openid: inbox only
    for n, user in enumerate([*users, clerk], start=1):
        message(user, n)

    summary = outbox_delivery.drain()

    assert (summary.claimed, summary.delivered, summary.inbox_written) == (4, 4, 4)
    assert summary.wechat == {"sent": 3, "no_openid": 1}
    assert summary.token_fetches == 1
    assert len(wechat.token_requests) == 1
    assert wechat.token_requests[0]["force_refresh"] is False
    assert sorted(m["touser"] for m in wechat.sent) == ["openid-0", "openid-1", "openid-2"]
    first = next(m for m in wechat.sent if m["touser"] == "openid-0")
    assert first["template_id"] == "tmpl-case"
    assert first["page"] == "pages/applications/detail?id=1"
    assert first["data"]["thing1"] == {"value": "申请已受理1"}
    assert len(first["data"]["thing2"]["value"]) == 20  # the body, cut to the thing limit
    assert first["data"]["time3"] == {"value": "2026年11月23日 10:00"}
    assert [r.status for r in rows()] == ["delivered"] * 4
    assert [r.wechat_status for r in rows()] == ["sent", "sent", "sent", "no_openid"]
    assert inbox_count() == 4

    again = outbox_delivery.drain()
    assert (again.claimed, again.token_fetches) == (0, 0)
    assert len(wechat.sent) == 3
    assert inbox_count() == 4


def test_the_token_is_cached_for_every_worker_and_refreshed_before_it_expires(wechat, frozen_now):
    user = recipient("openid-1")
    message(user, 1)
    outbox_delivery.drain()
    message(user, 2)
    second = outbox_delivery.drain()
    assert second.token_fetches == 0  # the first drain's token, read from the database
    assert len(wechat.token_requests) == 1

    later(frozen_now, 7200 // 60 - 6)  # 6 minutes before expiry: still used
    message(user, 3)
    assert outbox_delivery.drain().token_fetches == 0
    later(frozen_now, 7200 // 60 - 4)  # inside the 5-minute margin: refreshed
    message(user, 4)
    assert outbox_delivery.drain().token_fetches == 1
    assert len(wechat.sent) == 4
    stored = db.session.scalars(select(WechatAccessToken)).one()
    assert stored.expires_at == FROZEN_NOW + timedelta(minutes=7200 // 60 - 4, seconds=7200)


def test_a_busy_wechat_loses_nothing_and_sends_nothing_twice(wechat, frozen_now):
    users = [recipient(f"openid-{i}") for i in range(3)]
    for n, user in enumerate(users, start=1):
        message(user, n)
    wechat.fail_next_sends(-1, times=3)

    first = outbox_delivery.drain()
    assert (first.claimed, first.retry_scheduled, first.inbox_written) == (3, 3, 3)
    assert wechat.sent == []
    assert inbox_count() == 3  # the inbox does not wait for WeChat
    assert {(r.status, r.attempts) for r in rows()} == {("pending", 1)}
    assert all(r.next_attempt_at == FROZEN_NOW + timedelta(seconds=60) for r in rows())
    assert "-1" in rows()[0].last_error

    assert outbox_delivery.drain().claimed == 0  # not due yet
    later(frozen_now, 2)
    second = outbox_delivery.drain()
    assert (second.claimed, second.delivered, second.inbox_written) == (3, 3, 0)
    assert Counter(m["touser"] for m in wechat.sent) == {f"openid-{i}": 1 for i in range(3)}
    assert inbox_count() == 3
    later(frozen_now, 600)
    assert outbox_delivery.drain().claimed == 0


def test_an_unreachable_wechat_is_tried_once_per_drain_and_caught_up_later(wechat, app, frozen_now):
    users = [recipient(f"openid-{i}") for i in range(4)]
    for n, user in enumerate(users, start=1):
        message(user, n)
    app.config["WECHAT_API_BASE"] = refused_base_url()

    down = outbox_delivery.drain()
    assert (down.claimed, down.retry_scheduled, down.token_fetches) == (4, 4, 1)
    assert inbox_count() == 4
    assert all(r.status == "pending" and "不可达" in r.last_error for r in rows())

    app.config["WECHAT_API_BASE"] = wechat.base_url
    later(frozen_now, 2)
    up = outbox_delivery.drain()
    assert (up.delivered, up.token_fetches) == (4, 1)
    assert Counter(m["touser"] for m in wechat.sent) == {f"openid-{i}": 1 for i in range(4)}
    assert inbox_count() == 4


def test_backoff_doubles_and_the_message_fails_after_the_last_attempt(wechat, app, frozen_now):
    app.config["OUTBOX_MAX_ATTEMPTS"] = 3
    message(recipient("openid-1"), 1)
    wechat.fail_next_sends(-1, times=10)
    waits = []
    for minute in (0, 1, 3):
        later(frozen_now, minute)
        outbox_delivery.drain()
        row = rows()[0]
        waits.append(row.next_attempt_at - (FROZEN_NOW + timedelta(minutes=minute)))
    row = rows()[0]
    assert waits[:2] == [timedelta(seconds=60), timedelta(seconds=120)]
    assert (row.status, row.wechat_status, row.attempts) == ("failed", "failed", 3)
    assert inbox_count() == 1  # the inbox entry was never in doubt
    later(frozen_now, 600)
    assert outbox_delivery.drain().claimed == 0
    assert wechat.send_attempts == 3


def test_43101_is_not_retried_and_the_inbox_still_gets_the_message(wechat, frozen_now):
    message(recipient("openid-refuses"), 1)
    message(recipient("openid-accepts"), 2)
    wechat.unsubscribed.add("openid-refuses")

    summary = outbox_delivery.drain()
    assert summary.wechat == {"unsubscribed": 1, "sent": 1}
    refused = rows()[0]
    assert (refused.status, refused.wechat_status, refused.attempts) == (
        "delivered",
        "unsubscribed",
        1,
    )
    assert "43101" in refused.last_error
    assert inbox_count() == 2
    later(frozen_now, 24 * 60)
    assert outbox_delivery.drain().claimed == 0
    assert wechat.send_attempts == 2


def test_a_permanent_error_fails_the_channel_at_once(wechat):
    message(recipient("openid-1"), 1)
    wechat.fail_next_sends(40037)  # bad template id: retrying cannot help
    summary = outbox_delivery.drain()
    assert (summary.failed, summary.retry_scheduled) == (1, 0)
    row = rows()[0]
    assert (row.status, row.wechat_status) == ("failed", "failed")
    assert "40037" in row.last_error
    assert inbox_count() == 1


def test_a_rejected_token_is_replaced_once_and_the_message_sent(wechat):
    user = recipient("openid-1")
    message(user, 1)
    outbox_delivery.drain()
    wechat.revoke_tokens()
    message(user, 2)
    summary = outbox_delivery.drain()
    assert (summary.delivered, summary.token_fetches) == (1, 1)
    assert len(wechat.sent) == 2
    assert [r["force_refresh"] for r in wechat.token_requests] == [False, False]


def test_a_token_wechat_keeps_handing_out_is_force_refreshed(wechat):
    user = recipient("openid-1")
    message(user, 1)
    outbox_delivery.drain()
    wechat.revoke_tokens(until_forced=True)
    message(user, 2)
    message(user, 3)
    summary = outbox_delivery.drain()
    assert (summary.delivered, summary.token_fetches) == (2, 2)
    assert [r["force_refresh"] for r in wechat.token_requests] == [False, False, True]
    assert len(wechat.sent) == 3


def test_fake_mode_and_missing_templates_deliver_to_the_inbox_only(wechat, app):
    user = recipient("openid-1")
    message(user, 1, topic="delivery")  # no WECHAT_TEMPLATE_DELIVERY configured
    first = outbox_delivery.drain()
    assert first.wechat == {"disabled": 1}
    assert "订阅模板" in rows()[0].last_error

    app.config["WECHAT_MODE"] = "fake"
    message(user, 2)
    second = outbox_delivery.drain()
    assert (second.delivered, second.wechat, second.token_fetches) == (1, {"disabled": 1}, 0)
    assert wechat.send_attempts == 0
    assert inbox_count() == 2


def test_a_claim_whose_lease_ran_out_is_taken_over_and_the_old_worker_changes_nothing(
    wechat, frozen_now
):
    message(recipient("openid-1"), 1)
    lease = timedelta(seconds=600)
    stale = outbox_delivery.claim_due(10, FROZEN_NOW, lease)  # a worker that then hangs
    assert [c.attempts for c in stale] == [1]
    assert outbox_delivery.drain().claimed == 0  # leased

    later(frozen_now, 11)
    assert outbox_delivery.drain().delivered == 1
    settings = outbox_delivery.delivery_settings()
    snapshot = outbox_delivery.Snapshot(
        id=stale[0].id,
        user_id=rows()[0].user_id,
        openid="openid-1",
        topic="case",
        title="t",
        body="b",
        payload={},
        created_at=FROZEN_NOW,
    )
    late = outbox_delivery.Outcome("retry", "late")
    assert outbox_delivery._finish(stale[0], snapshot, late, settings) is None
    assert (rows()[0].status, rows()[0].attempts) == ("delivered", 2)
    assert inbox_count() == 1


@pytest.mark.skipif(
    not ON_POSTGRESQL, reason="two drains at once need row locks (TEST_DATABASE_URL=postgresql)"
)
def test_overlapping_drains_deliver_each_row_once(wechat, app):
    users = [recipient(f"openid-{i}") for i in range(50)]
    for n, user in enumerate(users * 4, start=1):
        message(user, n)
    start = threading.Barrier(3)
    summaries = []

    def worker() -> None:
        with app.app_context():
            start.wait()
            summaries.append(outbox_delivery.drain(limit=1000, batch_size=4))
            db.session.remove()

    threads = [threading.Thread(target=worker) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sum(s.claimed for s in summaries) == 200  # no row claimed twice
    assert sum(s.delivered for s in summaries) == 200
    assert len(wechat.sent) == 200
    assert len({(m["touser"], m["data"]["thing1"]["value"]) for m in wechat.sent}) == 200
    assert inbox_count() == 200
    assert {r.status for r in rows()} == {"delivered"}
