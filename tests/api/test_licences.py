"""Approval issues a signed, verifiable licence; it is mailed and the courier closes the case."""

from __future__ import annotations

import hashlib
import hmac
import io
import json
from urllib.parse import quote, urlsplit

from pypdf import PdfReader

from app.integrations.signer import validate_signature


def licence_of(client, office, view) -> dict:
    response = client.get(f"/api/v1/licences/{view['issued_licence_id']}", headers=office.applicant)
    assert response.status_code == 200
    return response.get_json()


def test_approval_issues_a_licence(client, office, approved):
    licence = licence_of(client, office, approved)
    assert licence["status"] == "active"
    assert licence["number"].startswith("津")
    assert licence["identifier"].startswith("1.2.156.3005.2.")
    assert licence["valid_from"] == "2026-11-23"
    assert licence["valid_until"] == "2029-11-22"
    assert licence["enterprise"]["name"] == approved["enterprise"]["name"]
    listed = client.get("/api/v1/licences", headers=office.applicant).get_json()
    assert [x["id"] for x in listed["items"]] == [licence["id"]]


def test_licence_pdf_is_signed_and_shows_name_and_number(client, office, approved):
    licence = licence_of(client, office, approved)
    pdf = client.get(f"/api/v1/licences/{licence['id']}/pdf", headers=office.applicant)
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.data)).pages)
    assert approved["enterprise"]["name"] in text
    assert licence["number"] in text
    ca = client.get("/api/v1/pki/ca.pem")
    assert ca.status_code == 200 and b"BEGIN CERTIFICATE" in ca.data
    check = validate_signature(pdf.data, ca.data)
    assert check.intact and check.valid
    again = client.get(f"/api/v1/licences/{licence['id']}/pdf", headers=office.applicant)
    assert again.data == pdf.data  # rendered once, served again
    tampered = bytearray(pdf.data)
    position = tampered.index(b"/Type /Page") + 1
    tampered[position] ^= 0x01
    assert not validate_signature(bytes(tampered), ca.data).intact


def test_licence_is_private_to_its_enterprise_and_region(client, make, office, approved):
    url = f"/api/v1/licences/{approved['issued_licence_id']}"
    assert client.get(url, headers=make.headers(make.applicant())).status_code == 404
    assert client.get(url + "/pdf", headers=make.headers(make.applicant())).status_code == 404
    assert client.get(url, headers=make.headers(make.staff("clerk", "320000"))).status_code == 404
    assert client.get(url, headers=office["clerk"]).status_code == 200


def test_verification_url_answers_without_personal_data(client, office, approved):
    licence = licence_of(client, office, approved)
    parts = urlsplit(licence["verification_url"])
    response = client.get(f"{parts.path}?{parts.query}")
    assert response.status_code == 200
    body = response.get_json()
    assert body["valid"] is True and body["status"] == "active"
    assert body["enterprise_name"] == approved["enterprise"]["name"]
    text = response.get_data(as_text=True)
    assert "13912345678" not in text and "张三" not in text
    wrong = client.get(f"/api/v1/verify/{quote(licence['number'], safe='')}?code=WRONGCODE")
    unknown = client.get("/api/v1/verify/%E6%B4%A5NOPE?code=WRONGCODE")
    assert wrong.get_json() == dict(unknown.get_json(), number=licence["number"])
    assert wrong.get_json()["valid"] is False


def test_revocation_shows_in_verification(client, make, office, approved):
    licence = licence_of(client, office, approved)
    url = f"/api/v1/licences/{licence['id']}/revoke"
    assert client.post(url, json={"comment": "x"}, headers=office["reviewer"]).status_code == 403
    outsider = make.headers(make.staff("approver", "320000"))
    assert client.post(url, json={"comment": "x"}, headers=outsider).status_code == 404
    assert client.post(url, json={}, headers=office["approver"]).status_code == 422
    revoked = client.post(url, json={"comment": "以欺骗手段取得许可"}, headers=office["approver"])
    assert revoked.status_code == 200 and revoked.get_json()["status"] == "revoked"
    parts = urlsplit(licence["verification_url"])
    body = client.get(f"{parts.path}?{parts.query}").get_json()
    assert body["valid"] is False and body["status"] == "revoked"
    again = client.post(url, json={"comment": "再次"}, headers=office["approver"])
    assert again.status_code == 409


def sign(app, body: bytes) -> str:
    secret = app.config["COURIER_WEBHOOK_SECRET"].encode()
    return "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()


def test_dispatch_label_and_courier_webhook(app, client, office, drive, approved):
    view = drive(
        approved, ("dispatcher", "dispatch", {"carrier": "ems", "tracking_no": "EM123456789CN"})
    )
    assert view["state"] == "dispatched"
    shipment = client.get(f"/api/v1/applications/{view['id']}/shipment", headers=office.applicant)
    assert shipment.get_json()["tracking_no"] == "EM123456789CN"
    label = client.get(
        f"/api/v1/applications/{view['id']}/shipment/label.pdf", headers=office["dispatcher"]
    )
    assert label.status_code == 200 and label.mimetype == "application/pdf"
    text = PdfReader(io.BytesIO(label.data)).pages[0].extract_text()
    assert "EM123456789CN" in text and "5678" in text and "13912345678" not in text
    assert (
        client.get(
            f"/api/v1/applications/{view['id']}/shipment/label.pdf", headers=office.applicant
        ).status_code
        == 403
    )

    body = json.dumps(
        {"tracking_no": "EM123456789CN", "status": "delivered", "at": "2026-11-25T10:00:00+08:00"}
    ).encode()
    forged = client.post(
        "/api/v1/webhooks/courier/ems",
        data=body,
        content_type="application/json",
        headers={"X-Signature": "sha256=" + "0" * 64},
    )
    assert forged.status_code == 401
    unchanged = client.get(
        f"/api/v1/applications/{view['id']}", headers=office.applicant
    ).get_json()
    assert unchanged["state"] == "dispatched"

    signed = client.post(
        "/api/v1/webhooks/courier/ems",
        data=body,
        content_type="application/json",
        headers={"X-Signature": sign(app, body)},
    )
    assert signed.status_code == 200 and signed.get_json()["result"] == "applied"
    delivered = client.get(
        f"/api/v1/applications/{view['id']}", headers=office.applicant
    ).get_json()
    assert delivered["state"] == "delivered"
    repeated = client.post(
        "/api/v1/webhooks/courier/ems",
        data=body,
        content_type="application/json",
        headers={"X-Signature": sign(app, body)},
    )
    assert repeated.get_json()["result"] == "duplicate"
    final = client.get(f"/api/v1/applications/{view['id']}", headers=office.applicant).get_json()
    assert final["version"] == delivered["version"]
    timeline = client.get(f"/api/v1/applications/{view['id']}/timeline", headers=office.applicant)
    assert [e["action"] for e in timeline.get_json()["items"]].count("confirm_delivery") == 1


def test_failed_delivery_tells_dispatcher_and_applicant(app, client, office, drive, approved):
    from sqlalchemy import select

    from app.extensions import db
    from app.models import OutboxMessage

    view = drive(approved, ("dispatcher", "dispatch", {"carrier": "sf", "tracking_no": "SF1000"}))
    body = json.dumps(
        {"tracking_no": "SF1000", "status": "failed", "at": "2026-11-25T10:00:00+08:00"}
    ).encode()
    response = client.post(
        "/api/v1/webhooks/courier/sf",
        data=body,
        content_type="application/json",
        headers={"X-Signature": sign(app, body)},
    )
    assert response.status_code == 200
    topics = db.session.scalars(
        select(OutboxMessage.title).where(OutboxMessage.topic == "delivery")
    ).all()
    assert len(topics) == 2
    assert (
        client.get(f"/api/v1/applications/{view['id']}", headers=office.applicant).get_json()[
            "state"
        ]
        == "dispatched"
    )


def test_webhook_for_unknown_tracking_number_is_404(app, client):
    body = json.dumps(
        {"tracking_no": "NOPE", "status": "delivered", "at": "2026-11-25T10:00:00+08:00"}
    ).encode()
    response = client.post(
        "/api/v1/webhooks/courier/ems",
        data=body,
        content_type="application/json",
        headers={"X-Signature": sign(app, body)},
    )
    assert response.status_code == 404


def test_verification_is_rate_limited(app, client):
    app.config["VERIFY_LIMIT"] = "3 per minute"
    statuses = [client.get("/api/v1/verify/%E6%B4%A5X?code=A").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    assert client.get("/api/v1/verify/%E6%B4%A5X?code=A").get_json()["code"] == "TOO_MANY_REQUESTS"


def test_a_failure_reported_after_delivery_sends_no_notice(app, client, office, drive, approved):
    from sqlalchemy import func, select

    from app.extensions import db
    from app.models import OutboxMessage

    view = drive(approved, ("dispatcher", "dispatch", {"carrier": "sf", "tracking_no": "SF2000"}))
    for status, at in (
        ("delivered", "2026-11-25T10:00:00+08:00"),
        ("failed", "2026-11-25T09:00:00+08:00"),
    ):
        body = json.dumps({"tracking_no": "SF2000", "status": status, "at": at}).encode()
        response = client.post(
            "/api/v1/webhooks/courier/sf",
            data=body,
            content_type="application/json",
            headers={"X-Signature": sign(app, body)},
        )
        assert response.status_code == 200
    notices = db.session.scalar(
        select(func.count()).select_from(OutboxMessage).where(OutboxMessage.topic == "delivery")
    )
    assert notices == 0
    final = client.get(f"/api/v1/applications/{view['id']}", headers=office.applicant).get_json()
    assert final["state"] == "delivered"
