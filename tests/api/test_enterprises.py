"""Registering enterprises: credit-code check, region consistency, no takeover."""

from __future__ import annotations


def body(make, **overrides):
    values = {
        "name": "天津测试化工有限公司",
        "credit_code": make.credit_code("120101"),
        "legal_representative": "张三",
        "address": "天津市和平区测试路1号",
        "region_code": "120101",
        "contact_phone": "13800138000",
    }
    values.update(overrides)
    return values


def test_register_list_and_show(client, make):
    auth = make.headers(make.applicant())
    created = client.post("/api/v1/enterprises", json=body(make), headers=auth)
    assert created.status_code == 201
    enterprise = created.get_json()
    listed = client.get("/api/v1/enterprises", headers=auth).get_json()["items"]
    assert [e["id"] for e in listed] == [enterprise["id"]]
    shown = client.get(f"/api/v1/enterprises/{enterprise['id']}", headers=auth)
    assert shown.get_json()["credit_code"] == enterprise["credit_code"]


def test_lower_case_credit_code_is_normalised(client, make):
    auth = make.headers(make.applicant())
    code = make.credit_code("120101")
    created = client.post(
        "/api/v1/enterprises", json=body(make, credit_code=code.lower()), headers=auth
    )
    assert created.status_code == 201
    assert created.get_json()["credit_code"] == code


def test_bad_check_character_is_refused(client, make):
    auth = make.headers(make.applicant())
    code = make.credit_code("120101")
    wrong = code[:-1] + ("0" if code[-1] != "0" else "1")
    response = client.post("/api/v1/enterprises", json=body(make, credit_code=wrong), headers=auth)
    assert response.status_code == 422
    problem = response.get_json()
    assert problem["code"] == "CREDIT_CODE_INVALID"
    assert problem["errors"]["credit_code"]


def test_region_must_match_the_credit_code(client, make):
    auth = make.headers(make.applicant())
    response = client.post(
        "/api/v1/enterprises", json=body(make, credit_code=make.credit_code("320100")), headers=auth
    )
    assert response.status_code == 422
    assert response.get_json()["code"] == "REGION_MISMATCH"


def test_claimed_enterprise_cannot_be_taken_over(client, make):
    first, second = make.headers(make.applicant()), make.headers(make.applicant())
    payload = body(make)
    assert client.post("/api/v1/enterprises", json=payload, headers=first).status_code == 201
    response = client.post("/api/v1/enterprises", json=payload, headers=second)
    assert response.status_code == 409
    assert response.get_json()["code"] == "ENTERPRISE_ALREADY_CLAIMED"
    assert client.get("/api/v1/enterprises", headers=second).get_json()["items"] == []


def test_someone_elses_enterprise_is_404(client, make):
    owner = make.applicant()
    enterprise = make.enterprise(owner)
    stranger = make.headers(make.applicant())
    response = client.get(f"/api/v1/enterprises/{enterprise.id}", headers=stranger)
    assert response.status_code == 404
    missing = client.get("/api/v1/enterprises/999999", headers=stranger)
    assert response.get_json() == missing.get_json()


def test_missing_fields_are_listed_in_chinese(client, make):
    auth = make.headers(make.applicant())
    response = client.post("/api/v1/enterprises", json={"name": "x"}, headers=auth)
    assert response.status_code == 422
    errors = response.get_json()["errors"]
    assert {"credit_code", "region_code", "contact_phone"} <= set(errors)
    assert errors["credit_code"] == ["此项为必填项"]


def test_registration_needs_a_token(client, make):
    assert client.post("/api/v1/enterprises", json=body(make)).status_code == 401
