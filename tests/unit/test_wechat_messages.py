"""The WeChat message client against recorded answers, and values cut to WeChat's limits."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest
import requests
import responses

from app.integrations.wechat_messages import (
    WechatMessageClient,
    WechatMessageError,
    fit_value,
    key_type,
)

BASE = "https://wechat.test"
SEND_URL = f"{BASE}/cgi-bin/message/subscribe/send"
TOKEN_URL = f"{BASE}/cgi-bin/stable_token"


@pytest.fixture
def client() -> WechatMessageClient:
    return WechatMessageClient(BASE + "/", timeout=1.0)


@responses.activate
def test_stable_token_posts_credentials_and_returns_the_token(client):
    responses.post(TOKEN_URL, json={"access_token": "TOKEN-1", "expires_in": 7200})
    token = client.stable_token("wx-app", "s3cret", force_refresh=True)
    assert (token.value, token.expires_in) == ("TOKEN-1", 7200)
    sent = json.loads(responses.calls[0].request.body)
    assert sent == {
        "grant_type": "client_credential",
        "appid": "wx-app",
        "secret": "s3cret",
        "force_refresh": True,
    }


@responses.activate
def test_send_puts_the_token_in_the_query_and_fits_every_value(client):
    responses.post(SEND_URL, json={"errcode": 0, "errmsg": "ok"})
    client.send_subscribe_message(
        "TOKEN-1",
        "openid-1",
        "tmpl-1",
        "pages/licences/detail?id=3",
        {"thing1": "危险化学品经营许可证即将到期，请尽快申请延续", "date2": date(2027, 1, 31)},
        "trial",
    )
    request = responses.calls[0].request
    assert request.params == {"access_token": "TOKEN-1"}
    body = json.loads(request.body)
    assert body["touser"] == "openid-1"
    assert body["template_id"] == "tmpl-1"
    assert body["miniprogram_state"] == "trial"
    assert body["lang"] == "zh_CN"
    assert body["data"]["thing1"]["value"] == "危险化学品经营许可证即将到期，请尽快申…"
    assert body["data"]["date2"]["value"] == "2027年1月31日"


@pytest.mark.parametrize(
    ("errcode", "retryable", "token_invalid", "not_subscribed"),
    [
        (-1, True, False, False),
        (45009, True, False, False),
        (43101, False, False, True),
        (40001, False, True, False),
        (42001, False, True, False),
        (40037, False, False, False),
        (47003, False, False, False),
    ],
)
@responses.activate
def test_errcodes_become_typed_errors(client, errcode, retryable, token_invalid, not_subscribed):
    responses.post(SEND_URL, json={"errcode": errcode, "errmsg": "refused"})
    with pytest.raises(WechatMessageError) as caught:
        client.send_subscribe_message("T", "o", "t", "p", {"thing1": "x"})
    error = caught.value
    assert error.errcode == errcode
    assert (error.retryable, error.token_invalid, error.not_subscribed) == (
        retryable,
        token_invalid,
        not_subscribed,
    )


@responses.activate
def test_network_failure_is_retryable_and_does_not_leak_the_token(client, caplog):
    responses.post(SEND_URL, body=requests.ConnectionError("refused ?access_token=SECRET"))
    with pytest.raises(WechatMessageError) as caught:
        client.send_subscribe_message("SECRET", "o", "t", "p", {"thing1": "x"})
    assert caught.value.errcode is None
    assert caught.value.retryable
    assert caught.value.__cause__ is None
    assert "SECRET" not in caplog.text
    assert "SECRET" not in str(caught.value)


@responses.activate
def test_server_error_and_garbage_are_retryable(client):
    responses.post(TOKEN_URL, status=502)
    with pytest.raises(WechatMessageError) as caught:
        client.stable_token("a", "s")
    assert caught.value.retryable
    responses.replace(responses.POST, TOKEN_URL, body="<html>busy</html>")
    with pytest.raises(WechatMessageError) as caught:
        client.stable_token("a", "s")
    assert caught.value.retryable


@responses.activate
def test_token_answer_without_token_is_an_error(client):
    responses.post(TOKEN_URL, json={"expires_in": 7200})
    with pytest.raises(WechatMessageError):
        client.stable_token("a", "s")


@pytest.mark.parametrize(
    ("key", "expected"),
    [("thing1", "thing"), ("character_string12", "character_string"), ("time3", "time")],
)
def test_key_type_strips_the_index(key, expected):
    assert key_type(key) == expected


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        ("thing1", "短文本", "短文本"),
        ("thing1", "一" * 20, "一" * 20),
        ("thing1", "一" * 21, "一" * 19 + "…"),
        ("thing1", "  多个\n 空白  ", "多个 空白"),
        ("thing1", "", "-"),
        ("thing1", None, "-"),
        ("character_string2", "ZV2026-000123", "ZV2026-000123"),
        ("character_string2", "津安经〔2024〕000001", "〔2024〕000001"),
        ("character_string2", "A" * 40, "A" * 32),
        ("number3", "共 12.5 天", "12.5"),
        ("letter4", "abc123DEF", "abcDEF"),
        ("phrase5", "已受理!", "已受理"),
        ("phrase5", "准予行政许可决定", "准予行政许"),
        ("name6", "欧阳张三李四王五赵六钱七", "欧阳张三李四王五赵六"),
        ("name6", "Zhang San", "ZhangSan"),
        ("amount7", "¥1234567890123", "¥1234567890"),
        ("unknown8", "一" * 25, "一" * 19 + "…"),
    ],
)
def test_fit_value_respects_each_key_type(key, value, expected):
    assert fit_value(key, value) == expected


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        ("date1", date(2027, 1, 31), "2027年1月31日"),
        ("date1", "2027-01-31", "2027年1月31日"),
        ("date1", datetime(2026, 11, 23, 2, 5, tzinfo=UTC), "2026年11月23日 10:05"),
        ("time2", "2026-11-23T02:05:00+00:00", "2026年11月23日 10:05"),
        ("time2", date(2026, 11, 23), "2026年11月23日 00:00"),
        ("time2", "9:00~12:00", "9:00~12:00"),
        ("date1", "", "-"),
    ],
)
def test_fit_value_formats_dates_and_times_in_shanghai(key, value, expected):
    assert fit_value(key, value) == expected
