"""Logging in: WeChat (fake and real against a local stand-in), staff, tokens."""

from __future__ import annotations

import pytest
import requests
import responses

from app.web.auth import issue_token
from tests.factories import STAFF_PASSWORD


def test_fake_wechat_login_is_stable_per_code(client):
    first = client.post("/api/v1/auth/wechat", json={"code": "phone-1"}).get_json()
    again = client.post("/api/v1/auth/wechat", json={"code": "phone-1"}).get_json()
    other = client.post("/api/v1/auth/wechat", json={"code": "phone-2"}).get_json()
    assert first["user"]["id"] == again["user"]["id"] != other["user"]["id"]
    assert first["expires_in"] > 0
    assert "***" in first["user"]["openid_masked"]
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {first['token']}"})
    assert me.status_code == 200 and me.get_json()["kind"] == "applicant"


def test_empty_code_is_a_validation_error(client):
    response = client.post("/api/v1/auth/wechat", json={"code": ""})
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    assert "code" in response.get_json()["errors"]


@pytest.fixture
def real_wechat(app):
    app.config.update(
        WECHAT_MODE="real",
        WECHAT_API_BASE="https://wx.test",
        WECHAT_APPID="wx-app",
        WECHAT_SECRET="wx-secret",
    )


@responses.activate
def test_real_wechat_login_calls_code2session_and_hides_session_key(client, real_wechat):
    responses.get(
        "https://wx.test/sns/jscode2session",
        json={"openid": "o-real-1", "session_key": "SECRET-SESSION-KEY"},
        match=[
            responses.matchers.query_param_matcher(
                {
                    "appid": "wx-app",
                    "secret": "wx-secret",
                    "js_code": "abc",
                    "grant_type": "authorization_code",
                }
            )
        ],
    )
    response = client.post("/api/v1/auth/wechat", json={"code": "abc"})
    assert response.status_code == 200
    assert "SECRET-SESSION-KEY" not in response.get_data(as_text=True)


@responses.activate
@pytest.mark.parametrize(
    ("errcode", "status", "code"),
    [
        (40029, 401, "WECHAT_CODE_INVALID"),
        (45011, 429, "WECHAT_RATE_LIMITED"),
        (40226, 401, "WECHAT_USER_BLOCKED"),
        (-1, 502, "WECHAT_UNAVAILABLE"),
        (40125, 502, "WECHAT_CONFIG_INVALID"),
    ],
)
def test_wechat_errors_become_chinese_problems(client, real_wechat, errcode, status, code):
    responses.get("https://wx.test/sns/jscode2session", json={"errcode": errcode, "errmsg": "x"})
    response = client.post("/api/v1/auth/wechat", json={"code": "bad"})
    assert response.status_code == status
    body = response.get_json()
    assert body["code"] == code
    assert any("\u4e00" <= ch <= "\u9fff" for ch in body["detail"])


@responses.activate
def test_wechat_unreachable_is_502(client, real_wechat):
    responses.get(
        "https://wx.test/sns/jscode2session", body=requests.exceptions.ConnectionError("down")
    )
    assert client.post("/api/v1/auth/wechat", json={"code": "x"}).status_code == 502


def test_staff_login_and_me(client, make):
    make.staff(["clerk", "reviewer"], "120100", username="zhang")
    response = client.post(
        "/api/v1/auth/staff", json={"username": "zhang", "password": STAFF_PASSWORD}
    )
    assert response.status_code == 200
    body = response.get_json()
    assert body["user"]["roles"] == ["clerk", "reviewer"]
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {body['token']}"}).get_json()
    assert me["region_code"] == "120100"


def test_wrong_password_and_unknown_user_answer_alike(client, make):
    make.staff("clerk", username="li")
    wrong = client.post("/api/v1/auth/staff", json={"username": "li", "password": "nope"})
    unknown = client.post("/api/v1/auth/staff", json={"username": "ghost", "password": "nope"})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.get_json() == unknown.get_json()


def test_repeated_failures_are_throttled_even_with_the_right_password(client, make):
    make.staff("clerk", username="wang")
    for _ in range(5):
        client.post("/api/v1/auth/staff", json={"username": "wang", "password": "bad"})
    response = client.post(
        "/api/v1/auth/staff", json={"username": "wang", "password": STAFF_PASSWORD}
    )
    assert response.status_code == 429
    assert response.get_json()["code"] == "LOGIN_THROTTLED"
    assert response.headers["Retry-After"]


@pytest.mark.parametrize("header", [None, "Bearer", "Bearer not-a-token", "Basic abc"])
def test_missing_or_bad_token_is_401(client, header):
    headers = {"Authorization": header} if header else {}
    response = client.get("/api/v1/me", headers=headers)
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"


def test_expired_token_is_401(app, client, make):
    user = make.applicant()
    token, _ = issue_token(user)
    app.config["TOKEN_TTL_SECONDS"] = -1
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401
    assert response.get_json()["code"] == "TOKEN_EXPIRED"


def test_deactivated_staff_token_stops_working(client, make):
    from app.extensions import db

    user = make.staff("clerk")
    auth = make.headers(user)
    user.active = False
    db.session.commit()
    assert client.get("/api/v1/me", headers=auth).status_code == 401


def test_staff_cli_creates_an_account(runner, client):
    result = runner.invoke(
        args=[
            "staff",
            "create",
            "--username",
            "u1",
            "--password",
            "pw-long-enough",
            "--role",
            "clerk",
            "--role",
            "reviewer",
            "--region",
            "120000",
        ]
    )
    assert result.exit_code == 0, result.output
    login = client.post("/api/v1/auth/staff", json={"username": "u1", "password": "pw-long-enough"})
    assert login.status_code == 200


def test_staff_cli_refuses_unknown_role(runner):
    result = runner.invoke(
        args=[
            "staff",
            "create",
            "--username",
            "u2",
            "--password",
            "pw-long-enough",
            "--role",
            "boss",
            "--region",
            "120000",
        ]
    )
    assert result.exit_code == 1
    assert "角色" in result.output
