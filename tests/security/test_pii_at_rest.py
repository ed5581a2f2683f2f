"""Personal data at rest: after a whole special-operations case, neither the SQLite file nor
a ``pg_dump`` of PostgreSQL holds the worker's ID number, a phone or the delivery address."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import select, text

from app.extensions import db
from app.models import Application, Enterprise, Licence, VerifiedPhone
from app.models.blind_index import id_number_indexes
from tests.conftest import verify_all
from tests.console.conftest import console_login

DELIVERY = {"recipient": "王五", "phone": "13698765432", "address": "天津市河西区友谊路88号3门"}


def _full_special_operations_case(client, make, office, drive) -> dict:
    """A worker's certificate from application to delivery, and an enterprise's case naming
    its principal's phone; the secrets they must hide."""
    trading = make.create_application(client, office.applicant, office.enterprise_id)
    principal_phone = trading["form"]["principal_phone"]
    assert "*" in principal_phone  # shown masked, like the worker's
    principal_phone = make.example_form()["principal_phone"]
    assert (
        client.post(
            "/api/v1/auth/wechat/phone", json={"code": "phone-1"}, headers=office.applicant
        ).status_code
        == 200
    )
    form = make.example_form("special-operations")
    body = make.application_body(
        office.enterprise_id, "special-operations", form=form, delivery=dict(DELIVERY)
    )
    # A retried write keeps its first response (with the delivery address) in the database.
    created = client.post(
        "/api/v1/applications",
        json=body,
        headers={**office.applicant, "Idempotency-Key": "create-worker-case"},
    )
    assert created.status_code == 201
    view = created.get_json()
    assert view["delivery"]["address"] == DELIVERY["address"]
    view = make.upload_required(client, office.applicant, view)
    view = drive(view, ("applicant", "submit"), ("clerk", "accept"), ("reviewer", "start_review"))
    view = drive(
        view,
        *verify_all(view),
        ("reviewer", "recommend", {"recommendation": "approve", "comment": "同意"}),
        ("approver", "approve", {"comment": "准予许可"}),
        ("dispatcher", "dispatch", {"carrier": "ems", "tracking_no": "EM123456789CN"}),
    )
    assert view["issued_licence_id"]
    applicant_phone = db.session.scalars(select(VerifiedPhone.phone)).one()
    return {
        "id": view["id"],
        "secrets": [
            form["worker_id_number"],
            form["worker_phone"],
            applicant_phone,
            DELIVERY["phone"],
            DELIVERY["address"],
            db.session.get(Enterprise, office.enterprise_id).contact_phone,
            principal_phone,
        ],
    }


def _found(blob: bytes, secrets: list[str]) -> list[str]:
    """The secrets in ``blob`` as UTF-8 or as JSON writes them (``\\u`` escapes on SQLite)."""
    return [
        s
        for s in secrets
        if s.encode("utf-8") in blob or json.dumps(s)[1:-1].encode("ascii") in blob
    ]


def test_the_sqlite_file_holds_no_personal_data(client, make, office, drive):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("the SQLite file exists only on SQLite")
    case = _full_special_operations_case(client, make, office, drive)
    db.session.remove()
    with db.engine.connect() as connection:
        connection.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
    path = Path(db.engine.url.database)
    files = [p for p in path.parent.glob(path.name + "*") if p.is_file()]
    blob = b"".join(p.read_bytes() for p in files)
    assert _found(blob, case["secrets"]) == []
    unsealed = ["张伟", "EM123456789CN"]  # the name and tracking number are not sealed
    assert _found(blob, unsealed) == unsealed
    if shutil.which("strings"):
        shown = subprocess.run(
            ["strings", "-e", "S", *map(str, files)], capture_output=True, check=True
        ).stdout
        assert _found(shown, case["secrets"]) == []
    # What is sealed still reads back whole through the app.
    application = db.session.get(Application, case["id"])
    assert application.form["worker_id_number"] == case["secrets"][0]
    assert application.delivery["address"] == DELIVERY["address"]


def test_a_pg_dump_holds_no_personal_data(client, make, office, drive):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("pg_dump needs PostgreSQL (TEST_DATABASE_URL)")
    if not shutil.which("pg_dump"):
        pytest.skip("pg_dump is not installed")
    case = _full_special_operations_case(client, make, office, drive)
    db.session.commit()
    url = db.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    dump = subprocess.run(["pg_dump", "--dbname", url], capture_output=True, check=True).stdout
    assert b"timeline_entries" in dump and b"pii1.sm4-gcm." in dump
    assert _found(dump, case["secrets"]) == []


def test_the_worker_id_number_is_found_through_its_blind_index(client, make, office, drive):
    case = _full_special_operations_case(client, make, office, drive)
    number = case["secrets"][0]
    indexes = id_number_indexes(number)
    cases = db.session.scalars(
        select(Application.id).where(Application.worker_id_index.in_(indexes))
    ).all()
    licences = db.session.scalars(
        select(Licence.application_id).where(Licence.holder_id_index.in_(indexes))
    ).all()
    assert cases == [case["id"]] and licences == [case["id"]]
    assert number not in str(indexes)


def test_staff_find_a_workers_certificate_by_the_whole_id_number(app, client, make, office, drive):
    case = _full_special_operations_case(client, make, office, drive)
    make.staff("reviewer", username="finder")
    browser = console_login(app, "finder")
    found = browser.get("/console/licences", query_string={"q": case["secrets"][0].lower()})
    licence = db.session.scalars(select(Licence)).one()
    assert found.status_code == 200 and licence.number in found.get_data(as_text=True)
    partial = browser.get("/console/licences", query_string={"q": case["secrets"][0][:10]})
    assert licence.number not in partial.get_data(as_text=True)
