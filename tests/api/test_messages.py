"""What a person reads: materials by name, times with +08:00, a double tap explained."""

from __future__ import annotations

from app.services import outbox_delivery


def test_a_supplement_notice_names_the_materials_in_chinese(client, office, submitted, drive):
    material = submitted["materials"][0]
    view = drive(
        submitted,
        (
            "clerk",
            "request_supplement",
            {"missing_materials": [material["code"]], "comment": "扫描件不清晰"},
        ),
    )
    outbox_delivery.drain()
    inbox = client.get("/api/v1/notifications", headers=office.applicant).get_json()
    notice = next(i for i in inbox["items"] if i["title"] == "请补正材料")
    assert material["name"] in notice["body"] and "扫描件不清晰" in notice["body"]
    assert material["code"] not in notice["body"]
    assert view["supplement_request"]["requested_at"].endswith("+08:00")
