"""Claiming an imported enterprise needs one of its licences' check codes (no takeover)."""

from __future__ import annotations

import csv
import os
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import select

from app.extensions import db
from app.licences.documents import check_code
from app.models import Enterprise


def _register_body(firm, claim=None):
    body = {
        "name": firm.name,
        "credit_code": firm.credit_code,
        "legal_representative": "王五",
        "address": "天津市和平区南京路1号",
        "region_code": firm.region_code,
        "contact_phone": "13911112222",
    }
    if claim is not None:
        body["claim"] = claim
    return body


@pytest.fixture
def imported(make):
    """An enterprise known only from the register, with one licence."""
    firm = make.enterprise(None)
    return firm, make.licence(firm)


def _manager_of(firm_id):
    db.session.expire_all()
    return db.session.get(Enterprise, firm_id).manager_id


def test_without_proof_an_imported_enterprise_cannot_be_taken(client, make, imported):
    firm, _ = imported
    auth = make.headers(make.applicant())
    response = client.post("/api/v1/enterprises", json=_register_body(firm), headers=auth)
    assert response.status_code == 409
    assert response.get_json()["code"] == "ENTERPRISE_CLAIM_PROOF_REQUIRED"
    assert _manager_of(firm.id) is None
    assert client.get("/api/v1/licences", headers=auth).get_json()["items"] == []


def test_a_wrong_code_changes_nothing(client, make, imported):
    firm, licence = imported
    auth = make.headers(make.applicant())
    claim = {"licence_number": licence.number, "code": "AAAAAAAA"}
    response = client.post("/api/v1/enterprises", json=_register_body(firm, claim), headers=auth)
    assert response.status_code == 409
    assert response.get_json()["code"] == "ENTERPRISE_CLAIM_PROOF_REQUIRED"
    assert "claim" in response.get_json()["errors"]
    assert _manager_of(firm.id) is None


def test_another_enterprises_licence_is_no_proof(client, make, imported):
    firm, _ = imported
    other = make.enterprise(None)
    foreign = make.licence(other)
    auth = make.headers(make.applicant())
    claim = {"licence_number": foreign.number, "code": check_code(foreign)}
    response = client.post("/api/v1/enterprises", json=_register_body(firm, claim), headers=auth)
    assert response.status_code == 409
    assert _manager_of(firm.id) is None


def test_the_right_code_makes_the_caller_manager(client, make, imported):
    firm, licence = imported
    user = make.applicant()
    auth = make.headers(user)
    claim = {"licence_number": licence.number, "code": check_code(licence).lower()}
    response = client.post("/api/v1/enterprises", json=_register_body(firm, claim), headers=auth)
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["id"] == firm.id
    assert _manager_of(firm.id) == user.id
    listed = client.get("/api/v1/licences", headers=auth).get_json()["items"]
    assert [item["number"] for item in listed] == [licence.number]
    later = make.headers(make.applicant())
    again = client.post("/api/v1/enterprises", json=_register_body(firm, claim), headers=later)
    assert again.get_json()["code"] == "ENTERPRISE_ALREADY_CLAIMED"


def test_repeated_wrong_codes_are_throttled_even_with_the_right_one_after(
    app, client, make, imported
):
    app.config["ENTERPRISE_CLAIM_LIMIT"] = "3 per hour"
    firm, licence = imported
    auth = make.headers(make.applicant())
    wrong = {"licence_number": licence.number, "code": "WRONGCOD"}
    for _ in range(3):
        response = client.post(
            "/api/v1/enterprises", json=_register_body(firm, wrong), headers=auth
        )
        assert response.status_code == 409
    right = {"licence_number": licence.number, "code": check_code(licence)}
    response = client.post("/api/v1/enterprises", json=_register_body(firm, right), headers=auth)
    assert response.status_code == 429
    assert response.get_json()["code"] == "ENTERPRISE_CLAIM_THROTTLED"
    assert int(response.headers["Retry-After"]) >= 1
    assert _manager_of(firm.id) is None


def test_guessing_from_one_address_with_many_accounts_is_throttled(app, client, make, imported):
    app.config["ENTERPRISE_CLAIM_LIMIT"] = "3 per hour"
    firm, licence = imported
    wrong = {"licence_number": licence.number, "code": "WRONGCOD"}
    statuses = [
        client.post(
            "/api/v1/enterprises",
            json=_register_body(firm, wrong),
            headers=make.headers(make.applicant()),
        ).status_code
        for _ in range(4)
    ]
    assert statuses == [409, 409, 409, 429]


def test_the_office_lists_claim_codes(runner, make, imported, tmp_path):
    firm, licence = imported
    make.licence(make.enterprise(make.applicant()))  # claimed already: not listed
    out = tmp_path / "codes.csv"
    result = runner.invoke(
        args=["licences", "claim-codes", "--region", "120000", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    with open(out, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[1:] == [
        [licence.number, firm.name, firm.credit_code, firm.region_code, check_code(licence)]
    ]
    elsewhere = runner.invoke(
        args=["licences", "claim-codes", "--region", "320000", "--out", str(out)]
    )
    assert elsewhere.exit_code == 0
    with open(out, encoding="utf-8-sig", newline="") as handle:
        assert len(list(csv.reader(handle))) == 1


@pytest.mark.skipif(
    "postgresql" not in (os.environ.get("TEST_DATABASE_URL") or ""),
    reason="truly simultaneous claims need PostgreSQL (TEST_DATABASE_URL)",
)
def test_racing_claims_of_one_enterprise_make_exactly_one_manager(app, make, imported):
    firm, licence = imported
    claim = {"licence_number": licence.number, "code": check_code(licence)}
    users = [make.applicant() for _ in range(8)]
    auths = [make.headers(user) for user in users]
    body = _register_body(firm, claim)

    def attempt(auth):
        with app.test_client() as client:
            return client.post("/api/v1/enterprises", json=body, headers=auth).status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(attempt, auths))
    assert statuses.count(201) == 1
    assert set(statuses) == {201, 409}
    winner = users[statuses.index(201)]
    assert _manager_of(firm.id) == winner.id
    assert db.session.scalars(select(Enterprise)).all() == [db.session.get(Enterprise, firm.id)]
