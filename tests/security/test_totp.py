"""Staff second factor (TOTP, RFC 6238): API, console, CLI, replay, throttle, production."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import parse_qs, urlparse

import pyotp
import pytest

from app import timekeeping
from app.config import ConfigError, load_config
from app.extensions import db
from app.models import User
from tests.console.conftest import console_login, csrf_of
from tests.factories import STAFF_PASSWORD

URL = "/api/v1/auth/staff"


def _login(client, username, totp=None, address="10.0.0.7"):
    body = {"username": username, "password": STAFF_PASSWORD}
    if totp is not None:
        body["totp"] = totp
    return client.post(URL, json=body, environ_base={"REMOTE_ADDR": address})


def _enrol(runner, username) -> pyotp.TOTP:
    result = runner.invoke(args=["staff", "totp-enrol", "--username", username])
    assert result.exit_code == 0, result.output
    uri = re.search(r"otpauth://\S+", result.output).group(0)
    assert "█" in result.output or "▀" in result.output  # the QR code for the terminal
    return pyotp.TOTP(parse_qs(urlparse(uri).query)["secret"][0])


def _code(otp: pyotp.TOTP, seconds: int = 0) -> str:
    return otp.at(timekeeping.now() + timedelta(seconds=seconds))


def test_an_admin_logs_in_with_a_code_and_a_used_code_is_refused(client, runner, make):
    make.staff("admin", username="zhou")
    assert _login(client, "zhou").status_code == 200  # no second factor yet (not production)
    otp = _enrol(runner, "zhou")

    missing = _login(client, "zhou")
    assert missing.status_code == 401 and missing.get_json()["code"] == "TOTP_REQUIRED"
    wrong = _login(client, "zhou", "000000" if _code(otp) != "000000" else "111111")
    assert wrong.status_code == 401 and wrong.get_json()["code"] == "TOTP_REQUIRED"

    code = _code(otp)
    assert _login(client, "zhou", code).status_code == 200
    replay = _login(client, "zhou", code)
    assert replay.status_code == 401 and replay.get_json()["code"] == "TOTP_REQUIRED"
    assert "已使用" in replay.get_json()["detail"]
    # The next step's code (clock drift of one step) is still fresh.
    assert _login(client, "zhou", _code(otp, 30)).status_code == 200
    # ... and the code before it is now refused too: steps only move forward.
    assert _login(client, "zhou", _code(otp)).status_code == 401


def test_production_refuses_admins_and_approvers_without_a_second_factor(app, client, runner, make):
    for role, name in (("admin", "wu"), ("approver", "zheng"), ("reviewer", "wang")):
        make.staff(role, username=name)
    app.config["APP_ENV"] = "production"
    for name in ("wu", "zheng"):
        refused = _login(client, name)
        assert refused.status_code == 401
        assert refused.get_json()["code"] == "TOTP_ENROLMENT_REQUIRED"
    assert _login(client, "wang").status_code == 200
    otp = _enrol(runner, "wu")
    assert _login(client, "wu", _code(otp)).status_code == 200
    runner.invoke(args=["staff", "totp-reset", "--username", "wu"])
    assert _login(client, "wu").get_json()["code"] == "TOTP_ENROLMENT_REQUIRED"


def test_wrong_codes_are_throttled_like_wrong_passwords(client, runner, make):
    make.staff("approver", username="qian")
    otp = _enrol(runner, "qian")
    bad = "123456" if _code(otp) != "123456" else "654321"
    statuses = [_login(client, "qian", bad).status_code for _ in range(6)]
    assert statuses[:5] == [401] * 5 and statuses[5] == 429
    assert _login(client, "qian", _code(otp)).status_code == 429


def test_the_console_login_asks_for_the_code(app, runner, make):
    make.staff("admin", username="sun")
    otp = _enrol(runner, "sun")
    browser = app.test_client()
    page = browser.get("/console/login").get_data(as_text=True)
    assert 'name="totp"' in page and "动态验证码" in page
    form = {"username": "sun", "password": STAFF_PASSWORD, "csrf_token": csrf_of(browser)}
    refused = browser.post("/console/login", data=form)
    assert refused.status_code == 401 and "请输入动态验证码" in refused.get_data(as_text=True)
    accepted = browser.post("/console/login", data={**form, "totp": _code(otp)})
    assert accepted.status_code == 302


def test_a_staff_member_binds_an_authenticator_on_their_own_page(app, make):
    user = make.staff("reviewer", username="li")
    browser = console_login(app, "li")
    page = browser.get("/console/me/security").get_data(as_text=True)
    assert "未绑定" in page
    token = csrf_of(browser, "/console/me/security")
    assert browser.post("/console/me/security/totp", data={"csrf_token": token}).status_code == 302
    page = browser.get("/console/me/security").get_data(as_text=True)
    assert "data:image/svg+xml" in page
    secret = re.search(r"secret=([A-Z2-7]+)", page).group(1)
    otp = pyotp.TOTP(secret)
    wrong = browser.post(
        "/console/me/security/totp/confirm", data={"csrf_token": token, "totp": "12345x"}
    )
    assert wrong.status_code == 422 and "动态验证码不正确" in wrong.get_data(as_text=True)
    done = browser.post(
        "/console/me/security/totp/confirm", data={"csrf_token": token, "totp": _code(otp)}
    )
    assert done.status_code == 302
    db.session.expire_all()
    stored = db.session.get(User, user.id)
    assert stored.totp_secret == secret and stored.totp_pending is None
    # The code that confirmed the binding cannot log in a second time.
    client = app.test_client()
    assert _login(client, "li", _code(otp)).status_code == 401
    assert _login(client, "li", _code(otp, 30)).status_code == 200


def test_production_will_not_start_without_the_data_and_audit_keys(tmp_path):
    env = {
        "APP_ENV": "production",
        "INSTANCE_DIR": str(tmp_path),
        **{name: "s" * 40 for name in ("SECRET_KEY", "COURIER_WEBHOOK_SECRET")},
        "LICENCE_CHECK_SECRET": "c" * 40,
    }
    with pytest.raises(ConfigError, match="PII_KEY"):
        load_config({"ENV": env})
    with pytest.raises(ConfigError, match="AUDIT_KEY"):
        load_config({"ENV": {**env, "PII_KEY": "k" * 40}})
