"""Input no real client sends gets a clear 4xx problem, never a 500 (found by fuzzing)."""

from __future__ import annotations

import base64
import io
from pathlib import Path

import pytest
import requests
import responses


def _applicant(make):
    user = make.applicant()
    return user, make.headers(user), make.enterprise(user)


def _post_raw(client, path, raw: str, auth):
    return client.post(path, data=raw, headers={**auth, "Content-Type": "application/json"})


@pytest.mark.parametrize(
    "text",
    ['"\\ud800"', '"abc\\udfff"', '"\\u0000"', '"a\\u0000b"'],
    ids=["lone-high-surrogate", "lone-low-surrogate", "nul", "embedded-nul"],
)
def test_bad_text_in_a_form_is_refused_before_storage(client, make, text):
    user, auth, firm = _applicant(make)
    raw = (
        f'{{"enterprise_id": {firm.id}, "permit_type": "hazchem-trading", "kind": "new", '
        f'"form": {{"trade_name": {text}}}, "delivery": {{"recipient": {text}, '
        '"phone": "13912345678", "address": "天津"}}'
    )
    response = _post_raw(client, "/api/v1/applications", raw, auth)
    assert response.status_code == 422
    assert response.get_json()["code"] == "TEXT_INVALID"
    listed = client.get("/api/v1/applications", headers=auth)
    assert listed.status_code == 200
    assert listed.get_json()["total"] == 0


def test_a_surrogate_in_a_key_is_refused(client, make):
    _, auth, firm = _applicant(make)
    raw = f'{{"enterprise_id": {firm.id}, "\\ud83d": 1}}'
    assert _post_raw(client, "/api/v1/applications", raw, auth).status_code == 422


def test_nul_in_a_query_or_a_path_is_refused(client, make):
    _, auth, _ = _applicant(make)
    assert client.get("/api/v1/applications?state=a%00b", headers=auth).status_code == 422
    assert client.get("/api/v1/permit-types/ab%00c").status_code == 404


@pytest.mark.parametrize("path", ["/api/v1/applications/{n}", "/api/v1/enterprises/{n}"])
def test_ids_beyond_32_bits_in_the_path_are_404(client, make, path):
    _, auth, _ = _applicant(make)
    for n in (2**31, 2**63, 10**30):
        response = client.get(path.format(n=n), headers=auth)
        assert response.status_code == 404


def test_huge_page_and_enterprise_id_are_422(client, make):
    _, auth, firm = _applicant(make)
    assert client.get("/api/v1/applications?page=9999999999", headers=auth).status_code == 422
    body = make.application_body(firm.id)
    body["enterprise_id"] = 2**40
    response = client.post("/api/v1/applications", json=body, headers=auth)
    assert response.status_code == 422
    assert response.get_json()["code"] == "INTEGER_OUT_OF_RANGE"


def test_an_id_beyond_32_bits_in_a_list_of_ids_is_422(client, make):
    chief = make.staff("chief", "120101")
    auth = make.headers(chief)
    body = {"action": "assign", "ids": [1, 2**70], "assignee_id": chief.id}
    response = client.post("/api/v1/review/bulk", json=body, headers=auth)
    assert response.status_code == 422
    problem = response.get_json()
    assert problem["code"] == "INTEGER_OUT_OF_RANGE"
    assert "ids.1" in problem["errors"]


def test_superscript_digits_in_an_id_are_a_clear_422_not_a_500(client, make):
    """ "¹" passes str.isdigit() but not int(): found by fuzzing the labels PDF's ids."""
    auth = make.headers(make.staff("dispatcher", "120101"))
    for url in ("/api/v1/review/labels.pdf?ids=%C2%B9", "/api/v1/review/queue?page=%C2%B2"):
        response = client.get(url, headers=auth)
        assert response.status_code == 422, (url, response.status_code)
        assert response.mimetype == "application/problem+json"


def test_superscript_digits_in_a_version_or_tus_header_are_a_clear_422(client, make):
    _, auth, firm = _applicant(make)
    view = make.create_application(client, auth, firm.id)
    url = f"/api/v1/applications/{view['id']}"
    edit = client.patch(url, json={"form": view["form"]}, headers={**auth, "If-Match": "\xb9"})
    assert edit.status_code == 422 and edit.get_json()["code"] == "VERSION_INVALID"
    material = view["materials"][0]["code"]
    metadata = f"material {base64.b64encode(material.encode()).decode()}"
    tus = {**auth, "Tus-Resumable": "1.0.0", "Upload-Metadata": metadata}
    created = client.post(f"{url}/uploads", headers={**tus, "Upload-Length": "\xb2"})
    assert created.status_code == 422 and created.get_json()["code"] == "TUS_HEADER_INVALID"


def test_the_console_reads_a_superscript_page_number_as_the_first_page(app, make):
    from tests.console.conftest import console_login

    clerk = make.staff(["clerk", "reviewer"], "120101", username="clerk-sup")
    desk = console_login(app, clerk.username)
    for path in ("/console/licences?page=%C2%B9", "/console/requests?page=%C2%B9"):
        assert desk.get(path).status_code == 200, path


def test_a_format_is_matched_against_the_whole_value_in_ascii(client, make):
    """marshmallow's Regexp lets "$" pass a trailing newline ("me\\n" reached int(): a 500)
    and "\\d" pass any script's digits; every format is checked by ``Pattern`` instead."""
    reviewer = make.headers(make.staff("reviewer", "120101"))
    for value in ("me%0A", "12%0A", "%EF%BC%91%EF%BC%92"):  # trailing newline, full-width 12
        response = client.get(f"/api/v1/review/queue?assignee={value}", headers=reviewer)
        assert response.status_code == 422, (value, response.status_code)
    user = make.applicant()
    body = {
        "name": "天津测试化工有限公司",
        "credit_code": make.credit_code("120101"),
        "legal_representative": "张三",
        "address": "天津市和平区测试路1号",
        "contact_phone": "13800138000\n",
        "region_code": "１２０１０１",
    }
    refused = client.post("/api/v1/enterprises", json=body, headers=make.headers(user))
    assert refused.status_code == 422
    assert {"contact_phone", "region_code"} <= set(refused.get_json()["errors"])


def test_no_schema_uses_marshmallows_regexp_directly():
    schemas = Path(__file__).parents[2] / "app" / "schemas"
    users = [p.name for p in schemas.glob("*.py") if "validate.Regexp(" in p.read_text("utf-8")]
    assert users == [], f"use app.schemas.common.Pattern in {users}"


def test_deeply_nested_json_is_refused(client, make):
    _, auth, firm = _applicant(make)
    for depth in (40, 100_000):
        raw = f'{{"enterprise_id": {firm.id}, "form": {"[" * depth}1{"]" * depth}}}'
        response = _post_raw(client, "/api/v1/applications", raw, auth)
        assert response.status_code in (400, 422)
        assert response.mimetype == "application/problem+json"


def test_non_finite_numbers_are_refused(client, make):
    _, auth, firm = _applicant(make)
    raw = f'{{"enterprise_id": {firm.id}, "form": {{"capital": NaN}}}}'
    assert _post_raw(client, "/api/v1/applications", raw, auth).status_code == 422


@pytest.mark.parametrize(
    "query", ["from=0001-01-01&to=9999-12-31", "from=9999-12-31&to=9999-12-31", "to=0001-01-01"]
)
def test_stats_with_an_extreme_period_is_422(client, make, query):
    auth = make.headers(make.staff("approver", "120000"))
    response = client.get(f"/api/v1/stats?{query}", headers=auth)
    assert response.status_code == 422
    assert response.get_json()["code"] == "PERIOD_INVALID"


@pytest.fixture
def real_wechat(app):
    app.config.update(
        WECHAT_MODE="real",
        WECHAT_API_BASE="https://wx.test",
        WECHAT_APPID="wx-app",
        WECHAT_SECRET="wx-secret",
    )


@responses.activate
@pytest.mark.parametrize(
    "answer",
    [
        {"errcode": "oops", "errmsg": "x"},
        {"errcode": 1.5},
        {"errcode": [1]},
        {"openid": "o" * 65},
        {"openid": 12345},
        {"openid": "o-1", "unionid": "u" * 200},
        {"openid": "o-\u0000"},
    ],
)
def test_a_garbled_wechat_answer_is_502(client, real_wechat, answer):
    responses.get("https://wx.test/sns/jscode2session", json=answer)
    response = client.post("/api/v1/auth/wechat", json={"code": "abc"})
    assert response.status_code == 502
    assert response.mimetype == "application/problem+json"


@responses.activate
def test_wechat_unreachable_still_502(client, real_wechat):
    responses.get(
        "https://wx.test/sns/jscode2session", body=requests.exceptions.ConnectionError("down")
    )
    assert client.post("/api/v1/auth/wechat", json={"code": "x"}).status_code == 502


def test_fields_a_caller_may_not_set_are_refused(client, make):
    user, auth, firm = _applicant(make)
    body = {
        "name": "天津测试化工有限公司",
        "credit_code": make.credit_code("120101"),
        "legal_representative": "张三",
        "address": "天津市和平区测试路1号",
        "region_code": "120101",
        "contact_phone": "13800138000",
        "manager_id": user.id + 1,
    }
    response = client.post("/api/v1/enterprises", json=body, headers=auth)
    assert response.status_code == 422
    assert "manager_id" in response.get_json()["errors"]
    view = make.create_application(client, auth, firm.id)
    patch = client.patch(
        f"/api/v1/applications/{view['id']}",
        json={"version": view["version"], "state": "approved"},
        headers=auth,
    )
    assert patch.status_code == 422
    after = client.get(f"/api/v1/applications/{view['id']}", headers=auth).get_json()
    assert after["state"] == "draft"


def test_a_chunked_body_over_the_json_limit_is_413(app, client, make):
    auth = make.headers(make.applicant())
    big = b'{"form": "' + b"x" * (app.config["MAX_JSON_BYTES"] + 10) + b'"}'
    response = client.post(
        "/api/v1/applications",
        input_stream=io.BytesIO(big),
        headers={**auth, "Content-Type": "application/json", "Transfer-Encoding": "chunked"},
        environ_base={"wsgi.input_terminated": True},  # as gunicorn marks a chunked body
    )
    assert response.status_code == 413, response.get_json()
    assert response.mimetype == "application/problem+json"
