"""The in-app inbox: what happened to my case shows up, paginated, and can be marked read."""

from __future__ import annotations

from app.domain.outbox import enqueue
from app.extensions import db
from app.jobs import outbox_delivery


def fill_inbox(user, count: int) -> None:
    for n in range(1, count + 1):
        enqueue(user.id, "case", f"通知{n}", f"第{n}条通知", {"application_id": n})
    db.session.commit()
    outbox_delivery.drain()


def test_a_submitted_case_lands_in_the_applicants_inbox(frozen_now, client, office, submitted):
    assert client.get("/api/v1/notifications", headers=office.applicant).get_json()["total"] == 0
    outbox_delivery.drain()
    inbox = client.get("/api/v1/notifications", headers=office.applicant).get_json()
    assert (inbox["total"], inbox["unread"]) == (1, 1)
    (item,) = inbox["items"]
    assert item["title"] == "申请已提交"
    assert submitted["number"] in item["body"]
    assert item["payload"]["application_id"] == submitted["id"]
    assert item["read"] is False and item["read_at"] is None
    assert item["created_at"].endswith("+08:00")


def test_the_inbox_is_paginated_newest_first_with_the_unread_count(client, make):
    user = make.applicant()
    fill_inbox(user, 25)
    auth = make.headers(user)
    page = client.get("/api/v1/notifications?page=2&page_size=10", headers=auth).get_json()
    assert (page["page"], page["page_size"], page["total"], page["unread"]) == (2, 10, 25, 25)
    assert [item["title"] for item in page["items"]] == [f"通知{n}" for n in range(15, 5, -1)]
    too_big = client.get("/api/v1/notifications?page_size=101", headers=auth)
    assert too_big.status_code == 422
    assert "page_size" in too_big.get_json()["errors"]


def test_marking_read_counts_down_and_is_harmless_twice(client, make, frozen_now):
    user = make.applicant()
    fill_inbox(user, 3)
    auth = make.headers(user)
    items = client.get("/api/v1/notifications", headers=auth).get_json()["items"]
    first = client.post(f"/api/v1/notifications/{items[0]['id']}/read", headers=auth)
    assert first.status_code == 200
    assert first.get_json()["read"] is True
    assert first.get_json()["read_at"] == "2026-11-23T10:00:00+08:00"
    again = client.post(f"/api/v1/notifications/{items[0]['id']}/read", headers=auth)
    assert again.get_json()["read_at"] == first.get_json()["read_at"]

    inbox = client.get("/api/v1/notifications", headers=auth).get_json()
    assert (inbox["total"], inbox["unread"]) == (3, 2)
    unread = client.get("/api/v1/notifications?unread=true", headers=auth).get_json()
    assert unread["total"] == 2
    assert items[0]["id"] not in {item["id"] for item in unread["items"]}


def test_someone_elses_notification_is_not_found(client, make):
    owner, other = make.applicant(), make.applicant()
    fill_inbox(owner, 1)
    notification_id = client.get("/api/v1/notifications", headers=make.headers(owner)).get_json()[
        "items"
    ][0]["id"]
    response = client.post(
        f"/api/v1/notifications/{notification_id}/read", headers=make.headers(other)
    )
    assert response.status_code == 404
    assert response.get_json()["code"] == "NOTIFICATION_NOT_FOUND"
    missing = client.post("/api/v1/notifications/999999/read", headers=make.headers(other))
    assert missing.get_json() == response.get_json()
    assert client.get("/api/v1/notifications", headers=make.headers(other)).get_json()["total"] == 0


def test_the_inbox_needs_a_login(client):
    response = client.get("/api/v1/notifications")
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"
