"""Every region the office accepts is one it can number; no approval fails half-way."""

from __future__ import annotations

from sqlalchemy import func, select

from app.extensions import db
from app.models import Licence, LicenceSequence

SHENZHEN = "440300"  # a real city missing from permits/regions.yaml


def test_an_enterprise_in_a_region_the_office_cannot_number_is_refused(client, make):
    auth = make.headers(make.applicant())
    body = {
        "name": "深圳测试化工有限公司",
        "credit_code": make.credit_code(SHENZHEN),
        "legal_representative": "张三",
        "address": "深圳市福田区测试路1号",
        "region_code": SHENZHEN,
        "contact_phone": "13800138000",
    }
    response = client.post("/api/v1/enterprises", json=body, headers=auth)
    assert response.status_code == 422
    problem = response.get_json()
    assert problem["code"] == "REGION_NOT_SERVED"
    assert "region_code" in problem["errors"]
    assert client.get("/api/v1/enterprises", headers=auth).get_json()["items"] == []


def test_an_approval_that_cannot_be_numbered_rolls_back_and_the_case_stays_decidable(client, make):
    owner = make.applicant()
    # Registered before the check existed (or imported): the office cannot number it.
    firm = make.enterprise(owner, region=SHENZHEN, credit_code=make.credit_code(SHENZHEN))
    case = make.case_in_state(firm, "pending_decision", owner, recommendation="approve")
    approver = make.headers(make.staff("approver", "440000"))
    view = client.get(f"/api/v1/applications/{case.id}", headers=approver).get_json()
    response = make.act(client, approver, view, "approve")
    assert response.status_code == 409
    assert response.get_json()["code"] == "LICENCE_NUMBERING_UNAVAILABLE"
    after = client.get(f"/api/v1/applications/{case.id}", headers=approver).get_json()
    assert after["state"] == "pending_decision"
    assert after["version"] == view["version"]
    assert db.session.scalar(select(func.count()).select_from(Licence)) == 0
    assert db.session.scalar(select(func.count()).select_from(LicenceSequence)) == 0
    assert "approve" in after["actions"]
    # Its notices cannot name an issuer either: a clear refusal, never a 500 or a half-step.
    declined = make.act(client, approver, after, "deny", comment="所在地区暂无发证机关配置")
    assert declined.status_code == 409
    assert declined.get_json()["code"] == "LICENCE_NUMBERING_UNAVAILABLE"
    final = client.get(f"/api/v1/applications/{case.id}", headers=approver).get_json()
    assert (final["state"], final["version"]) == ("pending_decision", view["version"])
