"""Online appointments over HTTP: publishing slots, booking, SLOT_FULL, cancelling, reminders."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from threading import Barrier

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import AppointmentSlot, OutboxMessage

ON_POSTGRESQL = "postgresql" in (os.environ.get("TEST_DATABASE_URL") or "")
SLOTS = "/api/v1/appointment-slots"
BOOKINGS = "/api/v1/appointments"
TOMORROW_9 = "2026-11-24T09:00:00+08:00"
TOMORROW_10 = "2026-11-24T10:00:00+08:00"


@pytest.fixture
def people(make, frozen_now):
    """A clerk and a reviewer of Tianjin, and two applicants who book."""
    clerk = make.staff("clerk", "120000")
    return {
        "clerk": make.headers(clerk),
        "reviewer": make.headers(make.staff("reviewer", "120000")),
        "alice": make.headers(make.applicant()),
        "bob": make.headers(make.applicant()),
    }


def publish(client, people, capacity: int = 1, purpose: str = "video_consultation", **kw) -> dict:
    body = {
        "starts_at": TOMORROW_9,
        "ends_at": TOMORROW_10,
        "purpose": purpose,
        "capacity": capacity,
        **kw,
    }
    response = client.post(SLOTS, json=body, headers=people["clerk"])
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def book(client, headers, slot: dict, **kw):
    body = {"slot_id": slot["id"], "purpose": slot["purpose"], **kw}
    return client.post(BOOKINGS, json=body, headers=headers)


def test_book_until_full_then_slot_full(client, people):
    slot = publish(client, people, capacity=1)
    assert slot["available"] == 1

    first = book(client, people["alice"], slot)
    assert first.status_code == 201, first.get_json()
    assert first.get_json()["slot"]["available"] == 0
    second = book(client, people["bob"], slot)
    assert second.status_code == 409
    assert second.get_json()["code"] == "SLOT_FULL"
    assert "约满" in second.get_json()["detail"]

    listed = client.get(
        f"{SLOTS}?date=2026-11-24&purpose=video_consultation", headers=people["bob"]
    ).get_json()["items"]
    assert [(s["id"], s["available"]) for s in listed] == [(slot["id"], 0)]


def test_cancel_gives_the_place_back_and_only_the_owner_may(client, people):
    slot = publish(client, people, capacity=1)
    mine = book(client, people["alice"], slot).get_json()

    assert client.delete(f"{BOOKINGS}/{mine['id']}", headers=people["bob"]).status_code == 404
    assert client.delete(f"{BOOKINGS}/{mine['id']}", headers=people["alice"]).status_code == 204
    assert client.get(BOOKINGS, headers=people["alice"]).get_json()["items"] == []
    assert book(client, people["bob"], slot).status_code == 201


def test_my_appointments_and_the_staff_view(client, people):
    slot = publish(client, people, capacity=3, purpose="document_collection")
    book(client, people["alice"], slot)
    book(client, people["bob"], slot)
    mine = client.get(BOOKINGS, headers=people["alice"]).get_json()["items"]
    assert len(mine) == 1
    assert mine[0]["slot"]["purpose_label"] == "材料收取"
    assert len(client.get(BOOKINGS, headers=people["clerk"]).get_json()["items"]) == 2


def test_refusals(client, people, make):
    slot = publish(client, people, capacity=2)
    assert book(client, people["alice"], slot).status_code == 201
    twice = book(client, people["alice"], slot)
    assert twice.get_json()["code"] == "ALREADY_BOOKED"
    wrong = book(client, people["bob"], slot, purpose="onsite_inspection")
    assert wrong.status_code == 422
    assert wrong.get_json()["code"] == "PURPOSE_MISMATCH"
    someone_elses_case = book(client, people["bob"], slot, application_id=12345)
    assert someone_elses_case.status_code == 404
    assert book(client, people["clerk"], slot).status_code == 403
    missing = client.post(
        BOOKINGS, json={"slot_id": 999, "purpose": "video_consultation"}, headers=people["bob"]
    )
    assert missing.status_code == 404


@pytest.mark.parametrize(
    "body, field",
    [
        ({"starts_at": TOMORROW_10, "ends_at": TOMORROW_9}, "ends_at"),
        (
            {"starts_at": "2026-11-20T09:00:00+08:00", "ends_at": "2026-11-20T10:00:00+08:00"},
            "starts_at",
        ),
        ({"capacity": 0}, "capacity"),
        ({"purpose": "party"}, "purpose"),
        ({"starts_at": "2026-11-24T09:00:00"}, "starts_at"),
    ],
)
def test_bad_slots_are_422(client, people, body, field):
    full = {
        "starts_at": TOMORROW_9,
        "ends_at": TOMORROW_10,
        "purpose": "video_consultation",
        "capacity": 1,
        **body,
    }
    response = client.post(SLOTS, json=full, headers=people["clerk"])
    assert response.status_code == 422
    assert field in response.get_json()["errors"]


def test_only_publishing_roles_publish(client, people):
    body = {
        "starts_at": TOMORROW_9,
        "ends_at": TOMORROW_10,
        "purpose": "video_consultation",
        "capacity": 1,
    }
    assert client.post(SLOTS, json=body, headers=people["reviewer"]).status_code == 403
    assert client.post(SLOTS, json=body, headers=people["alice"]).status_code == 403


def test_a_reminder_the_day_before_once(client, people, runner):
    slot = publish(client, people, capacity=2)
    booking = book(client, people["alice"], slot).get_json()
    later = publish(
        client, people, starts_at="2026-11-25T09:00:00+08:00", ends_at="2026-11-25T10:00:00+08:00"
    )
    book(client, people["alice"], later)

    first = runner.invoke(args=["appointments", "remind"])
    again = runner.invoke(args=["appointments", "remind"])

    assert "1 条" in first.output and "0 条" in again.output
    rows = db.session.scalars(select(OutboxMessage)).all()
    assert [r.payload["appointment_id"] for r in rows] == [booking["id"]]
    assert rows[0].title == "预约提醒：明天09:00视频咨询"


def test_reminder_job_for_a_given_date(client, people):
    from app.services import appointments

    publish(
        client, people, starts_at="2026-11-25T09:00:00+08:00", ends_at="2026-11-25T10:00:00+08:00"
    )
    slot = client.get(SLOTS, headers=people["alice"]).get_json()["items"][0]
    book(client, people["alice"], slot)
    assert appointments.send_reminders(date(2026, 11, 23)) == 0
    assert appointments.send_reminders(date(2026, 11, 24)) == 1


@pytest.mark.skipif(not ON_POSTGRESQL, reason="true concurrency needs PostgreSQL")
def test_two_concurrent_bookings_of_the_last_place_one_201_one_409(app, client, people, make):
    slot = publish(client, people, capacity=3)
    for _ in range(2):
        assert book(client, make.headers(make.applicant()), slot).status_code == 201
    racers = [people["alice"], people["bob"]]
    start = Barrier(len(racers))

    def race(headers):
        start.wait()
        with app.test_client() as own:
            response = book(own, headers, slot)
            return response.status_code, response.get_json().get("code")

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = sorted(pool.map(race, racers), key=str)
    assert results == [(201, None), (409, "SLOT_FULL")]
    db.session.expire_all()
    assert db.session.get(AppointmentSlot, slot["id"]).booked == 3


@pytest.mark.skipif(not ON_POSTGRESQL, reason="true concurrency needs PostgreSQL")
def test_twenty_racers_for_five_places_never_overbook(app, client, people, make):
    slot = publish(client, people, capacity=5)
    racers = [make.headers(make.applicant()) for _ in range(20)]
    start = Barrier(len(racers))

    def race(headers):
        start.wait()
        with app.test_client() as own:
            return book(own, headers, slot).status_code

    with ThreadPoolExecutor(max_workers=20) as pool:
        statuses = list(pool.map(race, racers))
    assert statuses.count(201) == 5
    assert statuses.count(409) == 15
    db.session.expire_all()
    assert db.session.get(AppointmentSlot, slot["id"]).booked == 5


def test_the_worker_sends_tomorrows_reminders_to_the_inbox(client, people):
    from app.cli.worker import Worker
    from app.jobs.daily_jobs import DAILY_JOBS

    assert "appointments remind" in [job.name for job in DAILY_JOBS]
    slot = publish(client, people, capacity=1)
    book(client, people["alice"], slot)

    Worker(interval=0).run(iterations=2)  # the job enqueues, the next tick delivers

    inbox = client.get("/api/v1/notifications", headers=people["alice"]).get_json()["items"]
    assert [n["title"] for n in inbox] == ["预约提醒：明天09:00视频咨询"]
