"""The request desk in the console: the region's queue, a request's page, answering."""

from __future__ import annotations

import io

import pytest

from tests.console.conftest import csrf_of
from tests.factories import pdf_bytes


@pytest.fixture
def filed(client, make):
    manager = make.applicant()
    firm = make.enterprise(manager, region="120101")
    headers = make.headers(manager)
    body = {
        "enterprise_id": firm.id,
        "topic": "employment",
        "title": "招用退役军人能否享受补贴",
        "description": "我公司今年招用了三名退役军人，想了解社保补贴怎么申请。",
    }
    item = client.post("/api/v1/enterprise-requests", json=body, headers=headers).get_json()
    client.post(
        f"/api/v1/enterprise-requests/{item['id']}/attachments",
        data={"file": (io.BytesIO(pdf_bytes()), "劳动合同.pdf")},
        headers=headers,
        content_type="multipart/form-data",
    )
    return item, headers


def test_a_clerk_answers_a_request_from_the_queue(client, make, login, filed):
    item, applicant = filed
    clerk = login(make.staff("clerk", "120000"))
    queue = clerk.get("/console/requests").get_data(as_text=True)
    assert "招用退役军人能否享受补贴" in queue and "天津市和平区人力资源和社会保障局" in queue

    page = f"/console/requests/{item['id']}"
    html = clerk.get(page).get_data(as_text=True)
    assert "劳动合同.pdf" in html and "认领" in html
    claimed = clerk.post(
        f"{page}/actions",
        data={"csrf_token": csrf_of(clerk, page), "action": "claim", "version": item["version"]},
    )
    assert claimed.status_code == 302
    version = client.get(f"/api/v1/enterprise-requests/{item['id']}", headers=applicant)
    replied = clerk.post(
        f"{page}/actions",
        data={
            "csrf_token": csrf_of(clerk, page),
            "action": "reply",
            "version": version.get_json()["version"],
            "comment": "可在人社局网站申请一次性吸纳就业补贴。",
        },
    )
    assert replied.status_code == 302
    mine = client.get(f"/api/v1/enterprise-requests/{item['id']}", headers=applicant).get_json()
    assert mine["state"] == "replied"
    assert mine["reply"] == "可在人社局网站申请一次性吸纳就业补贴。"
    attachment = mine["attachments"][0]["id"]
    download = clerk.get(f"{page}/attachments/{attachment}", buffered=True)
    assert download.status_code == 200 and download.data.startswith(b"%PDF")


def test_a_stale_page_says_so_and_keeps_the_answer(client, make, login, filed):
    item, _ = filed
    clerk = login(make.staff("clerk", "120000"))
    page = f"/console/requests/{item['id']}"
    token = csrf_of(clerk, page)
    other = make.headers(make.staff("clerk", "120000"))
    client.post(
        f"/api/v1/enterprise-requests/{item['id']}/actions",
        json={"action": "claim", "version": item["version"]},
        headers=other,
    )
    response = clerk.post(
        f"{page}/actions",
        data={
            "csrf_token": token,
            "action": "reply",
            "version": item["version"],
            "comment": "草拟的答复",
        },
    )
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "已被他人处理" in html and "草拟的答复" in html


def test_another_region_and_other_roles_cannot_see_it(make, login, filed):
    item, _ = filed
    outsider = login(make.staff("clerk", "320000"))
    assert outsider.get(f"/console/requests/{item['id']}").status_code == 404
    reviewer = login(make.staff("reviewer", "120000"))
    assert reviewer.get("/console/requests").status_code == 403
