"""Binding the applicant's phone through WeChat against a local fake WeChat server."""

from __future__ import annotations

import pytest

from app.extensions import db
from app.models import Application, VerifiedPhone
from permits.identifiers import mask_phone
from tests.integration.fake_wechat import refused_base_url

URL = "/api/v1/auth/wechat/phone"


@pytest.fixture
def applicant(app, make):
    user = make.applicant()
    return user, make.headers(user)


def test_phone_is_verified_by_wechat_stored_and_shown_masked(client, wechat, applicant):
    _, headers = applicant
    wechat.phone_codes["phone-code-1"] = "13912345678"

    response = client.post(URL, json={"code": "phone-code-1"}, headers=headers)

    assert response.status_code == 200
    assert response.get_json() == {"phone_masked": "*******5678"}
    assert wechat.phone_requests == [{"code": "phone-code-1"}]
    me = client.get("/api/v1/me", headers=headers).get_json()
    assert me["phone_masked"] == "*******5678"
    assert "13912345678" not in str(me)


def test_the_cached_access_token_is_reused_and_a_rejected_one_replaced(client, wechat, applicant):
    _, headers = applicant
    wechat.phone_codes.update({"a": "13900000001", "b": "13900000002", "c": "13900000003"})
    assert client.post(URL, json={"code": "a"}, headers=headers).status_code == 200
    assert client.post(URL, json={"code": "b"}, headers=headers).status_code == 200
    assert len(wechat.token_requests) == 1

    wechat.revoke_tokens()
    response = client.post(URL, json={"code": "c"}, headers=headers)

    assert response.status_code == 200
    assert response.get_json()["phone_masked"] == "*******0003"
    assert len(wechat.token_requests) == 2


def test_a_stale_code_is_a_chinese_problem_and_keeps_the_old_number(client, wechat, applicant):
    _, headers = applicant
    wechat.phone_codes["good"] = "13911112222"
    client.post(URL, json={"code": "good"}, headers=headers)

    response = client.post(URL, json={"code": "used-or-expired"}, headers=headers)

    assert response.status_code == 422
    problem = response.get_json()
    assert problem["code"] == "WECHAT_PHONE_CODE_INVALID"
    assert "重新" in problem["detail"]
    assert client.get("/api/v1/me", headers=headers).get_json()["phone_masked"] == "*******2222"


def test_wechat_busy_is_a_502_problem(client, wechat, applicant):
    _, headers = applicant
    wechat.phone_codes["x"] = "13911112222"
    client.post(URL, json={"code": "x"}, headers=headers)  # token cached
    wechat.fail_next_sends(-1)

    response = client.post(URL, json={"code": "x"}, headers=headers)

    assert response.status_code == 502
    assert response.get_json()["code"] == "WECHAT_UNAVAILABLE"


def test_unreachable_wechat_is_a_502_problem(client, app, applicant, frozen_now):
    _, headers = applicant
    app.config.update(
        WECHAT_MODE="real",
        WECHAT_API_BASE=refused_base_url(),
        WECHAT_APPID="wx-test-app",
        WECHAT_SECRET="test-secret",
        WECHAT_TIMEOUT_SECONDS=1,
    )

    response = client.post(URL, json={"code": "x"}, headers=headers)

    assert response.status_code == 502
    assert response.get_json()["code"] == "WECHAT_UNAVAILABLE"


def test_staff_cannot_bind_and_anonymous_must_log_in(client, make):
    staff = make.headers(make.staff("clerk"))
    assert client.post(URL, json={"code": "x"}, headers=staff).status_code == 403
    assert client.post(URL, json={"code": "x"}).status_code == 401


def test_verified_phone_prefills_a_new_applications_delivery_phone(client, make, applicant):
    user, headers = applicant
    firm = make.enterprise(user)
    masked = client.post(URL, json={"code": "fake-mode-code"}, headers=headers).get_json()[
        "phone_masked"
    ]
    body = make.application_body(firm.id)
    body["delivery"]["phone"] = masked  # what the phone showed as the default

    created = client.post("/api/v1/applications", json=body, headers=headers)

    assert created.status_code == 201, created.get_json()
    stored = db.session.get(Application, created.get_json()["id"]).delivery["phone"]
    assert stored == db.session.get(VerifiedPhone, user.id).phone
    assert mask_phone(stored) == masked
