"""Webhooks as a provincial platform receives them: signed, retried with the same id, stoppable.

A real HTTP server on 127.0.0.1 receives the worker's deliveries; every signature is checked
with the reference ``standardwebhooks`` library, not with the project's own signing code.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import select

from app.extensions import db
from app.jobs import webhook_delivery
from app.models import OutboxMessage
from tests.conftest import FROZEN_NOW

standardwebhooks = pytest.importorskip("standardwebhooks.webhooks", reason="standardwebhooks")

CASE_TYPES = ["cn.zerovisit.case.submitted", "cn.zerovisit.case.accepted"]


class Receiver:
    """What the platform's server got, and the statuses it answers with (then 200)."""

    def __init__(self) -> None:
        self.received: list[tuple[dict[str, str], bytes]] = []
        self.statuses: list[int] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append((dict(self.headers.items()), body))
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/zerovisit"

    def verified(self, secret: str) -> list[tuple[str, dict]]:
        """(webhook-id, CloudEvent) of each request, each signature checked by the library."""
        hook = standardwebhooks.Webhook(secret)
        return [(h["webhook-id"], hook.verify(body, h)) for h, body in self.received]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    item = Receiver()
    thread = threading.Thread(target=item.server.serve_forever, daemon=True)
    thread.start()
    yield item
    item.server.shutdown()
    item.server.server_close()


def register(client, office, url: str, types: list[str]) -> dict:
    response = client.post(
        "/api/v1/webhook-endpoints",
        json={"url": url, "types": types, "description": "省政务服务平台"},
        headers=office["admin"],
    )
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def submit_case(client, make, office, drive) -> dict:
    view = make.create_application(client, office.applicant, office.enterprise_id)
    view = make.upload_required(client, office.applicant, view)
    return drive(view, ("applicant", "submit"), ("clerk", "accept"))


def test_signed_deliveries_retried_after_a_500_with_the_same_id(
    client, make, office, drive, receiver, frozen_now
):
    endpoint = register(client, office, receiver.url, CASE_TYPES)
    assert endpoint["secret"].startswith("whsec_")
    case = submit_case(client, make, office, drive)
    receiver.statuses = [500]

    first = webhook_delivery.run()
    assert (first.queued, first.delivered, first.failed) == (2, 1, 1)
    frozen_now(FROZEN_NOW + timedelta(seconds=31))  # past the first backoff (30 s)
    second = webhook_delivery.run()
    assert (second.queued, second.delivered, second.failed) == (0, 1, 0)
    assert webhook_delivery.run().delivered == 0  # nothing is sent twice once delivered

    got = receiver.verified(endpoint["secret"])
    ids = [webhook_id for webhook_id, _ in got]
    assert len(got) == 3 and ids[0] == ids[2] != ids[1]  # the retry keeps its webhook-id
    assert got[0][1] == got[2][1]
    types = {event["type"] for _, event in got}
    assert types == set(CASE_TYPES)
    for _, event in got:
        assert event["specversion"] == "1.0" and event["subject"] == case["number"]
        assert event["data"]["item_code"]
    headers, _ = receiver.received[0]
    assert headers["Content-Type"].startswith("application/cloudevents+json")

    log = client.get(
        f"/api/v1/webhook-endpoints/{endpoint['id']}/deliveries", headers=office["admin"]
    ).get_json()
    assert log["total"] == 2
    retried = next(d for d in log["items"] if len(d["attempts"]) == 2)
    assert retried["status"] == "delivered" and retried["webhook_id"] == ids[0]
    assert [a["status_code"] for a in retried["attempts"]] == [500, 200]
    assert [a["succeeded"] for a in retried["attempts"]] == [False, True]


def test_a_tampered_body_fails_the_librarys_check(client, make, office, drive, receiver):
    endpoint = register(client, office, receiver.url, CASE_TYPES)
    submit_case(client, make, office, drive)
    webhook_delivery.run()
    headers, body = receiver.received[0]
    tampered = body.replace(b"case", b"cose", 1)
    with pytest.raises(standardwebhooks.WebhookVerificationError):
        standardwebhooks.Webhook(endpoint["secret"]).verify(tampered, headers)


def test_nothing_is_sent_once_the_endpoint_is_deleted(client, make, office, drive, receiver):
    endpoint = register(client, office, receiver.url, CASE_TYPES)
    receiver.statuses = [500, 500]
    submit_case(client, make, office, drive)
    webhook_delivery.run()
    assert len(receiver.received) == 2  # both failed and wait for a retry
    deleted = client.delete(f"/api/v1/webhook-endpoints/{endpoint['id']}", headers=office["admin"])
    assert deleted.status_code == 204
    submit_case(client, make, office, drive)
    for _ in range(2):
        webhook_delivery.run()
    assert len(receiver.received) == 2
    gone = client.get(f"/api/v1/webhook-endpoints/{endpoint['id']}", headers=office["admin"])
    assert gone.status_code == 404 and gone.get_json()["code"] == "WEBHOOK_ENDPOINT_NOT_FOUND"


def test_only_subscribed_types_and_only_events_after_registration(
    client, make, office, drive, receiver
):
    submit_case(client, make, office, drive)  # before the endpoint exists: not sent
    register(client, office, receiver.url, ["cn.zerovisit.case.accepted"])
    submit_case(client, make, office, drive)
    webhook_delivery.run()
    assert [json.loads(body)["type"] for _, body in receiver.received] == [
        "cn.zerovisit.case.accepted"
    ]


def test_an_endpoint_failing_for_days_is_disabled_and_admins_told(
    client, make, office, drive, receiver, frozen_now, app
):
    endpoint = register(client, office, receiver.url, CASE_TYPES)
    receiver.statuses = [500] * 50
    submit_case(client, make, office, drive)
    webhook_delivery.run()
    frozen_now(FROZEN_NOW + timedelta(days=app.config["WEBHOOK_DISABLE_AFTER_DAYS"], seconds=1))
    assert webhook_delivery.run().disabled == 1
    view = client.get(f"/api/v1/webhook-endpoints/{endpoint['id']}", headers=office["admin"])
    assert view.get_json()["active"] is False and view.get_json()["disabled_at"]
    sent = len(receiver.received)
    frozen_now(FROZEN_NOW + timedelta(days=30))
    webhook_delivery.run()
    assert len(receiver.received) == sent
    notices = db.session.scalars(select(OutboxMessage).where(OutboxMessage.topic == "webhook"))
    assert [n.title for n in notices] == ["事件推送地址已停用"]


def test_an_unreachable_endpoint_is_logged_and_retried(client, make, office, drive):
    endpoint = register(client, office, "http://127.0.0.1:9/nowhere", CASE_TYPES)
    submit_case(client, make, office, drive)
    summary = webhook_delivery.run()
    assert summary.failed == 2
    log = client.get(
        f"/api/v1/webhook-endpoints/{endpoint['id']}/deliveries", headers=office["admin"]
    ).get_json()
    attempt = log["items"][0]["attempts"][0]
    assert attempt["status_code"] is None and "Connection" in attempt["error"]
    assert log["items"][0]["status"] == "pending" and log["items"][0]["next_attempt_at"]


def test_only_admins_manage_endpoints_and_bad_input_is_refused(client, office):
    body = {"url": "http://127.0.0.1:1/x", "types": CASE_TYPES}
    for who in (office.applicant, office["approver"]):
        assert client.post("/api/v1/webhook-endpoints", json=body, headers=who).status_code == 403
        assert client.get("/api/v1/webhook-endpoints", headers=who).status_code == 403
    bad_url = client.post(
        "/api/v1/webhook-endpoints", json={**body, "url": "ftp://x"}, headers=office["admin"]
    )
    assert bad_url.status_code == 422
    assert bad_url.get_json()["code"] == "WEBHOOK_URL_INVALID"
    bad_type = client.post(
        "/api/v1/webhook-endpoints", json={**body, "types": ["x"]}, headers=office["admin"]
    )
    assert bad_type.status_code == 422 and bad_type.get_json()["code"] == "EVENT_TYPE_UNKNOWN"
    listed = client.get("/api/v1/webhook-endpoints", headers=office["admin"]).get_json()
    assert listed == {"items": []}
    missing = client.get("/api/v1/webhook-endpoints/999/deliveries", headers=office["admin"])
    assert missing.status_code == 404
