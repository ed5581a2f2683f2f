"""The request desk over HTTP: filing, the region's queue, answering, a rated close, stats."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest
from openpyxl import load_workbook

from app.jobs import outbox_delivery
from tests.factories import PNG_1PX, pdf_bytes

BASE = "/api/v1/enterprise-requests"


@pytest.fixture
def desk(make, frozen_now):
    """An enterprise in 天津市和平区 with its manager, a Tianjin clerk and an outsider."""
    manager = make.applicant()
    firm = make.enterprise(manager, region="120101")
    return {
        "firm": firm,
        "applicant": make.headers(manager),
        "clerk": make.headers(make.staff("clerk", "120000")),
        "other_region_clerk": make.headers(make.staff("clerk", "110000")),
        "reviewer": make.headers(make.staff("reviewer", "120000")),
        "stranger": make.headers(make.applicant()),
    }


def file(client, desk, topic: str = "tax", **overrides) -> dict:
    body = {
        "enterprise_id": desk["firm"].id,
        "topic": topic,
        "title": "留抵退税办理咨询",
        "description": "我公司符合增值税留抵退税条件，想了解网上申请的流程和所需材料。",
        **overrides,
    }
    response = client.post(BASE, json=body, headers=desk["applicant"])
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def act(client, headers, item: dict, action: str, **fields):
    body = {"action": action, "version": item["version"], **fields}
    return client.post(f"{BASE}/{item['id']}/actions", json=body, headers=headers)


def test_topics_are_public_with_unit_and_limit(client):
    response = client.get("/api/v1/request-topics")
    assert response.status_code == 200
    names = {t["name"]: t for t in response.get_json()["items"]}
    assert {"用工", "融资", "税务", "进出口", "安全生产", "审批", "其他"} <= set(names)
    assert names["税务"]["response_days"] == 3


def test_a_request_goes_from_filing_to_a_rated_close_and_shows_in_stats(client, desk):
    item = file(client, desk)
    assert item["state"] == "open"
    assert item["handling_unit"] == "天津市和平区税务局"
    assert item["deadline"] == {"due": "2026-11-26", "working_days_left": 3, "overdue": False}
    assert item["actions"] == ["close"]

    queue = client.get(f"{BASE}?topic=tax", headers=desk["clerk"]).get_json()
    assert [row["id"] for row in queue["items"]] == [item["id"]]
    claimed = act(client, desk["clerk"], item, "claim")
    assert claimed.status_code == 200, claimed.get_json()
    assert claimed.get_json()["state"] == "claimed"
    replied = act(
        client, desk["clerk"], claimed.get_json(), "reply", comment="请登录电子税务局提交申请表。"
    )
    assert replied.status_code == 200
    assert replied.get_json()["state_label"] == "已答复"

    outbox_delivery.drain()
    inbox = client.get("/api/v1/notifications", headers=desk["applicant"]).get_json()["items"]
    assert [n["title"] for n in inbox] == ["您的诉求已答复：留抵退税办理咨询"]
    assert "电子税务局" in inbox[0]["body"]

    mine = client.get(f"{BASE}/{item['id']}", headers=desk["applicant"]).get_json()
    assert mine["reply"] == "请登录电子税务局提交申请表。"
    closed = act(client, desk["applicant"], mine, "close")
    assert closed.status_code == 200
    rated = client.post(
        f"{BASE}/{item['id']}/rating",
        json={"score": 5, "comment": "答复及时"},
        headers=desk["applicant"],
    )
    assert rated.status_code == 200
    assert rated.get_json()["rating"] == {"score": 5, "comment": "答复及时"}
    assert [h["action"] for h in rated.get_json()["history"]] == [
        "file",
        "claim",
        "reply",
        "close",
        "rate",
    ]
    again = client.post(f"{BASE}/{item['id']}/rating", json={"score": 1}, headers=desk["applicant"])
    assert again.status_code == 409
    assert again.get_json()["code"] == "ALREADY_RATED"

    file(client, desk, topic="employment", title="招工补贴")  # received, not yet handled
    figures = client.get("/api/v1/stats", headers=desk["clerk"]).get_json()["requests"]
    assert (figures["received"], figures["handled"], figures["handling_rate"]) == (2, 1, 0.5)
    assert figures["by_topic"]["tax"] == {
        "name": "税务",
        "received": 1,
        "handled": 1,
        "handling_rate": 1.0,
    }
    assert figures["by_topic"]["employment"]["handling_rate"] == 0.0
    assert figures["avg_working_days_to_reply"] == 0.0


@pytest.mark.parametrize("who", ["stranger", "other_region_clerk"])
def test_someone_elses_request_is_404(client, desk, who):
    item = file(client, desk)
    assert client.get(f"{BASE}/{item['id']}", headers=desk[who]).status_code == 404
    response = act(client, desk[who], item, "close" if who == "stranger" else "claim")
    assert response.status_code == 404
    assert response.get_json()["code"] == "REQUEST_NOT_FOUND"
    assert client.get(BASE, headers=desk[who]).get_json()["total"] == 0


def test_only_for_the_callers_own_enterprise(client, desk):
    body = {"enterprise_id": desk["firm"].id, "topic": "tax", "title": "t", "description": "d"}
    assert client.post(BASE, json=body, headers=desk["stranger"]).status_code == 404


def test_unknown_topic_is_422(client, desk):
    body = {"enterprise_id": desk["firm"].id, "topic": "x", "title": "t", "description": "d"}
    response = client.post(BASE, json=body, headers=desk["applicant"])
    assert response.status_code == 422
    assert response.get_json()["code"] == "REQUEST_TOPIC_UNKNOWN"


def test_a_stale_version_is_409_and_changes_nothing(client, desk):
    item = file(client, desk)
    assert act(client, desk["clerk"], item, "claim").status_code == 200
    stale = act(client, desk["clerk"], item, "reply", comment="答复")
    assert stale.status_code == 409
    assert stale.get_json()["code"] == "VERSION_CONFLICT"
    assert client.get(f"{BASE}/{item['id']}", headers=desk["clerk"]).get_json()["reply"] is None


def test_refusals(client, desk):
    item = file(client, desk)
    reviewer = act(client, desk["reviewer"], item, "claim")
    assert reviewer.status_code == 403
    no_comment = act(client, desk["clerk"], item, "reply")
    assert no_comment.status_code == 422
    assert "comment" in no_comment.get_json()["errors"]
    not_closed = client.post(
        f"{BASE}/{item['id']}/rating", json={"score": 4}, headers=desk["applicant"]
    )
    assert not_closed.get_json()["code"] == "REQUEST_NOT_CLOSED"
    applicant_claim = act(client, desk["applicant"], item, "claim")
    assert applicant_claim.status_code == 409
    assert applicant_claim.get_json()["code"] == "TRANSITION_NOT_ALLOWED"


def test_reopen_puts_it_back_in_the_queue(client, desk):
    item = file(client, desk)
    replied = act(client, desk["clerk"], item, "reply", comment="已答复").get_json()
    reopened = act(client, desk["applicant"], replied, "reopen")
    assert reopened.status_code == 200
    assert reopened.get_json()["state"] == "open"


def test_overdue_requests_are_flagged_and_filtered(client, desk, frozen_now):
    item = file(client, desk)  # due Thursday 2026-11-26
    frozen_now(datetime(2026, 11, 27, 2, 0, tzinfo=UTC))  # Friday 10:00
    queue = client.get(f"{BASE}?overdue=true", headers=desk["clerk"]).get_json()
    assert [row["id"] for row in queue["items"]] == [item["id"]]
    assert queue["items"][0]["deadline"]["overdue"] is True
    assert queue["items"][0]["deadline"]["working_days_left"] == -1


def test_attachments_go_through_the_checked_upload_path(client, desk):
    item = file(client, desk)
    url = f"{BASE}/{item['id']}/attachments"
    ok = client.post(
        url,
        data={"file": (io.BytesIO(pdf_bytes()), "证明.pdf")},
        headers=desk["applicant"],
        content_type="multipart/form-data",
    )
    assert ok.status_code == 201, ok.get_json()
    assert ok.get_json()["content_type"] == "application/pdf"
    png = client.post(
        url,
        data={"file": (io.BytesIO(PNG_1PX), "x.png")},
        headers=desk["applicant"],
        content_type="multipart/form-data",
    )
    assert png.status_code == 201
    bad = client.post(
        url,
        data={"file": (io.BytesIO(b"MZ\x90\x00 not a pdf"), "a.pdf")},
        headers=desk["applicant"],
        content_type="multipart/form-data",
    )
    assert bad.status_code == 415
    assert bad.get_json()["code"] == "FILE_TYPE_NOT_ALLOWED"
    stranger = client.post(
        url,
        data={"file": (io.BytesIO(pdf_bytes()), "a.pdf")},
        headers=desk["stranger"],
        content_type="multipart/form-data",
    )
    assert stranger.status_code == 404
    detail = client.get(f"{BASE}/{item['id']}", headers=desk["clerk"]).get_json()
    assert [a["filename"] for a in detail["attachments"]] == ["证明.pdf", "x.png"]
    content = client.get(
        f"{BASE}/{item['id']}/attachments/{detail['attachments'][0]['id']}/content",
        headers=desk["clerk"],
        buffered=True,
    )
    assert content.status_code == 200
    assert content.data.startswith(b"%PDF")


def test_a_control_character_in_a_title_does_not_break_the_excel_export(client, desk):
    """Found by fuzzing: the xlsx format holds no control characters, so one typed into a
    title failed the whole export with a 500; it now shows as U+FFFD."""
    file(client, desk, title="留抵\x01退税")
    response = client.get(f"{BASE}?format=xlsx", headers=desk["clerk"])
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(response.data)).active.iter_rows(values_only=True))
    assert any("留抵\ufffd退税" in str(cell) for cell in rows[1])
