"""Logs carry a structured line per request and never a phone number or SQL parameters."""

from __future__ import annotations

import json
import logging

from sqlalchemy import text

from app.extensions import db
from app.services import enterprises

PHONE = "13987654321"


def _access_lines(caplog):
    return [json.loads(r.getMessage()) for r in caplog.records if r.name == "zerovisit.access"]


def test_an_unhandled_database_error_logs_no_parameters(client, make, caplog, monkeypatch):
    def broken(user, data):
        db.session.execute(text("INSERT INTO no_such_table (phone) VALUES (:phone)"), data)

    monkeypatch.setattr(enterprises, "register_enterprise", broken)
    auth = make.headers(make.applicant())
    body = {
        "name": "天津测试化工有限公司",
        "credit_code": make.credit_code("120101"),
        "legal_representative": "张三",
        "address": "天津市和平区测试路1号",
        "region_code": "120101",
        "contact_phone": PHONE,
    }
    with caplog.at_level(logging.DEBUG):
        response = client.post("/api/v1/enterprises", json=body, headers=auth)
    assert response.status_code == 500
    assert response.mimetype == "application/problem+json"
    assert any(r.exc_info for r in caplog.records), "the error itself is still logged"
    assert PHONE not in caplog.text
    assert PHONE not in "".join(
        logging.Formatter().formatException(r.exc_info) for r in caplog.records if r.exc_info
    )


def test_phone_and_id_numbers_are_masked_in_any_log_message(app, caplog):
    """Any logger of the process, once the app is built (``create_app`` installs the
    masking record factory): run alone, this test builds the app itself."""
    with caplog.at_level(logging.INFO):
        logging.getLogger("zerovisit.test").info("call %s about %s", PHONE, "12010119900307123X")
    assert PHONE not in caplog.text
    assert "12010119900307123X" not in caplog.text
    assert "139***21" in caplog.text


def test_one_access_line_per_request_without_body_or_query(client, make, caplog):
    user = make.applicant()
    firm = make.enterprise(user)
    with caplog.at_level(logging.INFO, logger="zerovisit.access"):
        response = client.get(
            f"/api/v1/enterprises/{firm.id}?secret=x",
            headers={**make.headers(user), "X-Request-ID": "req-42"},
        )
        client.get("/api/v1/enterprises/999999", headers=make.headers(user))
    assert response.headers["X-Request-ID"] == "req-42"
    first, second = _access_lines(caplog)
    assert first == {
        "request_id": "req-42",
        "user_id": user.id,
        "method": "GET",
        "route": "/api/v1/enterprises/<int:enterprise_id>",
        "status": 200,
        "duration_ms": first["duration_ms"],
    }
    assert second["status"] == 404 and len(second["request_id"]) == 32
    assert "secret" not in caplog.text and PHONE not in caplog.text


def test_every_response_says_nosniff(client, make):
    assert client.get("/api/v1/health").headers["X-Content-Type-Options"] == "nosniff"
    assert client.get("/api/v1/nowhere").headers["X-Content-Type-Options"] == "nosniff"
