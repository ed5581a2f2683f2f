"""Subscribe consent: WeChat only for templates the user accepted (once per acceptance),
the inbox always. Drained against the local fake WeChat server over real HTTP."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.domain.outbox import enqueue
from app.extensions import db
from app.jobs import outbox_delivery
from app.models import OutboxMessage

URL = "/api/v1/me/subscriptions"


@pytest.fixture
def applicant(app, make):
    user = make.applicant()
    return user, make.headers(user)


def notify(user, topic: str, n: int) -> None:
    enqueue(user.id, topic, f"通知{n}", f"第{n}条通知", {"application_id": n, "licence_id": n})
    db.session.commit()


def inbox_titles(client, headers) -> list[str]:
    items = client.get("/api/v1/notifications", headers=headers).get_json()["items"]
    return sorted(item["title"] for item in items)


def test_rejected_template_gets_no_wechat_send_but_still_an_inbox_entry(client, wechat, applicant):
    user, headers = applicant
    answer = client.post(
        URL, json={"accepted": ["tmpl-case"], "rejected": ["tmpl-licence"]}, headers=headers
    )
    assert answer.status_code == 200
    assert answer.get_json()["items"] == [
        {"template_id": "tmpl-case", "status": "accepted", "remaining": 1},
        {"template_id": "tmpl-licence", "status": "rejected", "remaining": 0},
    ]
    notify(user, "case", 1)
    notify(user, "licence", 2)

    summary = outbox_delivery.drain()

    assert [m["template_id"] for m in wechat.sent] == ["tmpl-case"]
    assert summary.wechat == {"sent": 1, "no_consent": 1}
    assert inbox_titles(client, headers) == ["通知1", "通知2"]


def test_each_acceptance_allows_one_send(client, wechat, applicant):
    user, headers = applicant
    client.post(URL, json={"accepted": ["tmpl-case"]}, headers=headers)
    client.post(URL, json={"accepted": ["tmpl-case"]}, headers=headers)
    for n in (1, 2, 3):
        notify(user, "case", n)

    outbox_delivery.drain()

    assert len(wechat.sent) == 2
    statuses = db.session.scalars(
        select(OutboxMessage.wechat_status).order_by(OutboxMessage.id)
    ).all()
    assert statuses == ["sent", "sent", "no_consent"]
    assert inbox_titles(client, headers) == ["通知1", "通知2", "通知3"]
    items = client.get(URL, headers=headers).get_json()["items"]
    assert items == [{"template_id": "tmpl-case", "status": "accepted", "remaining": 0}]


def test_a_send_that_must_be_retried_keeps_its_consent(client, wechat, applicant):
    user, headers = applicant
    client.post(URL, json={"accepted": ["tmpl-case"]}, headers=headers)
    notify(user, "case", 1)
    wechat.fail_next_sends(-1)

    outbox_delivery.drain()

    assert wechat.sent == []
    assert client.get(URL, headers=headers).get_json()["items"][0]["remaining"] == 1


def test_rejecting_later_withdraws_what_was_left(client, wechat, applicant):
    user, headers = applicant
    client.post(URL, json={"accepted": ["tmpl-case"]}, headers=headers)
    client.post(URL, json={"rejected": ["tmpl-case"]}, headers=headers)
    notify(user, "case", 1)

    outbox_delivery.drain()

    assert wechat.sent == []
    assert inbox_titles(client, headers) == ["通知1"]


@pytest.mark.parametrize(
    "body, field",
    [
        ({}, "accepted"),
        ({"accepted": ["t1"], "rejected": ["t1"]}, "rejected"),
        ({"accepted": [""]}, "accepted.0"),
    ],
)
def test_bad_reports_are_422_with_the_field(client, applicant, body, field):
    _, headers = applicant
    response = client.post(URL, json=body, headers=headers)
    assert response.status_code == 422
    assert field in response.get_json()["errors"]


def test_staff_have_no_subscriptions(client, make):
    staff = make.headers(make.staff("clerk"))
    assert client.post(URL, json={"accepted": ["t"]}, headers=staff).status_code == 403
