"""Carriers as data: a public list of codes, dispatch by code, the webhook path and the label."""

from __future__ import annotations

import io
import json

from pypdf import PdfReader

from tests.api.conftest import courier_signature


def test_the_carrier_list_is_public(client):
    response = client.get("/api/v1/carriers")
    assert response.status_code == 200
    items = response.get_json()["items"]
    assert {"code": "sf", "name": "顺丰速运"} in items
    assert {"code": "ems", "name": "中国邮政EMS"} in items


def test_dispatch_refuses_free_text_for_the_carrier(client, make, office, approved):
    response = make.act(
        client, office["dispatcher"], approved, "dispatch", carrier="顺丰", tracking_no="SF1"
    )
    assert response.status_code == 422
    problem = response.get_json()
    assert (
        problem["code"] == "CARRIER_UNKNOWN" and "顺丰速运（sf）" in problem["errors"]["carrier"][0]
    )
    after = client.get(f"/api/v1/applications/{approved['id']}", headers=office.applicant)
    assert after.get_json()["state"] == "approved"


def test_the_courier_posts_to_its_code_and_the_label_prints_its_name(
    app, client, office, drive, approved
):
    view = drive(approved, ("dispatcher", "dispatch", {"carrier": "SF", "tracking_no": "SF900"}))
    shipment = client.get(
        f"/api/v1/applications/{view['id']}/shipment", headers=office.applicant
    ).get_json()
    assert (shipment["carrier"], shipment["carrier_name"]) == ("sf", "顺丰速运")
    label = client.get(
        f"/api/v1/applications/{view['id']}/shipment/label.pdf", headers=office["dispatcher"]
    )
    assert "顺丰速运" in PdfReader(io.BytesIO(label.data)).pages[0].extract_text()

    body = json.dumps(
        {"tracking_no": "SF900", "status": "delivered", "at": "2026-11-25T10:00:00+08:00"}
    ).encode()
    headers = {"X-Signature": courier_signature(app, body)}
    elsewhere = client.post(
        "/api/v1/webhooks/courier/ems", data=body, content_type="application/json", headers=headers
    )
    assert elsewhere.status_code == 404
    unknown = client.post(
        "/api/v1/webhooks/courier/顺丰", data=body, content_type="application/json", headers=headers
    )
    assert unknown.status_code == 404 and unknown.get_json()["code"] == "CARRIER_UNKNOWN"
    delivered = client.post(
        "/api/v1/webhooks/courier/sf", data=body, content_type="application/json", headers=headers
    )
    assert delivered.status_code == 200 and delivered.get_json()["result"] == "applied"
    final = client.get(f"/api/v1/applications/{view['id']}", headers=office.applicant)
    assert final.get_json()["state"] == "delivered"
